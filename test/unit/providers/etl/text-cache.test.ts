import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8 } from '../../../../src/providers/etl/bson-bytes.ts';
import { TextCache } from '../../../../src/providers/etl/text-cache.ts';

/** Every value once as bytes in one buffer, and where each is. */
function packed(values: (string | Buffer)[]) {
  const parts = values.map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)));
  const bytes = Buffer.concat(parts);
  let at = 0;
  return { bytes, spans: parts.map((p) => [at, (at += p.length)] as const) };
}

describe('TextCache', () => {
  test('gives what utf8 decodes, for repeated, colliding, non-ASCII, long and invalid values', () => {
    // "Aa" and "BB" have one hash (31 * 65 + 97 = 31 * 66 + 66).
    const values = ['paid', 'Aa', 'BB', 'Aa', 'BB', 'paid', 'Zoë', 'Zoë', 'x'.repeat(40), '', Buffer.from([0x61, 0xff]), Buffer.from([0x61, 0xff]), 'paid'];
    const { bytes, spans } = packed(values);
    const cache = new TextCache();
    for (let round = 0; round < 3; round++) {
      for (const [start, end] of spans) assert.equal(cache.text(bytes, start, end), utf8(bytes, start, end));
    }
  });

  test('a column of distinct values stops caching and still decodes every one', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => `name ${i}`);
    const { bytes, spans } = packed([...values, ...values]);
    const cache = new TextCache();
    spans.forEach(([start, end], i) => assert.equal(cache.text(bytes, start, end), values[i % values.length]));
  });
});
