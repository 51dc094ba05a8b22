/**
 * One state for many task instances (a task group's, in one run), for a collapsed group's node in
 * the graph and a group's cells in the grid. Pure, and unit-tested.
 */

/**
 * Which state a group shows when its tasks differ: the one that most needs a look. Failures first,
 * then work still under way (a group is not done while one of its tasks is not), then tasks not
 * reached yet; success only when nothing else is left, and skipped only when all were skipped
 * (a branch skipped beside successful ones is a successful group).
 */
const ATTENTION_ORDER = ['failed', 'upstream_failed', 'up_for_retry', 'running', 'queued', 'scheduled', 'none', 'success', 'skipped'];

/** A state this UI does not know yet is shown as unfinished work: before 'none', after the rest. */
const UNKNOWN_RANK = ATTENTION_ORDER.indexOf('none') - 0.5;

const rank = (state: string): number => {
  const at = ATTENTION_ORDER.indexOf(state);
  return at < 0 ? UNKNOWN_RANK : at;
};

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
  let total = 0;
  for (const state of states) {
    counts.set(state, (counts.get(state) ?? 0) + 1);
    total++;
  }
  if (total === 0) return null;
  const ordered = [...counts].sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return { state: ordered[0]![0], counts: ordered, total };
}

/** "2 success, 1 failed", with each state in words. */
export function describeCounts(summary: StateSummary, label: (state: string) => string): string {
  return summary.counts.map(([state, count]) => `${count} ${label(state)}`).join(', ');
}
