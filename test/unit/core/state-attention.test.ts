import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ATTENTION_ORDER, attentionRank, byAttention, mostPressingState } from '../../../src/core/state-attention.ts';
import { TASK_STATES } from '../../../src/core/states.ts';

describe('state attention', () => {
  it('places every task state, each once: a new state must be given its rank here', () => {
    assert.deepEqual([...ATTENTION_ORDER].sort(), [...TASK_STATES].sort());
  });

  it('puts failures first, work under way before work not reached, success before all-skipped', () => {
    assert.equal(mostPressingState(['success', 'running', 'failed']), 'failed');
    assert.equal(mostPressingState(['success', 'up_for_retry', 'upstream_failed']), 'upstream_failed');
    assert.equal(mostPressingState(['none', 'queued', 'success']), 'queued');
    assert.equal(mostPressingState(['success', 'none']), 'none');
    assert.equal(mostPressingState(['skipped', 'success', 'skipped']), 'success');
    assert.equal(mostPressingState(['skipped']), 'skipped');
    assert.equal(mostPressingState([]), undefined);
  });

  it('ranks a state it does not know as unfinished work: after the work under way, before "none"', () => {
    assert.ok(attentionRank('deferred') > attentionRank('scheduled'));
    assert.ok(attentionRank('deferred') < attentionRank('none'));
    assert.equal(mostPressingState(['none', 'deferred', 'success']), 'deferred');
  });

  it('sorts by rank, then by name, so the order does not depend on the input order', () => {
    assert.deepEqual(['success', 'b_new', 'failed', 'a_new', 'none'].sort(byAttention), ['failed', 'a_new', 'b_new', 'none', 'success']);
  });
});
