import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PartEncoder, PartRowsTransform, rowEncoder, type RejectedRecord } from '../../../../src/providers/etl/part-rows.ts';
import { noRepairs, type WarehouseColumn } from '../../../../src/providers/etl/repair.ts';

const column = (name: string, dataType: string, extra: Partial<WarehouseColumn> = {}): WarehouseColumn => ({
  name, dataType, maxLength: null, numericPrecision: null, numericScale: null, nullable: true, ...extra,
});

const columns = [
  column('source_id', 'text', { nullable: false }),
  column('name', 'character varying', { maxLength: 8 }),
  column('qty', 'integer'),
  column('ordered_at', 'timestamp with time zone'),
];

/** NDJSON of `count` records: every 7th has an over-long name, every 11th an impossible date, every 13th letters for qty. */
function ndjson(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(JSON.stringify({
      source_id: `id-${i}`,
      name: i % 7 === 0 ? `Zoë-${'x'.repeat(20)}` : `Zoë ${i % 100}`,
      qty: i % 13 === 0 ? 'lots' : i,
      ordered_at: i % 11 === 0 ? '2024-02-30T00:00:00Z' : '2024-01-02T03:04:05.000Z',
      tab: 'a\tb',
    }));
  }
  return lines.join('\n') + '\n';
}

/** The bytes in chunks of `size`, so that lines and multi-byte characters are split between chunks. */
function chunked(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

async function encode(input: Buffer, chunkSize: number) {
  const rejects: RejectedRecord[] = [];
  const rows = new PartRowsTransform(new PartEncoder(columns, 'source_id', (reject) => rejects.push(reject)));
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunked(input, chunkSize)), rows, new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      out.push(Buffer.from(chunk));
      callback();
    },
  }));
  return { text: Buffer.concat(out).toString('utf8'), rows: rows.rows, repairs: rows.repairs, rejects };
}

describe('encoding a part', () => {
  test('a record as values (for INSERT) and as a COPY line agree; only text is escaped', () => {
    const repairs = noRepairs();
    const encoder = rowEncoder(columns, repairs);
    const line = JSON.stringify({ source_id: 'a\\b', name: 'tab\there', qty: '-12', ordered_at: ' 2024-02-29 10:00:00+01:00 ' });
    assert.deepEqual(encoder.values(line), ['a\\b', 'tab\there', '-12', '2024-02-29 10:00:00+01:00']);
    assert.equal(encoder.copyLine(line), 'a\\\\b\ttab\\there\t-12\t2024-02-29 10:00:00+01:00\n');
    assert.equal(encoder.copyLine('{"source_id":"b"}'), 'b\t\\N\t\\N\t\\N\n');
    assert.deepEqual(repairs, noRepairs());
    // A record rejected after a repair (the name is cut, then qty fails) leaves no repair counted.
    assert.throws(() => encoder.copyLine(JSON.stringify({ source_id: 'c', name: 'x'.repeat(20), qty: 'many' })), /qty/);
    encoder.copyLine('{"source_id":"d","ordered_at":"2023-02-29T00:00:00Z"}');
    assert.deepEqual(repairs, { invalidDate: 1, truncated: 0, invalidUtf8: 0 });
  });

  test('PartEncoder: COPY text, repairs counted, rejects with line number and source id', () => {
    const rejects: RejectedRecord[] = [];
    const encoder = new PartEncoder(columns, 'source_id', (reject) => rejects.push(reject));
    const bytes = Buffer.from(ndjson(14).trimEnd()); // the last line has no newline
    const out: Buffer[] = [];
    for (const chunk of chunked(bytes, 5)) out.push(encoder.write(chunk) ?? Buffer.alloc(0));
    out.push(encoder.end() ?? Buffer.alloc(0));
    const lines = Buffer.concat(out).toString('utf8').split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(encoder.rows, 12);
    assert.equal(lines.length, 12);
    assert.deepEqual(lines[0]!.split('\t'), ['id-1', 'Zoë 1', '1', '2024-01-02T03:04:05.000Z']);
    assert.deepEqual(encoder.repairs, { invalidDate: 1, truncated: 1, invalidUtf8: 0 });
    assert.deepEqual(rejects.map((r) => [r.lineNumber, r.sourceId]), [[1, 'id-0'], [14, 'id-13']]);
    assert.match(rejects[0]!.reason, /qty/);
  });

  test('the same COPY text, counts and rejects however the part is cut into chunks', async () => {
    const input = Buffer.from(ndjson(5_000));
    const expected = await encode(input, input.length);
    assert.equal(expected.rows + expected.rejects.length, 5_000);
    // Every 11th date and 7th name is repaired, but a rejected record's (every 13th) repairs do not count.
    assert.deepEqual(expected.repairs, { invalidDate: 455 - 35, truncated: 715 - 55, invalidUtf8: 0 });
    // 1 and 3 bytes cut every "ë" (2 bytes) and most lines; 64 KiB is gunzip's chunk.
    for (const size of [1, 3, 1000, 64 * 1024]) {
      const actual = await encode(input, size);
      assert.equal(actual.text, expected.text, `chunks of ${size} bytes`);
      assert.equal(actual.rows, expected.rows);
      assert.deepEqual(actual.repairs, expected.repairs);
      assert.deepEqual(actual.rejects, expected.rejects);
    }
  });

  test('a line longer than many chunks, escapes, and text that is not valid UTF-8', async () => {
    const long = JSON.stringify({ source_id: 'long', name: 'é'.repeat(100_000), qty: 1, tab: 'x' });
    const input = Buffer.concat([
      Buffer.from(`${long}\n`),
      Buffer.from('{"source_id":"bad","name":"a'), Buffer.from([0xc3, 0x28]), Buffer.from('b","qty":2}\n'),
      Buffer.from('{"source_id":"tab","name":"a\\tb\\\\c","qty":3}'),
    ]);
    const { text, rows, repairs } = await encode(input, 4096);
    assert.equal(rows, 3);
    assert.deepEqual(text.split('\n'), [
      'long\téééééééé\t1\t\\N',
      'bad\ta\uFFFD(b\t2\t\\N',
      'tab\ta\\tb\\\\c\t3\t\\N',
      '',
    ]);
    assert.deepEqual(repairs, { invalidDate: 0, truncated: 1, invalidUtf8: 1 });
  });
});
