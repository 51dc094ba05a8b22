/**
 * Which task state most needs a look when many task instances are shown as one: a task group's
 * tasks in a run (the UI's graph and grid) and a mapped task's instances (the grid API's summary
 * cell, the graph). One rule, here, so the server's answer and the browser's drawing cannot
 * disagree. Pure: the UI bundles it as code.
 */
import type { TaskState } from './states.ts';

/**
 * Failures first, then work still under way (a group or mapped task is not done while one of its
 * instances is not), then instances not reached yet; success only when nothing else is left, and
 * skipped only when all were skipped (a branch skipped beside successful ones is a success).
 */
export const ATTENTION_ORDER = [
  'failed',
  'upstream_failed',
  'up_for_retry',
  'running',
  'queued',
  'up_for_reschedule',
  'scheduled',
  'none',
  'success',
  'skipped',
] as const satisfies readonly TaskState[];

/** A state this code does not know (a newer server's, to an older page) counts as unfinished work: before 'none', after the rest. */
const UNKNOWN_RANK = ATTENTION_ORDER.indexOf('none') - 0.5;

/** Lower is more pressing. */
export function attentionRank(state: string): number {
  const at = (ATTENTION_ORDER as readonly string[]).indexOf(state);
  return at < 0 ? UNKNOWN_RANK : at;
}

/** Sorts states most pressing first; states of one rank (unknown ones) by name, so the order is stable. */
export function byAttention(a: string, b: string): number {
  return attentionRank(a) - attentionRank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The most pressing of the states, or undefined when there are none. */
export function mostPressingState<S extends string>(states: Iterable<S>): S | undefined {
  let best: S | undefined;
  for (const state of states) if (best === undefined || byAttention(state, best) < 0) best = state;
  return best;
}
