/**
 * The most intervals one backfill may cover. A backfill makes all its runs (and their task
 * instances) in one transaction and a dry run plans every date, so a mistyped range (a per-minute
 * schedule over a year) must be refused up front, with a count and where to split it.
 */
import { countIntervalsInRange } from '../core/interval-count.ts';
import { formatCount } from '../core/show-value.ts';
import type { CronSchedule } from '../core/schedule.ts';
import { badRequest } from '../errors.ts';

export const MAX_BACKFILL_INTERVALS = 100_000;

/** Throws a 400 when [from, to] holds more than MAX_BACKFILL_INTERVALS intervals of `schedule`. */
export function requireBackfillSize(schedule: CronSchedule, from: Date, to: Date): void {
  const counted = countIntervalsInRange(schedule, from, to, MAX_BACKFILL_INTERVALS);
  if (counted.count <= MAX_BACKFILL_INTERVALS) return;
  const max = formatCount(MAX_BACKFILL_INTERVALS);
  const how = counted.exact ? formatCount(counted.count) : `more than ${max}`;
  const split = counted.split
    ? `; the first ${max} start from ${from.toISOString()} to ${counted.split.lastWithin.toISOString()}, ` +
      `so a next backfill would start at ${counted.split.firstBeyond.toISOString()}`
    : '';
  const parts = counted.exact ? ` (${Math.ceil(counted.count / MAX_BACKFILL_INTERVALS)} backfills in all)` : '';
  throw badRequest(
    `the range ${from.toISOString()} to ${to.toISOString()} holds ${how} intervals of schedule ` +
      `${JSON.stringify(schedule.expression)} (${schedule.timezone}), and one backfill covers at most ${max}: ` +
      `split the range into backfills of at most ${max} intervals${split}${parts}`,
  );
}
