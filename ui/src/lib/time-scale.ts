/**
 * The charts' axes: a linear scale from a value (an instant, a duration, in ms) to pixels, and
 * ticks at round steps people read at a glance (every 5 s, every 10 min, every 2 h). Pure, and
 * unit-tested.
 */

export interface Scale {
  (value: number): number;
  domain: readonly [number, number];
  range: readonly [number, number];
}

/** value → pixel. A domain of no width maps everything to the range's start, not to NaN. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const scale = ((value: number) => r0 + (value - d0) * k) as Scale;
  scale.domain = domain;
  scale.range = range;
  return scale;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The steps an axis may take, smallest first: below a second, powers of ten and their halves and fifths. */
const STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY,
];

/** The smallest round step that cuts `span` into at most `maxTicks` parts. */
export function tickStep(span: number, maxTicks: number): number {
  const wanted = span / Math.max(1, maxTicks);
  return STEPS.find((step) => step >= wanted) ?? Math.ceil(wanted / (30 * DAY)) * 30 * DAY;
}

/**
 * Round values inside the domain, `step` apart, at most about `maxTicks` of them. Instants fall
 * on multiples of the step since 1970 (in UTC: a local zone's half-hour offset shows as :30).
 */
export function ticks(domain: readonly [number, number], maxTicks: number): { step: number; values: number[] } {
  const [from, to] = domain;
  if (!(to > from)) return { step: SECOND, values: [from] };
  const step = tickStep(to - from, maxTicks);
  const values: number[] = [];
  for (let v = Math.ceil(from / step) * step; v <= to; v += step) values.push(v);
  return { step, values };
}

/**
 * Where the axis of something still going ends: a round span (one of the steps) at least a
 * quarter past what has gone so far. Spans roughly double, so it stays put while `now` catches
 * up: a live chart redraws its growing bars each second but rescales (moving every bar) only a
 * few times in a run's life.
 */
export function liveEnd(start: number, now: number): number {
  const wanted = Math.max(SECOND, now - start) * 1.25;
  return start + (STEPS.find((step) => step >= wanted) ?? Math.ceil(wanted / (30 * DAY)) * 30 * DAY);
}

/** "0", "30s", "1m 30s", "2h": a duration axis's label, no more precise than its step. */
export function formatTickDuration(ms: number, step: number): string {
  if (ms === 0) return '0';
  if (step < SECOND) return `${ms}ms`;
  if (step < MINUTE) return ms < MINUTE ? `${ms / SECOND}s` : `${Math.floor(ms / MINUTE)}m ${pad((ms % MINUTE) / SECOND)}s`;
  if (step < HOUR) return ms < HOUR ? `${ms / MINUTE}m` : `${Math.floor(ms / HOUR)}h ${pad((ms % HOUR) / MINUTE)}m`;
  if (step < DAY) return ms < DAY ? `${ms / HOUR}h` : `${Math.floor(ms / DAY)}d ${(ms % DAY) / HOUR}h`;
  return `${ms / DAY}d`;
}

const pad = (n: number) => String(Math.round(n)).padStart(2, '0');
