import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compactCount, mappedSummary, splitBarBackground } from '../../../../ui/src/lib/mapped-cell.ts';

describe('mapped cells', () => {
  it("sums up the grid API's counts by state, most pressing first", () => {
    assert.deepEqual(mappedSummary({ count: 10, states: { success: 7, failed: 1, running: 2 } }), {
      state: 'failed',
      counts: [
        ['failed', 1],
        ['running', 2],
        ['success', 7],
      ],
      total: 10,
    });
    assert.equal(mappedSummary({ count: 0, states: {} }), null);
  });

  it("draws each state's share in its colour, side by side, to 100%", () => {
    assert.equal(
      splitBarBackground(mappedSummary({ count: 4, states: { success: 3, failed: 1 } })!),
      'linear-gradient(to right, var(--st-failed, transparent) 0% 25%, var(--st-success, transparent) 25% 100%)',
    );
    assert.equal(splitBarBackground(mappedSummary({ count: 2, states: { success: 2 } })!), 'linear-gradient(to right, var(--st-success, transparent) 0% 100%)');
  });

  it('keeps one instance in 10,000 visible: at least 1% wide', () => {
    const bar = splitBarBackground(mappedSummary({ count: 10_000, states: { success: 9_999, failed: 1 } })!);
    const failed = /var\(--st-failed, transparent\) 0% ([\d.]+)%/.exec(bar);
    assert.ok(failed && Number(failed[1]) >= 0.99, bar);
    assert.match(bar, / 100%\)$/);
  });

  it('writes counts in four characters at most', () => {
    assert.deepEqual([7, 999, 1000, 1234, 9999, 10_000, 120_500, 1_500_000].map(compactCount), ['7', '999', '1k', '1.2k', '9.9k', '10k', '120k', '1.5M']);
  });
});
