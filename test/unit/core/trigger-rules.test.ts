import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  RULES_RUN_WHEN_ALL_SUCCEEDED,
  TRIGGER_RULES,
  countUpstreamStates,
  evaluateTriggerRule,
  type TriggerDecision,
  type TriggerRule,
  type UpstreamCounts,
} from '../../../src/core/trigger-rules.ts';
import type { TaskState } from '../../../src/core/states.ts';

type Outcome = 'unfinished' | 'success' | 'failed' | 'upstream_failed' | 'skipped';
type Final = Exclude<Outcome, 'unfinished'>;
const OUTCOMES: readonly Outcome[] = ['unfinished', 'success', 'failed', 'upstream_failed', 'skipped'];
const FINALS: readonly Final[] = ['success', 'failed', 'upstream_failed', 'skipped'];

/**
 * The reference, written as a table of what each rule decides once every upstream has finished
 * (first matching row wins; `n` is the number of upstreams with that outcome).
 */
type Row = [(n: Record<Final, number>, total: number) => boolean, Exclude<TriggerDecision, 'wait'>];
const FINAL_TABLE: Record<TriggerRule, Row[]> = {
  all_success: [[(n) => n.failed + n.upstream_failed > 0, 'upstream_failed'], [(n) => n.skipped > 0, 'skip'], [() => true, 'run']],
  all_failed: [[(n, t) => n.failed + n.upstream_failed === t, 'run'], [() => true, 'skip']],
  all_done: [[() => true, 'run']],
  all_skipped: [[(n, t) => n.skipped === t, 'run'], [() => true, 'skip']],
  one_success: [[(n) => n.success > 0, 'run'], [(n, t) => n.skipped === t, 'skip'], [() => true, 'upstream_failed']],
  one_failed: [[(n) => n.failed + n.upstream_failed > 0, 'run'], [() => true, 'skip']],
  one_done: [[(n) => n.success + n.failed > 0, 'run'], [() => true, 'skip']],
  none_failed: [[(n) => n.failed + n.upstream_failed > 0, 'upstream_failed'], [() => true, 'run']],
  none_failed_min_one_success: [[(n) => n.failed + n.upstream_failed > 0, 'upstream_failed'], [(n) => n.success > 0, 'run'], [() => true, 'skip']],
  none_skipped: [[(n) => n.skipped > 0, 'skip'], [() => true, 'run']],
  always: [[() => true, 'run']],
};

function finalDecision(rule: TriggerRule, outcomes: readonly Final[]): TriggerDecision {
  const n: Record<Final, number> = { success: 0, failed: 0, upstream_failed: 0, skipped: 0 };
  for (const o of outcomes) n[o]++;
  for (const [when, decision] of FINAL_TABLE[rule]) if (when(n, outcomes.length)) return decision;
  throw new Error('table has no fallback row');
}

function* completions(outcomes: readonly Outcome[]): Generator<Final[]> {
  const i = outcomes.indexOf('unfinished');
  if (i === -1) {
    yield outcomes as Final[];
    return;
  }
  for (const f of FINALS) yield* completions(outcomes.map((o, j) => (j === i ? f : o)));
}

/**
 * Before every upstream is done, a rule decides early exactly when all the ways the unfinished
 * upstreams could end give the same answer, with two exceptions Airflow makes: all_done always
 * waits (it is about being done), and all_success skips on the first skipped upstream; 'always'
 * never waits.
 */
function reference(rule: TriggerRule, outcomes: readonly Outcome[]): TriggerDecision {
  if (outcomes.length === 0 || rule === 'always') return 'run';
  const pending = outcomes.includes('unfinished');
  if (!pending) return finalDecision(rule, outcomes as Final[]);
  if (rule === 'all_done') return 'wait';
  const possible = new Set([...completions(outcomes)].map((c) => finalDecision(rule, c)));
  if (possible.size === 1) return [...possible][0] as TriggerDecision;
  if (rule === 'all_success' && outcomes.includes('skipped') && !outcomes.includes('failed') && !outcomes.includes('upstream_failed')) return 'skip';
  return 'wait';
}

function counts(outcomes: readonly Outcome[]): UpstreamCounts {
  return {
    total: outcomes.length,
    success: outcomes.filter((o) => o === 'success').length,
    failed: outcomes.filter((o) => o === 'failed').length,
    upstreamFailed: outcomes.filter((o) => o === 'upstream_failed').length,
    skipped: outcomes.filter((o) => o === 'skipped').length,
  };
}

function* combinations(size: number): Generator<Outcome[]> {
  if (size === 0) {
    yield [];
    return;
  }
  for (const rest of combinations(size - 1)) for (const o of OUTCOMES) yield [...rest, o];
}

