import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../../src/core/durations.ts';

describe('parseDuration', () => {
  const cases: [unknown, number][] = [
    [0, 0],
    [1500, 1500],
    ['250ms', 250],
    ['10s', 10_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['  30s ', 30_000],
    ['0s', 0],
    ['1h 30m', 5_400_000],
    ['1h30m', 5_400_000],
    ['5 m', 300_000],
  ];
  for (const [input, ms] of cases) {
    it(`reads ${JSON.stringify(input)} as ${ms}ms`, () => assert.equal(parseDuration(input, 'x'), ms));
  }

  it('names where the bad value is and shows the accepted forms', () => {
    assert.throws(
      () => parseDuration('5 minutes', 'retryDelay of task "load"'),
      (e: Error) =>
        e.message ===
        `retryDelay of task "load": "5 minutes" is not a duration; use a number of milliseconds or a string like '250ms', '10s', '5m', '2h', '1d'`,
    );
  });

  for (const bad of ['', 'soon', '5 minutes', '10S', '1w', '5m garbage', '1..5s', true, null, undefined, {}, [], NaN, Infinity]) {
    it(`rejects ${typeof bad === 'string' ? JSON.stringify(bad) : String(bad)}`, () => {
      assert.throws(() => parseDuration(bad, 'opt'), /^Error: opt: .* is not a duration; use a number of milliseconds or a string like '250ms'/);
    });
  }

  it('rejects a negative duration, saying so', () => {
    assert.throws(() => parseDuration(-1, 'opt'), /opt: -1 is negative; a duration must be 0 or more/);
    assert.throws(() => parseDuration('-5s', 'opt'), /opt: "-5s" is negative/);
  });

  it('asks for a unit when a string has none', () => {
    assert.throws(() => parseDuration('500', 'opt'), /opt: "500" has no unit; write '500ms' or '500s', or pass the number 500 for milliseconds/);
  });

  it('rounds to whole milliseconds', () => {
    assert.equal(parseDuration(1.4, 'x'), 1);
    assert.equal(parseDuration('1.5ms', 'x'), 2);
  });
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0ms'],
    [850, '850ms'],
    [999.4, '999ms'],
    [999.6, '1s'],
    [1_000, '1s'],
    [12_345, '12.3s'],
    [59_960, '1m 00s'],
    [245_000, '4m 05s'],
    [3_599_600, '1h 00m'],
    [2 * 3_600_000 + 3 * 60_000, '2h 03m'],
    [3 * 86_400_000 + 4 * 3_600_000, '3d 4h'],
    [-1_500, '-1.5s'],
    [NaN, 'n/a'],
  ];
  for (const [ms, text] of cases) {
    it(`shows ${ms}ms as ${text}`, () => assert.equal(formatDuration(ms), text));
  }
});
