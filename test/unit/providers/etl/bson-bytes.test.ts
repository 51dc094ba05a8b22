import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Long, serialize } from 'bson';
import { dateAt, int64, isoText } from '../../../../src/providers/etl/bson-bytes.ts';
import { dateText } from '../../../../src/providers/etl/flat-values.ts';

describe('bson-bytes', () => {
  test('isoText writes what toISOString writes, and "invalid date" where Date has none', () => {
    const edges = [0, -0, 1, -1, -86_400_000, 951_782_400_000, 951_868_800_000, 4_107_542_400_000, -62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000, 8.64e15, 8.64e15 + 1, -8.64e15, -8.64e15 - 1];
    let seed = 1;
    const random = Array.from({ length: 20_000 }, () => ((seed = (seed * 48271) % 2147483647) / 2147483647 - 0.5) * 5.2e14);
    for (const ms of [...edges, ...random.map(Math.floor)]) assert.equal(isoText(ms), dateText(new Date(ms)), String(ms));
  });

  test('dateAt reads a BSON date, the same one twice and then another', () => {
    const bytes = Buffer.from(serialize({ a: new Date('2026-11-01T10:00:00.123Z'), b: new Date('2026-11-01T10:00:00.123Z'), c: new Date(-1) }));
    // Each value follows its type byte and a 2-byte name ("a\0").
    assert.deepEqual([dateAt(bytes, 7), dateAt(bytes, 18), dateAt(bytes, 29)], ['2026-11-01T10:00:00.123Z', '2026-11-01T10:00:00.123Z', '1969-12-31T23:59:59.999Z']);
  });

  test('int64 is a number within ±2^53 (as the driver promotes it), else its decimal digits', () => {
    const cases: [string, number | string][] = [
      ['0', 0], ['-1', -1], ['9007199254740991', 9007199254740991], ['9007199254740992', 9007199254740992], ['-9007199254740992', -9007199254740992],
      ['9007199254740993', '9007199254740993'], ['-9007199254740993', '-9007199254740993'], ['9223372036854775807', '9223372036854775807'], ['-9223372036854775808', '-9223372036854775808'],
    ];
    for (const [text, expected] of cases) {
      const bytes = Buffer.from(serialize({ v: Long.fromString(text) }));
      assert.equal(int64(bytes, 7), expected, text);
    }
  });
});
