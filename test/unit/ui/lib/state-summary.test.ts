import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeCounts, summarizeCounts, summarizeStates } from '../../../../ui/src/lib/state-summary.ts';

describe('summarizeStates', () => {
  it('shows the state that most needs a look, with every count, that state first', () => {
    assert.deepEqual(summarizeStates(['success', 'failed', 'success', 'running']), {
      state: 'failed',
      counts: [
        ['failed', 1],
        ['running', 1],
        ['success', 2],
      ],
      total: 4,
    });
    assert.equal(summarizeStates(['success', 'upstream_failed', 'up_for_retry'])?.state, 'upstream_failed');
    assert.equal(summarizeStates(['success', 'queued', 'scheduled'])?.state, 'queued');
  });

  it('calls a group unfinished while a task is not reached, and successful beside skips', () => {
    assert.equal(summarizeStates(['success', 'none'])?.state, 'none');
    assert.equal(summarizeStates(['success', 'skipped', 'success'])?.state, 'success');
    assert.equal(summarizeStates(['skipped', 'skipped'])?.state, 'skipped');
  });

  it('puts a state it does not know before "no status", after the work under way', () => {
    assert.equal(summarizeStates(['none', 'deferred', 'success'])?.state, 'deferred');
    assert.equal(summarizeStates(['deferred', 'scheduled'])?.state, 'scheduled');
  });

  it('has nothing to say about no task instances', () => {
    assert.equal(summarizeStates([]), null);
  });

  it('describes the counts in words', () => {
    const summary = summarizeStates(['success', 'up_for_retry', 'success'])!;
    assert.equal(describeCounts(summary, (state) => state.replaceAll('_', ' ')), '1 up for retry, 2 success');
  });
});

describe('summarizeCounts', () => {
  it('sums up counts already made (a mapped cell\'s) as summarizeStates does the states, leaving out zeros', () => {
    assert.deepEqual(summarizeCounts(Object.entries({ success: 9_998, failed: 1, none: 0, running: 1 })), {
      state: 'failed',
      counts: [
        ['failed', 1],
        ['running', 1],
        ['success', 9_998],
      ],
      total: 10_000,
    });
    assert.deepEqual(summarizeCounts([['success', 2], ['failed', 1]]), summarizeStates(['success', 'failed', 'success']));
    assert.equal(summarizeCounts([['success', 0]]), null);
  });
});
