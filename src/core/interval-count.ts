/**
 * How many data intervals a range holds, without building them: a backfill over a mistyped range
 * (a per-minute schedule over a year is 525,600 intervals) is refused before it costs anything.
 *
 * Walking tick by tick costs about 10µs a tick (cron-parser), so a whole local day whose clocks do
 * not change is counted in one step: on such a day a cron ticks at every time its hour and minute
 * fields name (ticksPerDay) or not at all. Days near a DST change are walked tick by tick, as
 * CronSchedule defines them. The work is bounded by steps, not by the size of the range.
 */
import type { CronSchedule } from './cron-schedule.ts';
import { firstOffsetChange, offsetAt } from './timezone.ts';

const DAY_MS = 86_400_000;

export interface IntervalCount {
  /** How many intervals start in [from, to]; when not `exact`, only known to be more than the limit. */
  count: number;
  exact: boolean;
  /** When there are more than `limit`: the start of the last interval within it, and of the next. */
  split?: { lastWithin: Date; firstBeyond: Date };
}

/**
 * Counts the intervals whose start lies in [from, to] (those intervalsInRange builds). Once past
 * `limit`, it goes on for at most `extraSteps` more steps to give the exact count for a message. A
 * step is a day or a tick, 10-50µs: 10,000 are years of a per-minute schedule (each day next to a
 * DST change is walked tick by tick) and at most about half a second.
 */
export function countIntervalsInRange(schedule: CronSchedule, from: Date, to: Date, limit: number, extraSteps = 10_000): IntervalCount {
  const end = to.getTime();
  // Every tick at or after `countedFrom` is still to be counted; none before it will be.
  let countedFrom = from.getTime();
  let tick = schedule.next(new Date(countedFrom - 1));
  let count = 0;
  let stepsBeyond = 0;
  let split: IntervalCount['split'];
  while (tick.getTime() <= end) {
    if (count > limit && ++stepsBeyond > extraSteps) return { count, exact: false, split };
    const dayEnd = wholeDayEnd(schedule, tick, countedFrom, end);
    const ticks = dayEnd === undefined ? 1 : schedule.ticksPerDay;
    // This step holds the interval numbered `limit`: where a first part would end, if it must.
    if (count < limit && count + ticks >= limit) split = splitAt(schedule, tick, limit - count);
    count += ticks;
    countedFrom = dayEnd ?? tick.getTime() + 1;
    tick = schedule.next(new Date(countedFrom - 1));
  }
  return count > limit ? { count, exact: true, split } : { count, exact: true };
}

/**
 * When `tick` is the first tick of a local day that lies wholly in the range and has no offset
 * change in or just before it (so no skipped or repeated wall times), the instant that day ends.
 */
function wholeDayEnd(schedule: CronSchedule, tick: Date, countedFrom: number, end: number): number | undefined {
  if (schedule.ticksPerDay === 1) return undefined; // a day is one step either way
  const zone = schedule.timezone;
  const offset = offsetAt(zone, tick.getTime());
  const wall = tick.getTime() + offset;
  const dayStart = wall - mod(wall, DAY_MS) - offset;
  const dayEnd = dayStart + DAY_MS;
  if (dayStart < countedFrom || dayEnd - 1 > end) return undefined;
  // A wall time is repeated for up to a day after the clocks go back (CronSchedule's rule).
  if (firstOffsetChange(zone, dayStart - DAY_MS, dayEnd) !== null) return undefined;
  return dayEnd;
}

/** The nth tick from `first` (n = 1 is `first`), and the one after it. */
function splitAt(schedule: CronSchedule, first: Date, n: number): { lastWithin: Date; firstBeyond: Date } {
  let lastWithin = first;
  for (let i = 1; i < n; i++) lastWithin = schedule.next(lastWithin);
  return { lastWithin, firstBeyond: schedule.next(lastWithin) };
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
