import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { describeCron } from './cron-describe.ts';
import { firstOffsetChange, isValidTimeZone, offsetAt, offsetSegmentStart } from './timezone.ts';

export const PRESETS: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

const DAY_MS = 86_400_000;
const HOW =
  "use 5 fields 'minute hour day-of-month month day-of-week' (e.g. '0 3 * * *' for 03:00 every day) or one of @hourly, @daily, @weekly, @monthly, @yearly";

/**
 * A 5-field cron read in an IANA time zone (a 6th, seconds, field is rejected: schedules run at
 * whole minutes, as in Airflow). Its ticks are real instants, strictly increasing, the same whether
 * reached by next() or prev(). Across DST changes it follows cron (and Airflow):
 * - a cron whose hour field is every hour ('*\/15 * * * *', '@hourly') ticks at every instant
 *   whose local time matches, so it runs twice in a repeated hour and not in a skipped one;
 * - any other cron ('30 2 * * *') ticks once per matching local time: at the first occurrence of
 *   a repeated time, and at the end of the gap (e.g. 03:00) for a skipped one.
 */
export class CronSchedule {
  /** As written: a cron or a preset. */
  readonly expression: string;
  readonly timezone: string;
  /** The 5-field cron the expression stands for. */
  readonly cron: string;
  // Iterates local wall times. It runs in UTC so that cron-parser never meets a DST change:
  // its own DST handling is inconsistent between next() and prev().
  readonly #wall: CronExpression;
  // The second rule of the class comment: the cron names local times, each taken at most once.
  readonly #atFixedHours: boolean;
  /**
   * How many times it ticks on a day it runs at all, when the clocks do not change that day: every
   * hour it names times every minute it names (day fields pick days, not times within a day).
   */
  readonly ticksPerDay: number;
  /**
   * The times of day it ticks at (ms after midnight, ascending): the same on every day it runs,
   * since wall time has no DST. cron-parser takes some 30 µs per tick it finds; it is asked only
   * where each day's ticks begin and end, and the times within a day are looked up here, so that
   * listing a year of a per-minute schedule takes a fraction of a second, not tens of seconds.
   */
  readonly #dayTicks: number[];
  /** By a wall day's midnight: its first tick at or after that midnight (on a later day if it does not run that day). */
  readonly #firstFrom = new Map<number, number>();
  /** By a wall day's midnight: the last tick before it. */
  readonly #lastBefore = new Map<number, number>();

  constructor(expression: string, timezone: string) {
    if (typeof expression !== 'string') throw new Error(`schedule must be a cron string or a preset; ${HOW}`);
    if (typeof timezone !== 'string' || !isValidTimeZone(timezone)) {
      throw new Error(`time zone ${JSON.stringify(timezone)} is not a known IANA time zone; use a name like 'UTC', 'Europe/Berlin' or 'America/New_York'`);
    }
    this.expression = expression;
    this.timezone = timezone;
    this.cron = resolveCron(expression);
    try {
      this.#wall = CronExpressionParser.parse(this.cron, { tz: 'UTC', currentDate: new Date(Date.UTC(2000, 0, 1)) });
      this.#wall.next();
    } catch (error) {
      throw new Error(`schedule ${JSON.stringify(expression)} is not a valid cron expression (${(error as Error).message}); ${HOW}`, {
        cause: error,
      });
    }
    this.#atFixedHours = this.#wall.fields.hour.values.length < 24;
    const { hour, minute } = this.#wall.fields;
    this.#dayTicks = hour.values.flatMap((h) => minute.values.map((m) => Number(h) * 3_600_000 + Number(m) * 60_000)).sort((a, b) => a - b);
    this.ticksPerDay = this.#dayTicks.length;
  }

