/**
 * How a mapped task's summary (the grid API's `mapped: {count, states}`) is drawn: its counts in
 * the attention order, a split bar of each state's share in the state colours, and words for a
 * title. Pure, and unit-tested.
 */
import { summarizeCounts, type StateSummary } from './state-summary.ts';

export interface MappedCounts {
  count: number;
  states: Partial<Record<string, number>>;
}

export function mappedSummary(mapped: MappedCounts): StateSummary | null {
  return summarizeCounts(Object.entries(mapped.states).map(([state, count]): [string, number] => [state, count ?? 0]));
}

/**
 * A CSS background: each state's share side by side, most pressing first, in its colour variable
 * (style.css). A share is at least 1% wide, so one failure in 10,000 still shows as a sliver.
 */
export function splitBarBackground(summary: StateSummary): string {
  const MIN_SHARE = 1;
  const raw = summary.counts.map(([, count]) => Math.max(MIN_SHARE, (100 * count) / summary.total));
  const scale = 100 / raw.reduce((sum, share) => sum + share, 0);
  let at = 0;
  const stops = summary.counts.map(([state], i) => {
    const from = at;
    at = i === summary.counts.length - 1 ? 100 : at + raw[i]! * scale;
    return `var(--st-${state}, transparent) ${round(from)}% ${round(at)}%`;
  });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** A count in at most four characters, for a node's or a cell's label: 7, 999, 1.2k, 10k, 1.5M. */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(Math.floor(n / 100) / 10).toString()}k`;
  if (n < 1_000_000) return `${Math.floor(n / 1000)}k`;
  return `${(Math.floor(n / 100_000) / 10).toString()}M`;
}
