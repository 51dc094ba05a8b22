import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTickDuration, linearScale, liveEnd, ticks, tickStep } from '../../../../ui/src/lib/time-scale.ts';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

describe('linearScale', () => {
  it('maps the domain onto the range, and beyond it linearly', () => {
    const x = linearScale([1000, 2000], [0, 500]);
    assert.equal(x(1000), 0);
    assert.equal(x(1500), 250);
    assert.equal(x(2000), 500);
    assert.equal(x(3000), 1000);
    assert.deepEqual([x.domain, x.range], [[1000, 2000], [0, 500]]);
  });

  it('maps a domain of no width to the start of the range, not NaN', () => {
    const x = linearScale([5, 5], [10, 90]);
    assert.equal(x(5), 10);
    assert.equal(x(7), 10);
  });
});

describe('ticks', () => {
  it('picks the smallest round step that keeps to the most ticks asked for', () => {
    assert.equal(tickStep(10 * S, 10), S);
    assert.equal(tickStep(10 * S, 4), 5 * S);
    assert.equal(tickStep(7 * MIN, 6), 2 * MIN);
    assert.equal(tickStep(20 * H, 8), 3 * H);
    assert.equal(tickStep(800, 4), 200);
  });

  it('puts ticks on multiples of the step inside the domain', () => {
    assert.deepEqual(ticks([0, 10 * S], 5), { step: 2 * S, values: [0, 2 * S, 4 * S, 6 * S, 8 * S, 10 * S] });
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 7);
    const { step, values } = ticks([t0, t0 + 50 * S], 5);
    assert.equal(step, 10 * S);
    assert.deepEqual(values.map((v) => new Date(v).toISOString().slice(11, 19)), ['12:00:10', '12:00:20', '12:00:30', '12:00:40', '12:00:50']);
  });

  it('gives the one value of an empty domain', () => {
    assert.deepEqual(ticks([42, 42], 5).values, [42]);
  });
});

describe('liveEnd', () => {
  it('runs a quarter or more past now, and stays put while now catches up', () => {
    const start = 1_000_000;
    const ends = [10, 10.5, 11, 11.9].map((s) => liveEnd(start, start + s * S));
    assert.deepEqual(new Set(ends), new Set([start + 15 * S]), 'one axis end from 10 s to 11.9 s');
    for (const elapsed of [0, 1, 7, 59, 61, 3599, 4 * 3600]) {
      const end = liveEnd(start, start + elapsed * S);
      assert.ok(end >= start + elapsed * S * 1.25, `past now at ${elapsed} s`);
      assert.ok(end <= start + Math.max(1, elapsed) * S * 3, `not far past now at ${elapsed} s`);
    }
    assert.equal(liveEnd(start, start + 12 * S), start + 15 * S);
    assert.equal(liveEnd(start, start + 12.1 * S), start + 30 * S, 'the next round span once 12 s has gone');
  });
});

describe('formatTickDuration', () => {
  it('reads at the precision of its step', () => {
    assert.equal(formatTickDuration(0, S), '0');
    assert.equal(formatTickDuration(400, 200), '400ms');
    assert.equal(formatTickDuration(30 * S, 10 * S), '30s');
    assert.equal(formatTickDuration(90 * S, 30 * S), '1m 30s');
    assert.equal(formatTickDuration(5 * MIN, 5 * MIN), '5m');
    assert.equal(formatTickDuration(90 * MIN, 30 * MIN), '1h 30m');
    assert.equal(formatTickDuration(6 * H, 2 * H), '6h');
    assert.equal(formatTickDuration(30 * H, 6 * H), '1d 6h');
  });
});
