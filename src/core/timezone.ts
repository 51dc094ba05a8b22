/**
 * Offsets of IANA time zones, from the Intl data Node ships with. Times are epoch milliseconds;
 * a "wall time" is a local date-time written as if it were UTC (wall = instant + offset).
 *
 * Searches for offset changes sample once a day, so they assume a zone does not change its offset
 * twice within 24 hours (true of every zone in use).
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds to add to the instant `ms` to get the wall time in `timeZone`. */
export function offsetAt(timeZone: string, ms: number): number {
  const known = knownSpanAt(timeZone, ms);
  if (known) return known.offset;
  const whole = Math.floor(ms / 1000) * 1000;
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(whole)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const wall = Date.UTC(fields.year ?? 1970, (fields.month ?? 1) - 1, fields.day ?? 1, fields.hour ?? 0, fields.minute ?? 0, fields.second ?? 0);
  return wall - whole;
}

/** The wall time of an instant. */
export function wallTimeOf(timeZone: string, ms: number): number {
  return ms + offsetAt(timeZone, ms);
}

/** The first instant in (lo, hi] whose offset differs from the offset at lo, or null. */
export function firstOffsetChange(timeZone: string, lo: number, hi: number): number | null {
  const base = offsetAt(timeZone, lo);
  let from = lo;
  while (from < hi) {
    const known = knownSpanAt(timeZone, from);
    if (known && known.offset === base && known.to > from) {
      if (known.to >= hi) return null;
      from = known.to;
      continue;
    }
    const probe = Math.min(from + DAY_MS, hi);
    const offset = offsetAt(timeZone, probe);
    if (offset !== base) {
      const change = bisect(from, probe, (ms) => offsetAt(timeZone, ms) !== base);
      remember(timeZone, from, change - 1, base);
      remember(timeZone, change, probe, offset);
      return change;
    }
    remember(timeZone, from, probe, base);
    from = probe;
  }
  return null;
}

/** Where the constant-offset stretch containing hi began, if that lies in (lo, hi]; else null. */
export function offsetSegmentStart(timeZone: string, lo: number, hi: number): number | null {
  const base = offsetAt(timeZone, hi);
  let to = hi;
  while (to > lo) {
    const known = knownSpanAt(timeZone, to);
    if (known && known.offset === base && known.from < to) {
      if (known.from <= lo) return null;
      to = known.from;
      continue;
    }
    const probe = Math.max(to - DAY_MS, lo);
    const offset = offsetAt(timeZone, probe);
    if (offset !== base) {
      const start = bisect(probe, to, (ms) => offsetAt(timeZone, ms) === base);
      remember(timeZone, probe, start - 1, offset);
      remember(timeZone, start, to, base);
      return start;
    }
    remember(timeZone, probe, to, base);
    to = probe;
  }
  return null;
}

/** The smallest ms in (lo, hi] where `holds` turns true, given it is false at lo and true at hi. */
function bisect(lo: number, hi: number, holds: (ms: number) => boolean): number {
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (holds(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Stretches [from, to] already known to have one offset. Asking Intl costs microseconds and
 * schedules ask about the same few days over and over; what the searches above learn (under the
 * same one-change-a-day assumption) is kept here.
 */
interface KnownSpan {
  from: number;
  to: number;
  offset: number;
}
const MAX_SPANS_PER_ZONE = 64;
const knownSpans = new Map<string, KnownSpan[]>();

function knownSpanAt(timeZone: string, ms: number): KnownSpan | undefined {
  return knownSpans.get(timeZone)?.find((span) => span.from <= ms && ms <= span.to);
}

function remember(timeZone: string, from: number, to: number, offset: number): void {
  if (to < from) return;
  let spans = knownSpans.get(timeZone);
  if (!spans) knownSpans.set(timeZone, (spans = []));
  let merged: KnownSpan = { from, to, offset };
  const kept: KnownSpan[] = [];
  for (const span of spans) {
    if (span.offset === offset && span.from <= merged.to + 1 && merged.from <= span.to + 1) {
      merged = { from: Math.min(span.from, merged.from), to: Math.max(span.to, merged.to), offset };
    } else {
      kept.push(span);
    }
  }
  kept.unshift(merged);
  knownSpans.set(timeZone, kept.slice(0, MAX_SPANS_PER_ZONE));
}

/**
 * The instant a wall time denotes. A wall time that happens twice (clocks turned back) is its
 * first occurrence; one that never happens (clocks turned forward) is the instant the gap ends,
 * which is when cron runs jobs whose time was skipped.
 */
export function wallTimeToInstant(timeZone: string, wall: number): number {
  // Offsets are within ±14h, so the instants that could show this wall time lie within that window.
  const candidates = [...new Set([-15, 0, 15].map((h) => offsetAt(timeZone, wall + h * 3_600_000)))]
    .map((offset) => wall - offset)
    .filter((ms) => wallTimeOf(timeZone, ms) === wall)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) return first;
  const change = firstOffsetChange(timeZone, wall - 15 * 3_600_000, wall + 15 * 3_600_000);
  if (change === null) throw new Error(`cannot place wall time ${new Date(wall).toISOString()} in time zone ${timeZone}`);
  return change;
}
