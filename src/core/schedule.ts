/**
 * Airflow's data intervals over a cron schedule. A scheduled run covers [start, end) between two
 * consecutive ticks, is created once `end` has passed, and its logical date is `start`.
 */
import type { CronSchedule } from './cron-schedule.ts';

export { CronSchedule, PRESETS, resolveCron } from './cron-schedule.ts';

export interface DataInterval {
  start: Date;
  end: Date;
}

/** The interval a logical date belongs to: the one starting at the latest tick at or before it. */
export function intervalFor(schedule: CronSchedule, logicalDate: Date): DataInterval {
  const start = alignToPrev(schedule, logicalDate);
  return { start, end: schedule.next(start) };
}

/** The first interval of a DAG: it starts at the first tick at or after startDate. */
export function firstInterval(schedule: CronSchedule, startDate: Date): DataInterval {
  const start = alignToNext(schedule, startDate);
  return { start, end: schedule.next(start) };
}

export interface NextIntervalInput {
  schedule: CronSchedule;
  startDate: Date;
  endDate?: Date | null;
  catchup: boolean;
  /** The interval of the latest scheduled run (not manual or backfill), if any. */
  lastScheduled?: DataInterval | null;
  now: Date;
}

/**
 * The interval the next scheduled run should cover, or null when the DAG's endDate is past. It may
 * not have ended yet: the caller creates the run once `end <= now`. This is Airflow's
 * CronDataIntervalTimetable.next_dagrun_info: without catchup, intervals missed while the
 * scheduler was away (or before the DAG existed) are skipped, but the latest one that has already
 * ended still gets its run.
 */
export function nextIntervalToSchedule(input: NextIntervalInput): DataInterval | null {
  const { schedule, startDate, endDate, catchup, lastScheduled, now } = input;
  let earliest = alignToNext(schedule, startDate);
  if (!catchup) earliest = later(earliest, latestCompletedStart(schedule, now));
  const start = lastScheduled ? later(alignToPrev(schedule, lastScheduled.end), earliest) : earliest;
  if (endDate && start.getTime() > endDate.getTime()) return null;
  return { start, end: schedule.next(start) };
}

/**
 * Every interval whose start lies in [from, to], oldest first: what a backfill runs. Past
 * `maxIntervals` it throws rather than build an endless list from a mistyped range.
 */
export function intervalsInRange(schedule: CronSchedule, from: Date, to: Date, maxIntervals = 100_000): DataInterval[] {
  const intervals: DataInterval[] = [];
  let start = alignToNext(schedule, from);
  while (start.getTime() <= to.getTime()) {
    if (intervals.length >= maxIntervals) {
      throw new Error(
        `${from.toISOString()} to ${to.toISOString()} holds more than ${maxIntervals} intervals of schedule ${JSON.stringify(schedule.expression)}; use a shorter range`,
      );
    }
    const end = schedule.next(start);
    intervals.push({ start, end });
    start = end;
  }
  return intervals;
}

/** A manual run's interval: zero length, at its logical date. */
export function manualInterval(at: Date): DataInterval {
  return { start: new Date(at.getTime()), end: new Date(at.getTime()) };
}

function alignToNext(schedule: CronSchedule, date: Date): Date {
  return schedule.isTick(date) ? new Date(date.getTime()) : schedule.next(date);
}

function alignToPrev(schedule: CronSchedule, date: Date): Date {
  return schedule.isTick(date) ? new Date(date.getTime()) : schedule.prev(date);
}

/** The start of the latest interval whose end is at or before `now`. */
function latestCompletedStart(schedule: CronSchedule, now: Date): Date {
  return schedule.prev(alignToPrev(schedule, now));
}

function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}