  /** The first tick strictly after `after`. */
  next(after: Date): Date {
    const tz = this.timezone;
    let t = after.getTime();
    let inclusive = false;
    for (let guard = 0; guard < 10_000; guard++) {
      const offset = offsetAt(tz, t);
      const wall = this.#wallAfter(t + offset - (inclusive ? 1 : 0));
      const candidate = wall - offset;
      const change = firstOffsetChange(tz, t, candidate);
      if (change === null) {
        if (this.#atFixedHours && isRepeatedWallTime(tz, wall, candidate)) {
          t = candidate;
          inclusive = false;
          continue;
        }
        return new Date(candidate);
      }
      // candidate >= change, so wall >= change + offset: inside the gap if the clocks went forward past it.
      if (this.#atFixedHours && wall < change + offsetAt(tz, change)) return new Date(change);
      t = change;
      inclusive = true;
    }
    throw this.#lost('next', after);
  }

  /** The last tick strictly before `before`. */
  prev(before: Date): Date {
    const tz = this.timezone;
    let t = before.getTime();
    for (let guard = 0; guard < 10_000; guard++) {
      const offset = offsetAt(tz, t - 1);
      const wall = this.#wallBefore(t + offset);
      const candidate = wall - offset;
      const start = offsetSegmentStart(tz, candidate, t - 1);
      if (start === null) {
        if (this.#atFixedHours && isRepeatedWallTime(tz, wall, candidate)) {
          // Its first occurrence, and any tick between, lie before the clocks went back.
          t = offsetSegmentStart(tz, candidate - DAY_MS, candidate) ?? candidate;
          continue;
        }
        return new Date(candidate);
      }
      const offsetBefore = offsetAt(tz, start - 1);
      if (this.#atFixedHours && offset > offsetBefore && wall >= start + offsetBefore) return new Date(start);
      t = start;
    }
    throw this.#lost('prev', before);
  }

  isTick(date: Date): boolean {
    const ms = date.getTime();
    return this.next(new Date(ms - 1)).getTime() === ms;
  }

  describe(): string {
    return describeCron(this.cron, this.timezone);
  }

  toString(): string {
    return `${this.expression} (${this.timezone})`;
  }

  /** The first wall time it ticks at strictly after `wall`. */
  #wallAfter(wall: number): number {
    const day = Math.floor(wall / DAY_MS) * DAY_MS;
    const first = this.#firstTickFrom(day);
    if (first >= day + DAY_MS) return first;
    const at = firstAbove(this.#dayTicks, wall - day);
    return at < this.#dayTicks.length ? day + this.#dayTicks[at]! : this.#firstTickFrom(day + DAY_MS);
  }

  /** The last wall time it ticks at strictly before `wall`. */
  #wallBefore(wall: number): number {
    const day = Math.floor(wall / DAY_MS) * DAY_MS;
    if (this.#firstTickFrom(day) < day + DAY_MS) {
      const at = firstAbove(this.#dayTicks, wall - day - 1) - 1;
      if (at >= 0) return day + this.#dayTicks[at]!;
    }
    return this.#lastTickBefore(day);
  }

  #firstTickFrom(midnight: number): number {
    return remembered(this.#firstFrom, midnight, () => {
      this.#wall.reset(new Date(midnight - 1));
      return this.#wall.next().getTime();
    });
  }

  #lastTickBefore(midnight: number): number {
    return remembered(this.#lastBefore, midnight, () => {
      this.#wall.reset(new Date(midnight));
      return this.#wall.prev().getTime();
    });
  }

  #lost(method: string, from: Date): Error {
    return new Error(`schedule ${JSON.stringify(this.expression)} in ${this.timezone}: ${method}(${from.toISOString()}) found no tick`);
  }
}

/** The 5-field cron for an expression, or an Error saying what is wrong with it. */
export function resolveCron(expression: string): string {
  const text = expression.trim();
  if (text.startsWith('@')) {
    const cron = PRESETS[text];
    if (cron === undefined) {
      throw new Error(`schedule ${JSON.stringify(expression)} is not a known preset; use one of ${Object.keys(PRESETS).join(', ')}, or a 5-field cron`);
    }
    return cron;
  }
  const fields = text.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    throw new Error(`schedule ${JSON.stringify(expression)} has ${fields.length} field${fields.length === 1 ? '' : 's'}; ${HOW}`);
  }
  // cron-parser's H picks a random value per parse, so two processes would disagree on the ticks.
  const withoutNames = text.replace(/\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat)\b/gi, '');
  if (/h/i.test(withoutNames)) {
    throw new Error(`schedule ${JSON.stringify(expression)} uses 'H' (a random value), which Sluice does not support; write the minute or hour explicitly`);
  }
  return fields.join(' ');
}

/** Days remembered per direction: a long range walks through many, and each costs little to find again. */
const MAX_REMEMBERED_DAYS = 4096;

function remembered(days: Map<number, number>, midnight: number, find: () => number): number {
  let tick = days.get(midnight);
  if (tick === undefined) {
    if (days.size >= MAX_REMEMBERED_DAYS) days.clear();
    tick = find();
    days.set(midnight, tick);
  }
  return tick;
}

/** The index of the first of the ascending `values` greater than `x` (values.length if none). */
function firstAbove(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** True when the wall time at `instant` was already shown earlier, before the clocks went back. */
function isRepeatedWallTime(timeZone: string, wall: number, instant: number): boolean {
  const offset = offsetAt(timeZone, instant);
  const earlierOffset = offsetAt(timeZone, instant - DAY_MS);
  if (earlierOffset <= offset) return false;
  const earlier = wall - earlierOffset;
  return earlier < instant && offsetAt(timeZone, earlier) === earlierOffset;
}
