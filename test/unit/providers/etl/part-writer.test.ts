import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { PutObjectCommand } from '@aws-sdk/client-s3';
import type { FlatRow } from '../../../../src/providers/etl/flatten.ts';
import { PartWriter } from '../../../../src/providers/etl/part-writer.ts';
import type { ObjectStore } from '../../../../src/providers/s3/objects.ts';

/** A store that keeps what is PUT, by key. */
function memoryStore() {
  const objects = new Map<string, Buffer>();
  const store = {
    bucket: 'test',
    client: {
      send: async (command: PutObjectCommand) => {
        objects.set(command.input.Key!, Buffer.from(command.input.Body as Buffer));
        return {};
      },
    },
  } as unknown as ObjectStore;
  return { store, objects };
}

async function writeAll(rows: FlatRow[], rowsPerPart: number) {
  const { store, objects } = memoryStore();
  const writer = new PartWriter(store, (n) => `t/part-${String(n).padStart(5, '0')}`, rowsPerPart);
  for (const row of rows) await writer.write(row);
  const parts = await writer.finish();
  return { parts, objects, rows: writer.rows, text: (key: string) => gunzipSync(objects.get(key)!).toString('utf8') };
}

describe('PartWriter', () => {
  test('COPY text parts with their column lists, sizes and checksums', async () => {
    const rows = Array.from({ length: 5 }, (_, i): FlatRow => ({ source_id: `id-${i}`, qty: i, note: i === 2 ? 'tab\there' : null }));
    const { parts, objects, rows: count, text } = await writeAll(rows, 2);
    assert.equal(count, 5);
    assert.deepEqual(parts.map((p) => [p.key, p.rows]), [['t/part-00001', 2], ['t/part-00002', 2], ['t/part-00003', 1]]);
    for (const part of parts) {
      const body = objects.get(part.key)!;
      assert.equal(part.bytes, body.length);
      assert.equal(part.sha256, createHash('sha256').update(body).digest('hex'));
      assert.deepEqual(part.columns!.map((c) => c.name), ['source_id', 'qty', 'note']);
    }
    assert.equal(text('t/part-00002'), 'id-2\t2\ttab\\there\nid-3\t3\t\\N\n');
    assert.deepEqual(parts[1]!.columns!.find((c) => c.name === 'qty'), { name: 'qty', kinds: ['integer'], nulls: false, width: 1, min: 2, max: 3, dates: false, repair: false });
  });

  test('a row with a new field closes the part; the next part has every column seen so far', async () => {
    const rows: FlatRow[] = [{ a: 1 }, { a: 2 }, { a: 3, b: 'x' }, { a: 4 }, { c: true, a: 5 }, { a: 6, b: 'y', c: false }];
    const { parts, text } = await writeAll(rows, 100);
    assert.deepEqual(parts.map((p) => [p.rows, p.columns!.map((c) => c.name)]), [[2, ['a']], [2, ['a', 'b']], [2, ['a', 'b', 'c']]]);
    assert.equal(text('t/part-00001'), '1\n2\n');
    assert.equal(text('t/part-00002'), '3\tx\n4\t\\N\n');
    assert.equal(text('t/part-00003'), '5\t\\N\ttrue\n6\ty\tfalse\n');
  });

  test('a row longer than the encoder\'s chunk, and many rows, arrive whole', async () => {
    const long = 'é'.repeat(100_000);
    const rows: FlatRow[] = [{ id: 'long', v: long }, ...Array.from({ length: 3000 }, (_, i): FlatRow => ({ id: `r${i}`, v: `value ${i}` }))];
    const { parts, text } = await writeAll(rows, 10_000);
    assert.equal(parts.length, 1);
    const lines = text(parts[0]!.key).split('\n');
    assert.equal(lines[0], `long\t${long}`);
    assert.equal(lines[3000], 'r2999\tvalue 2999');
    assert.equal(lines.length, 3002);
  });
});
