/**
 * Backfills' reprocess behaviours: which data intervals that already have a run a backfill runs
 * again. The engine plans with it, the API and the CLI validate against the same list.
 */

export const REPROCESS_BEHAVIORS = ['none', 'failed', 'completed'] as const;
export type ReprocessBehavior = (typeof REPROCESS_BEHAVIORS)[number];

/** What a backfill does with one data interval. */
export const INTERVAL_PLANS = ['create', 'reprocess', 'skip'] as const;
export type IntervalPlan = (typeof INTERVAL_PLANS)[number];

/**
 * Whether an interval whose run already exists is re-run: the one decision of reprocess
 * behaviours. A run that is queued or running is never re-run (Airflow 3: never a second run for
 * a date whose run is in flight).
 */
export function planFor(existingState: string | undefined, behavior: ReprocessBehavior): IntervalPlan {
  if (existingState === undefined) return 'create';
  if (existingState === 'queued' || existingState === 'running') return 'skip';
  if (behavior === 'completed') return 'reprocess';
  if (behavior === 'failed' && existingState === 'failed') return 'reprocess';
  return 'skip';
}
