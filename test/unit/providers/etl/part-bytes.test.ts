/**
 * PartBytesEncoder against the line-by-line encoding it stands in for (PartEncoder with the COPY
 * text format): for every input, the same staging text (in the part's field order), rows,
 * repairs and rejects, however the input is cut into chunks.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyTextFormat } from '../../../../src/providers/etl/copy-rows.ts';
import type { PartColumn, PartValueKind } from '../../../../src/providers/etl/manifest.ts';
import { PartBytesEncoder } from '../../../../src/providers/etl/part-bytes.ts';
import { planPart } from '../../../../src/providers/etl/part-fit.ts';
import { PartEncoder, type ChunkEncoder, type RejectedRecord } from '../../../../src/providers/etl/part-rows.ts';
import type { WarehouseColumn } from '../../../../src/providers/etl/repair.ts';
import { column } from '../../../support/warehouse-column.ts';

/** A part's column as the writer would note one that holds `kinds`; `misfit` makes it a column that does not fit. */
const partColumn = (name: string, kinds: PartValueKind[], extra: Partial<PartColumn> = {}): PartColumn => ({
  name, kinds, nulls: true, width: 10_000, dates: false, repair: false, ...extra,
});

const load = [
  column('source_id', 'text', { nullable: false }),
  column('name', 'character varying', { maxLength: 6 }),
  column('qty', 'integer'),
  column('placed_at', 'timestamp with time zone'),
  column('note', 'text', { nullable: false }),
  column('code', 'character varying', { maxLength: 3 }),
];
/** The part's fields in another order than the table's, with one the warehouse lacks. */
const described: PartColumn[] = [
  partColumn('source_id', ['string'], { nulls: false, width: 8 }),
  partColumn('placed_at', ['string']),
  partColumn('extra', ['string']),
  partColumn('name', ['string']),
  partColumn('qty', ['integer', 'string']),
  partColumn('note', ['string'], { repair: true }),
  partColumn('code', ['string', 'integer'], { width: 3, nulls: false }),
];

function encodeAll(encoder: ChunkEncoder, input: Buffer, size: number): string {
  const out: Buffer[] = [];
  for (let at = 0; at < input.length; at += size) {
    const chunk = encoder.write(input.subarray(at, at + size));
    if (chunk) out.push(Buffer.from(chunk));
  }
  const last = encoder.end();
  if (last) out.push(last);
  return Buffer.concat(out).toString('utf8');
}

/** Both encoders on `input`, cut into chunks of `size`; the line encoder's text put in the part's field order. */
function both(input: Buffer, size: number, partColumns: PartColumn[] = described, columns: WarehouseColumn[] = load) {
  const plan = planPart(partColumns, columns);
  const run = (make: (onReject: (r: RejectedRecord) => void) => ChunkEncoder) => {
    const rejects: RejectedRecord[] = [];
    const encoder = make((r) => rejects.push(r));
    const text = encodeAll(encoder, input, size);
    return { text, rows: encoder.rows, repairs: { ...encoder.repairs }, rejects };
  };
  const lines = run((onReject) => new PartEncoder(columns, 'source_id', onReject, copyTextFormat(partColumns, columns, plan, 'source_id')));
  const bytes = run((onReject) => new PartBytesEncoder(partColumns, columns, plan, 'source_id', onReject));
  const order = PartBytesEncoder.copyColumns(columns, plan).map((name) => columns.findIndex((c) => c.name === name));
  const reordered = lines.text.split('\n').slice(0, -1).map((line) => {
    const fields = line.split('\t');
    return order.map((i) => fields[i]).join('\t') + '\n';
  }).join('');
  return { lines: { ...lines, text: reordered }, bytes };
}

function assertSame(input: Buffer, partColumns?: PartColumn[], columns?: WarehouseColumn[]) {
  let result: ReturnType<typeof both> | undefined;
  for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
    result = both(input, size, partColumns, columns);
    assert.deepEqual(result.bytes, result.lines, `chunks of ${size}`);
  }
  return result!.bytes;
}

const line = (...fields: string[]) => fields.join('\t') + '\n';

