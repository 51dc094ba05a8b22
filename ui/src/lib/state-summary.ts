/**
 * One state for many task instances (a task group's, in one run), for a collapsed group's node in
 * the graph and a group's cells in the grid, and for a mapped task's instances. Pure, and unit-tested.
 * The order of states is the server's too (src/core/state-attention.ts): the grid API sums up a
 * mapped task's instances by the same rule.
 */
import { byAttention } from '../../../src/core/state-attention.ts';

export interface StateSummary {
  /** The state to colour the group by. */
  state: string;
  /** How many instances are in each state, the group's state first, then by the same order. */
  counts: Array<[state: string, count: number]>;
  total: number;
}

/** null when there is nothing to summarise (no instance of the group's tasks in that run). */
export function summarizeStates(states: Iterable<string>): StateSummary | null {
  const counts = new Map<string, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  return summarizeCounts(counts);
}

/**
 * The same from counts already made: a mapped task's grid cell carries `{state: count}`, not its
 * 10,000 states. States counted 0 are left out; null when nothing is left.
 */
export function summarizeCounts(counts: Iterable<[state: string, count: number]>): StateSummary | null {
  const ordered = [...counts].filter(([, count]) => count > 0).sort(([a], [b]) => byAttention(a, b));
  const total = ordered.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  return { state: ordered[0]![0], counts: ordered, total };
}

/** "2 success, 1 failed", with each state in words. */
export function describeCounts(summary: StateSummary, label: (state: string) => string): string {
  return summary.counts.map(([state, count]) => `${count} ${label(state)}`).join(', ');
}
