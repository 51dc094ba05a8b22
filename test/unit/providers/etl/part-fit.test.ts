import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PartColumn, PartValueKind } from '../../../../src/providers/etl/manifest.ts';
import { fitsColumn, planPart } from '../../../../src/providers/etl/part-fit.ts';
import type { WarehouseColumn } from '../../../../src/providers/etl/repair.ts';
import { column } from '../../../support/warehouse-column.ts';

const part = (kinds: PartValueKind[], extra: Partial<PartColumn> = {}): PartColumn => ({
  name: 'c', kinds, nulls: false, width: 10, dates: false, repair: false,
  ...(kinds.includes('integer') || kinds.includes('number') ? { min: -5, max: 5 } : {}),
  ...extra,
});

const text = column('c', 'text');
const varchar8 = column('c', 'character varying', { maxLength: 8 });
const char10 = column('c', 'character', { maxLength: 10 });
const smallint = column('c', 'smallint');
const integer = column('c', 'integer');
const bigint = column('c', 'bigint');
const numeric52 = column('c', 'numeric', { numericPrecision: 5, numericScale: 2 });
const numeric = column('c', 'numeric');
const double = column('c', 'double precision');
const boolean = column('c', 'boolean');
const timestamptz = column('c', 'timestamp with time zone');
const timestamp = column('c', 'timestamp without time zone');
const date = column('c', 'date');
const jsonb = column('c', 'jsonb');
const uuid = column('c', 'uuid');

// [what the part holds, the column, fits?]
const cases: [string, PartColumn, WarehouseColumn, boolean][] = [
  ['strings into text', part(['string'], { width: 10_000 }), text, true],
  ['every kind into text', part(['string', 'integer', 'number', 'boolean', 'json']), text, true],
  ['strings into varchar(8), 8 wide', part(['string'], { width: 8 }), varchar8, true],
  ['strings into varchar(8), 9 wide', part(['string'], { width: 9 }), varchar8, false],
  ['numbers into varchar(8), 9 wide', part(['integer'], { width: 9 }), varchar8, false],
  ['strings into char(10)', part(['string'], { width: 10 }), char10, true],
  ['text to repair into text', part(['string'], { repair: true }), text, false],
  ['NULLs into a nullable column', part([], { nulls: true }), integer, true],
  ['NULLs into a required column', part(['string'], { nulls: true }), column('c', 'text', { nullable: false }), false],
  ['no NULL into a required column', part(['string']), column('c', 'text', { nullable: false }), true],
  ['small integers into smallint', part(['integer'], { min: -32768, max: 32767 }), smallint, true],
  ['an integer past smallint', part(['integer'], { min: 0, max: 32768 }), smallint, false],
  ['integers into integer', part(['integer'], { min: -2147483648, max: 2147483647 }), integer, true],
  ['an integer past integer', part(['integer'], { min: -2147483649, max: 0 }), integer, false],
  ['safe integers into bigint', part(['integer'], { min: -9007199254740991, max: 9007199254740991 }), bigint, true],
  ['an unsafe integer into bigint', part(['integer'], { min: 0, max: 2 ** 60 }), bigint, false],
  ['fractions into integer', part(['number']), integer, false],
  ['numeric strings into integer', part(['string']), integer, false],
  ['booleans into integer', part(['boolean']), integer, false],
  ['fractions into numeric(5,2) below 1000', part(['number'], { min: -999.99, max: 999.99 }), numeric52, true],
  ['a fraction of 1000 into numeric(5,2)', part(['number'], { min: 0, max: 1000 }), numeric52, false],
  ['a large negative into numeric(5,2)', part(['integer'], { min: -1000, max: 0 }), numeric52, false],
  ['anything numeric into numeric', part(['integer', 'number'], { min: -1e300, max: 1e300 }), numeric, true],
  ['strings into numeric', part(['string']), numeric, false],
  ['numbers into double precision', part(['integer', 'number']), double, true],
  ['booleans into boolean', part(['boolean']), boolean, true],
  ['0 and 1 into boolean', part(['integer'], { min: 0, max: 1 }), boolean, false],
  ['strings into boolean', part(['string']), boolean, false],
  ['extract\'s dates into timestamptz', part(['string'], { dates: true }), timestamptz, true],
  ['extract\'s dates into timestamp', part(['string'], { dates: true }), timestamp, true],
  ['NULLs into timestamptz', part([], { nulls: true }), timestamptz, true],
  ['other strings into timestamptz', part(['string']), timestamptz, false],
  ['epoch numbers into timestamptz', part(['integer'], { dates: true }), timestamptz, false],
  ['extract\'s dates into date (cut to the day)', part(['string'], { dates: true }), date, false],
  ['JSON into jsonb', part(['json']), jsonb, true],
  ['JSON to repair into jsonb', part(['json'], { repair: true }), jsonb, false],
  ['strings into jsonb', part(['string']), jsonb, false],
  ['numbers into jsonb', part(['integer']), jsonb, false],
  ['strings into uuid (the database checks)', part(['string']), uuid, true],
  ['text to repair into uuid', part(['string'], { repair: true }), uuid, false],
];

describe('whether a part\'s column fits a warehouse column', () => {
  for (const [name, partColumn, warehouseColumn, fits] of cases) {
    test(`${name}: ${fits ? 'fits' : 'is coerced'}`, () => {
      assert.equal(fitsColumn(partColumn, warehouseColumn), fits);
    });
  }
});

describe('a part\'s plan', () => {
  const load = [column('source_id', 'text', { nullable: false }), column('qty', 'integer'), column('note', 'character varying', { maxLength: 4 })];
  const id = { ...part(['string']), name: 'source_id' };
  const qty = { ...part(['integer']), name: 'qty' };
  const note = (width: number) => ({ ...part(['string'], { width }), name: 'note' });

  test('every column fits, in the part\'s own order: the bytes go as they are', () => {
    assert.deepEqual(planPart([qty, note(4), id], load), { fast: true, sources: [2, 0, 1], raw: [true, true, true] });
    assert.equal(planPart([id], load).fast, true, 'warehouse columns the part lacks stay NULL');
  });

  test('a column that does not fit, one the warehouse lacks, or a required one the part lacks: coerced', () => {
    assert.deepEqual(planPart([id, qty, note(5)], load), { fast: false, sources: [0, 1, 2], raw: [true, true, false] });
    assert.deepEqual(planPart([id, { ...part(['string']), name: 'extra' }], load), { fast: false, sources: [0, -1, -1], raw: [true, false, false] });
    assert.deepEqual(planPart([qty], load), { fast: false, sources: [-1, 0, -1], raw: [false, true, false] });
  });
});
