import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyTextFormat, decodeCopyLine, flatValueOf } from '../../../../src/providers/etl/copy-rows.ts';
import { INVALID_DATE_TEXT, type FlatRow } from '../../../../src/providers/etl/flatten.ts';
import { PartColumns } from '../../../../src/providers/etl/part-columns.ts';
import { planPart } from '../../../../src/providers/etl/part-fit.ts';
import { PartEncoder, rowEncoder, type RejectedRecord } from '../../../../src/providers/etl/part-rows.ts';
import { noRepairs, type WarehouseColumn } from '../../../../src/providers/etl/repair.ts';
import { column } from '../../../support/warehouse-column.ts';

const load = [
  column('source_id', 'text', { nullable: false }),
  column('name', 'character varying', { maxLength: 6 }),
  column('qty', 'integer'),
  column('price', 'numeric', { numericPrecision: 6, numericScale: 2 }),
  column('placed_at', 'timestamp with time zone'),
  column('active', 'boolean'),
  column('zipcode', 'character varying', { maxLength: 10 }),
  column('data', 'jsonb'),
];

/** Rows like extract's, with every repair and reject the coercers know, and a field the warehouse lacks. */
function rows(count: number): FlatRow[] {
  return Array.from({ length: count }, (_, i) => ({
    source_id: `id-${i}`,
    name: i % 7 === 0 ? 'far too long a name' : i % 17 === 0 ? 'nul\u0000' : `Zoë\t${i % 10}`,
    qty: i % 13 === 0 ? 'lots' : i % 19 === 0 ? 3_000_000_000 : i,
    price: i % 23 === 0 ? 12345.5 : (i % 100) + 0.25,
    placed_at: i % 11 === 0 ? INVALID_DATE_TEXT : i % 29 === 0 ? '2026-02-30T10:00:00.000Z' : '2026-01-02T03:04:05.000Z',
    active: i % 2 === 0,
    zipcode: i % 3 === 0 ? 'SW1A 1AA' : 10115 + i,
    data: [i, `item\\${i}`],
    unknown_field: 'dropped',
  }));
}

/** The rows as a COPY text part (one PartColumns) and as NDJSON, both encoded for `load`. */
function encodeBoth(input: FlatRow[], columns: readonly WarehouseColumn[] = load) {
  const part = new PartColumns(Object.keys(input[0]!));
  const copyLines = input.map((row) => part.line(row)!);
  const described = part.describe();
  const format = copyTextFormat(described, columns, planPart(described, columns), 'source_id');
  const encode = (text: string, viaCopy: boolean) => {
    const rejects: RejectedRecord[] = [];
    const encoder = viaCopy ? new PartEncoder(columns, 'source_id', (r) => rejects.push(r), format) : new PartEncoder(columns, 'source_id', (r) => rejects.push(r));
    const out = [encoder.write(Buffer.from(text)) ?? Buffer.alloc(0), encoder.end() ?? Buffer.alloc(0)];
    return { text: Buffer.concat(out).toString('utf8'), rows: encoder.rows, repairs: encoder.repairs, rejects };
  };
  return {
    copy: encode(copyLines.map((line) => line + '\n').join(''), true),
    ndjson: encode(input.map((row) => JSON.stringify(row) + '\n').join(''), false),
    format,
    described,
    copyLines,
  };
}

