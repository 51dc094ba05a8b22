import { isFinished, type TaskState } from './states.ts';

export const TRIGGER_RULES = [
  'all_success',
  'all_failed',
  'all_done',
  'all_skipped',
  'one_success',
  'one_failed',
  'one_done',
  'none_failed',
  'none_failed_min_one_success',
  'none_skipped',
  'always',
] as const;
export type TriggerRule = (typeof TRIGGER_RULES)[number];

export function isTriggerRule(value: unknown): value is TriggerRule {
  return typeof value === 'string' && (TRIGGER_RULES as readonly string[]).includes(value);
}

/** Over a task's direct upstreams: `total` counts all of them, the others only the finished ones. */
export interface UpstreamCounts {
  total: number;
  success: number;
  failed: number;
  upstreamFailed: number;
  skipped: number;
}

/** 'wait': not decided yet; 'skip' / 'upstream_failed': the state the task takes without running. */
export type TriggerDecision = 'wait' | 'run' | 'skip' | 'upstream_failed';

/**
 * A task's upstream counts from its direct upstream tasks' states: the rule `sluice dags test`
 * judges by. The database keeps the same counts per task instance as states change (the
 * ti_upstream_counts trigger, src/store/functions/ti_propagate_upstream_counts.sql), so the
 * scheduler never counts; a test checks the two agree.
 */
export function countUpstreamStates(states: Iterable<TaskState>): UpstreamCounts {
  const counts: UpstreamCounts = { total: 0, success: 0, failed: 0, upstreamFailed: 0, skipped: 0 };
  for (const state of states) {
    counts.total++;
    if (!isFinished(state)) continue;
    if (state === 'success') counts.success++;
    else if (state === 'failed') counts.failed++;
    else if (state === 'upstream_failed') counts.upstreamFailed++;
    else counts.skipped++;
  }
  return counts;
}

/**
 * Airflow's TriggerRuleDep with flag_upstream_failed: a rule may decide before every upstream has
 * finished, as soon as no outcome of the rest could change the answer (and all_success skips on the
 * first skipped upstream, which is how a skip propagates down a chain).
 */
export function evaluateTriggerRule(rule: TriggerRule, counts: UpstreamCounts): TriggerDecision {
  const { total, success, failed, upstreamFailed, skipped } = counts;
  if (total === 0) return 'run';
  const anyFailed = failed + upstreamFailed > 0;
  const done = success + failed + upstreamFailed + skipped;
  const allDone = done >= total;
  switch (rule) {
    case 'all_success':
      if (anyFailed) return 'upstream_failed';
      if (skipped > 0) return 'skip';
      return success >= total ? 'run' : 'wait';
    case 'all_failed':
      if (success + skipped > 0) return 'skip';
      return failed + upstreamFailed >= total ? 'run' : 'wait';
    case 'all_done':
      return allDone ? 'run' : 'wait';
    case 'all_skipped':
      if (success + failed + upstreamFailed > 0) return 'skip';
      return skipped >= total ? 'run' : 'wait';
    case 'one_success':
      if (success > 0) return 'run';
      if (!allDone) return 'wait';
      return skipped >= total ? 'skip' : 'upstream_failed';
    case 'one_failed':
      if (anyFailed) return 'run';
      return allDone ? 'skip' : 'wait';
    case 'one_done':
      if (success + failed > 0) return 'run';
      return allDone ? 'skip' : 'wait';
    case 'none_failed':
      if (anyFailed) return 'upstream_failed';
      return allDone ? 'run' : 'wait';
    case 'none_failed_min_one_success':
      if (anyFailed) return 'upstream_failed';
      if (!allDone) return 'wait';
      return success > 0 ? 'run' : 'skip';
    case 'none_skipped':
      if (skipped > 0) return 'skip';
      return allDone ? 'run' : 'wait';
    case 'always':
      return 'run';
  }
}

/**
 * The rules under which a task runs once all its upstreams have succeeded, however many: the
 * common case, which the statement recording the last upstream's end applies itself
 * (sluice_complete_tries), sparing the round trip of a decision. Derived from evaluateTriggerRule,
 * so the rules stay written once: every other situation is judged by it.
 */
export const RULES_RUN_WHEN_ALL_SUCCEEDED: readonly TriggerRule[] = TRIGGER_RULES.filter((rule) =>
  [1, 2, 3, 10, 1000].every((n) => evaluateTriggerRule(rule, { total: n, success: n, failed: 0, upstreamFailed: 0, skipped: 0 }) === 'run'),
);