describe('a COPY text part encoded on its bytes', () => {
  test('fields that fit are copied, the others coerced: the same text, repairs and rejects as line by line', () => {
    // A line that fits, then each value to try in each field, one field at a time (the others as in the line that fits).
    const fits = ['a', '2026-01-02T03:04:05.000Z', 'x', 'Zoë', '12', 'n', 'xyz'];
    const tries: Record<number, string[]> = {
      1: ['2026-02-30T03:04:05.000Z', '2024-02-29T23:59:59.999Z', ' 2026-01-02T03:04:05.000Z', '2026-01-02 03:04:05', '2026-01-02T03:04:05Z', '\\N', '\\\\N', ''],
      3: ['far too long', '🦊🦊🦊🦊🦊🦊', '🦊🦊🦊🦊🦊🦊🦊', 'Zoëëëë', 'Zoëëëëë', 'ok\uFFFD', 'nul\u0000', 'raw\rcr', 'cr\\r', 'tab\\tx', 'octal\\101', 'hex\\x41', 'bs\\', '\\N', '\\\\N', ''],
      4: ['-12', '0', '-0', '007', '+5', '2147483647', '2147483648', '-2147483648', '-2147483649', '123456789012345678', '1.5', '1e3', 'lots', '\\N', '\\\\N', ''],
      5: ['tab\\there, back\\\\slash, new\\nline', 'cr\\r', 'raw\rcr', 'nul\u0000', 'hex\\x41', '\\N', '\\\\N', ''],
      6: ['abcd', 'abc', '007', '\\N', '\\\\N', '', 'ab\\t'],
    };
    const lines: string[] = [line(...fits)];
    let n = 0;
    for (const [field, values] of Object.entries(tries)) {
      for (const value of values) {
        const fields = [`a${++n}`, ...fits.slice(1)];
        fields[Number(field)] = value;
        lines.push(line(...fields), line(`f${n}`, ...fits.slice(1)));
      }
    }
    const result = assertSame(Buffer.from(lines.join('')));
    assert.ok(result.rows > 0 && result.rejects.length > 0);
    assert.ok(result.repairs.invalidDate > 0 && result.repairs.truncated > 0 && result.repairs.invalidUtf8 > 0);
  });

  test('integers past the safe ones, in a bigint column of numbers', () => {
    const partColumns = [partColumn('source_id', ['string']), partColumn('big', ['integer'], { min: -1, max: 2 ** 60 })];
    const columns = [column('source_id', 'text', { nullable: false }), column('big', 'bigint')];
    const values = ['900719925474099', '-900719925474099', '9007199254740991', '9007199254740993', '18014398509481985', '1'];
    const result = assertSame(Buffer.from(values.map((value, i) => line(`g${i}`, value)).join('')), partColumns, columns);
    assert.equal(result.rows, values.length);
  });

  test('invalid UTF-8, in a field that fits and in one that is checked', () => {
    const good = Buffer.from(line('b0', '2026-01-02T03:04:05.000Z', 'x', 'ok', '1', 'fine', 'a'));
    const input = Buffer.concat([
      good,
      Buffer.from('b1\t2026-01-02T03:04:05.000Z\t\xff\xfe\tok\t1\tfine\ta\n', 'latin1'),
      Buffer.from('b2\t2026-01-02T03:04:05.000Z\tx\tok\t1\tbad \xe2\x82 end\ta\n', 'latin1'),
      Buffer.from('b3\t2026-01-02T03:04:05.000Z\tx\t\xc3\t1\tfine\ta\n', 'latin1'),
      good,
    ]);
    const result = assertSame(input);
    assert.equal(result.rows, 5);
    assert.ok(result.repairs.invalidUtf8 > 0);
  });

  test('empty lines, lines with too few or too many fields, and a last line without a newline', () => {
    const input = Buffer.from(
      '\n' + line('c1', '\\N', 'x', 'ok', '1', 'n', 'a') + '\n\n' + 'c2\tonly\tthree\n' + line('c3', '\\N', 'x', 'ok', '1', 'n', 'a', 'more') + 'c4\t\\N\tx\tok\t1\tn\ta',
    );
    const result = assertSame(input);
    assert.equal(result.rows, 2);
    assert.deepEqual(result.rejects.map((r) => [r.lineNumber, r.sourceId]), [[5, 'c2'], [6, 'c3']]);
    assert.match(result.rejects[0]!.reason, /the line has 3 fields where the part's column list has 7/);
  });

  test('a part of one column: an empty line is a record, also at the end of a chunk', () => {
    const partColumns = [partColumn('source_id', ['string'])];
    const columns = [column('source_id', 'character varying', { maxLength: 2, nullable: false })];
    const result = assertSame(Buffer.from('a\n\nabc\n\n\\N\nb\n\n'), partColumns, columns);
    assert.equal(result.text, 'a\n\nab\n\nb\n\n');
    assert.equal(result.rows, 6);
    assert.deepEqual(result.rejects.map((r) => r.lineNumber), [5]);
    assert.equal(result.repairs.truncated, 1);
  });

  test('a required column the part lacks rejects every record', () => {
    const columns = [...load, column('region', 'text', { nullable: false })];
    const result = assertSame(Buffer.from(line('d1', '\\N', 'x', 'ok', '1', 'n', 'a').repeat(3)), described, columns);
    assert.equal(result.rows, 0);
    assert.equal(result.rejects.length, 3);
    assert.match(result.rejects[0]!.reason, /column region \(text\) requires a value/);
  });

  test('COPY gets the part\'s loaded fields in the part\'s order, and lines that fit are the input\'s bytes', () => {
    const plan = planPart(described, load);
    assert.deepEqual(PartBytesEncoder.copyColumns(load, plan), ['source_id', 'placed_at', 'name', 'qty', 'note', 'code']);
    const identity = described.filter((c) => c.name !== 'extra');
    const text = line('e1', '2026-01-02T03:04:05.000Z', 'Zoëëëë', '12', 'a\\tb', 'xyz') + line('e2', '\\N', 'ok', '-3', '\\\\', '7');
    const { bytes } = both(Buffer.from(text), 1 << 20, identity);
    assert.equal(bytes.text, text);
    const encoder = new PartBytesEncoder(identity, load, planPart(identity, load), 'source_id', () => assert.fail('no reject'));
    const input = Buffer.from(text);
    const output = encoder.write(input)!;
    assert.equal(output.buffer, input.buffer, 'a chunk of lines that all fit is handed on without a copy');
  });
});