describe('COPY text parts, coerced', () => {
  test('the same staging text, repairs and rejects as the same rows from NDJSON', () => {
    const input = rows(600);
    const { copy, ndjson, described } = encodeBoth(input);
    assert.ok(!planPart(described, load).fast);
    assert.deepEqual(planPart(described, load).raw, [true, false, false, false, false, true, true, true]);
    // The one difference: a boolean column that fits keeps extract's true/false, which COPY reads as t/f.
    assert.equal(copy.text.replace(/\ttrue\t/g, '\tt\t').replace(/\tfalse\t/g, '\tf\t'), ndjson.text);
    assert.equal(copy.rows, ndjson.rows);
    assert.deepEqual(copy.repairs, ndjson.repairs);
    assert.ok(copy.repairs.invalidDate > 0 && copy.repairs.truncated > 0 && copy.repairs.invalidUtf8 > 0, 'every repair happened');
    assert.ok(copy.rejects.length > 0);
    const comparable = (rejects: RejectedRecord[]) => rejects.map(({ lineNumber, sourceId, reason }) => ({ lineNumber, sourceId, reason }));
    assert.deepEqual(comparable(copy.rejects), comparable(ndjson.rejects));
    // The record a person reads is the row extract wrote, as JSON.
    for (const reject of copy.rejects) assert.deepEqual(JSON.parse(reject.record), input[reject.lineNumber - 1]);
  });

  test('values for the careful path (INSERT parameters) match NDJSON\'s too', () => {
    const input = rows(60).filter((_, i) => i % 13 !== 0 && i % 19 !== 0 && i % 23 !== 0);
    const { format, copyLines } = encodeBoth(input);
    for (const [i, line] of copyLines.entries()) {
      // A boolean column that fits keeps extract's true/false (the database reads t/f).
      const viaCopy = format.encoder(noRepairs()).values(line).map((value) => (value === 'true' ? 't' : value === 'false' ? 'f' : value));
      const viaJson = [...rowEncoder(load, noRepairs()).values(JSON.stringify(input[i]))];
      assert.deepEqual(viaCopy, viaJson, `row ${i}`);
    }
    assert.equal(format.sourceId(copyLines[3]!), input[3]!.source_id);
  });

  test('a required column the part lacks rejects every record; a line with the wrong number of fields is rejected', () => {
    const required = [...load, column('region', 'text', { nullable: false })];
    const { copy, ndjson } = encodeBoth(rows(5).map((row) => ({ ...row, qty: 1, name: 'ok', price: 1 })), required);
    assert.equal(copy.rows, 0);
    assert.deepEqual(copy.rejects.map((r) => r.reason), ndjson.rejects.map((r) => r.reason));
    assert.match(copy.rejects[0]!.reason, /column region \(text\) requires a value/);

    const { format } = encodeBoth(rows(2));
    assert.throws(() => format.encoder(noRepairs()).copyLine('id-1\tonly two'), /the line has 2 fields where the part's column list has 9/);
  });

  test('a line decoded for a person: every field as extract wrote it', () => {
    const { described, copyLines } = encodeBoth(rows(3));
    assert.deepEqual(decodeCopyLine(copyLines[1]!, described), rows(3)[1]);
  });

  test('mixed kinds in one column: a string is read as a number, boolean or JSON only when spelled exactly as one', () => {
    assert.equal(flatValueOf('02134', ['integer', 'string']), '02134');
    assert.equal(flatValueOf('2134', ['integer', 'string']), 2134);
    assert.equal(flatValueOf('1e+21', ['integer', 'string']), 1e21);
    assert.equal(flatValueOf('true', ['boolean', 'string']), true);
    assert.equal(flatValueOf('true', ['string']), 'true');
    assert.deepEqual(flatValueOf('[1]', ['json', 'string']), [1]);
    assert.equal(flatValueOf('[not json', ['json', 'string']), '[not json');
    assert.equal(flatValueOf('12', ['string']), '12');
    assert.equal(flatValueOf('false', ['boolean']), false);
    assert.equal(flatValueOf('-0.5', ['number']), -0.5);
  });

  test('a part of one column: an empty line is a record (an empty string), not nothing', () => {
    const part = new PartColumns(['source_id']);
    const lines = [part.line({ source_id: '' }), part.line({ source_id: 'b' })];
    assert.deepEqual(lines, ['', 'b']);
    const columns = [column('source_id', 'text', { nullable: false }), column('qty', 'integer', { nullable: false })];
    const described = part.describe();
    const rejects: RejectedRecord[] = [];
    const encoder = new PartEncoder(columns, 'source_id', (r) => rejects.push(r), copyTextFormat(described, columns, planPart(described, columns), 'source_id'));
    encoder.write(Buffer.from(lines.map((line) => line + '\n').join('')));
    assert.equal(encoder.end(), null);
    assert.deepEqual(rejects.map((r) => [r.lineNumber, r.sourceId, r.record]), [[1, '', '{"source_id":""}'], [2, 'b', '{"source_id":"b"}']]);
  });
});