describe('evaluateTriggerRule', () => {
  for (const rule of TRIGGER_RULES) {
    it(`${rule}: matches the reference for every combination of 1, 2 and 3 upstreams`, () => {
      let checked = 0;
      for (const size of [1, 2, 3]) {
        for (const outcomes of combinations(size)) {
          assert.equal(evaluateTriggerRule(rule, counts(outcomes)), reference(rule, outcomes), `${rule} with upstreams [${outcomes.join(', ')}]`);
          checked++;
        }
      }
      assert.equal(checked, 5 + 25 + 125);
    });

    it(`${rule}: a task without upstreams runs`, () => {
      assert.equal(evaluateTriggerRule(rule, { total: 0, success: 0, failed: 0, upstreamFailed: 0, skipped: 0 }), 'run');
    });
  }

  it('RULES_RUN_WHEN_ALL_SUCCEEDED (applied in SQL by the completion) are exactly the rules that run once every upstream succeeded, at any count', () => {
    assert.ok(RULES_RUN_WHEN_ALL_SUCCEEDED.includes('all_success'));
    for (let total = 1; total <= 64; total++) {
      for (const rule of TRIGGER_RULES) {
        const verdict = evaluateTriggerRule(rule, { total, success: total, failed: 0, upstreamFailed: 0, skipped: 0 });
        assert.equal(verdict === 'run', RULES_RUN_WHEN_ALL_SUCCEEDED.includes(rule), `${rule} with ${total} upstreams, all succeeded: ${verdict}`);
      }
    }
  });

  it('knows all 11 rules of the contract', () => {
    assert.deepEqual([...TRIGGER_RULES].sort(), [
      'all_done',
      'all_failed',
      'all_skipped',
      'all_success',
      'always',
      'none_failed',
      'none_failed_min_one_success',
      'none_skipped',
      'one_done',
      'one_failed',
      'one_success',
    ]);
  });
});

describe('skip propagation', () => {
  const c = (s: Partial<UpstreamCounts> & { total: number }): UpstreamCounts => ({ success: 0, failed: 0, upstreamFailed: 0, skipped: 0, ...s });

  it('a skipped task skips its all_success downstream (and so on down a chain)', () => {
    assert.equal(evaluateTriggerRule('all_success', c({ total: 1, skipped: 1 })), 'skip');
  });

  it('all_success skips as soon as one upstream skipped, without waiting for the others', () => {
    assert.equal(evaluateTriggerRule('all_success', c({ total: 3, skipped: 1 })), 'skip');
  });

  it('a failure wins over a skip under all_success', () => {
    assert.equal(evaluateTriggerRule('all_success', c({ total: 2, skipped: 1, failed: 1 })), 'upstream_failed');
  });

  it('a join after a branch: none_failed_min_one_success runs when the taken branch succeeded and the other skipped', () => {
    assert.equal(evaluateTriggerRule('none_failed_min_one_success', c({ total: 2, success: 1, skipped: 1 })), 'run');
    assert.equal(evaluateTriggerRule('none_failed_min_one_success', c({ total: 2, skipped: 2 })), 'skip');
    assert.equal(evaluateTriggerRule('none_failed_min_one_success', c({ total: 2, success: 1 })), 'wait');
  });

  it('none_failed runs after skipped upstreams (the skip stops there)', () => {
    assert.equal(evaluateTriggerRule('none_failed', c({ total: 2, skipped: 2 })), 'run');
  });

  it('one_success with every upstream skipped is skipped, not upstream_failed', () => {
    assert.equal(evaluateTriggerRule('one_success', c({ total: 2, skipped: 2 })), 'skip');
    assert.equal(evaluateTriggerRule('one_success', c({ total: 2, skipped: 1, failed: 1 })), 'upstream_failed');
  });

  it('all_done and always run after skipped upstreams', () => {
    assert.equal(evaluateTriggerRule('all_done', c({ total: 2, skipped: 2 })), 'run');
    assert.equal(evaluateTriggerRule('always', c({ total: 2, skipped: 2 })), 'run');
  });

  it('upstream_failed propagates like a failure', () => {
    assert.equal(evaluateTriggerRule('all_success', c({ total: 1, upstreamFailed: 1 })), 'upstream_failed');
    assert.equal(evaluateTriggerRule('one_failed', c({ total: 2, upstreamFailed: 1 })), 'run');
  });
});

describe('countUpstreamStates', () => {
  it('counts finished states and ignores the unfinished ones except in total', () => {
    const states: TaskState[] = ['success', 'failed', 'upstream_failed', 'skipped', 'running', 'up_for_retry', 'none', 'queued', 'scheduled', 'success'];
    assert.deepEqual(countUpstreamStates(states), { total: 10, success: 2, failed: 1, upstreamFailed: 1, skipped: 1 });
  });
});
