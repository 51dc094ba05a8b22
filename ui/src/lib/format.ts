/**
 * How times and durations read in the UI. Pure: the time zone and "now" are arguments, so the
 * same functions are unit-tested and used by the pages.
 */
import { formatDuration } from '../../../src/core/durations.ts';

export { formatDuration };

/** 'local': the browser's zone; 'utc': UTC. The other one is always on hover. */
export type TimeZoneMode = 'local' | 'utc';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** '2026-11-23 17:34:05' in the chosen zone, or '' for a missing or unreadable time. */
export function formatDateTime(iso: string | null | undefined, mode: TimeZoneMode, withSeconds = true): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const utc = mode === 'utc';
  const parts = [
    utc ? date.getUTCFullYear() : date.getFullYear(),
    (utc ? date.getUTCMonth() : date.getMonth()) + 1,
    utc ? date.getUTCDate() : date.getDate(),
    utc ? date.getUTCHours() : date.getHours(),
    utc ? date.getUTCMinutes() : date.getMinutes(),
    utc ? date.getUTCSeconds() : date.getSeconds(),
  ];
  const [y, mo, d, h, mi, s] = parts as [number, number, number, number, number, number];
  const time = withSeconds ? `${pad(h)}:${pad(mi)}:${pad(s)}` : `${pad(h)}:${pad(mi)}`;
  return `${y}-${pad(mo)}-${pad(d)} ${time}`;
}

/** The browser zone's UTC offset at that instant, as '+01:00'. */
export function utcOffset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** What a time shows on hover: both zones, exactly. */
export function describeInstant(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.toISOString()} (UTC)\n${formatDateTime(iso, 'local')} (local, UTC${utcOffset(date)})`;
}

const UNITS: [limitSeconds: number, seconds: number, name: string][] = [
  [60, 1, 's'],
  [3_600, 60, 'min'],
  [86_400, 3_600, 'h'],
  [86_400 * 45, 86_400, 'd'],
  [86_400 * 365, 86_400 * 30, 'mo'],
  [Infinity, 86_400 * 365, 'y'],
];

/** '3 min ago', 'in 2 h', 'just now': rough on purpose, the exact time is on hover. */
export function formatRelative(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return '';
  const seconds = Math.round((then - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 5) return 'just now';
  const [, unit, name] = UNITS.find(([limit]) => abs < limit) ?? UNITS[UNITS.length - 1]!;
  const amount = Math.floor(abs / unit);
  return seconds < 0 ? `${amount} ${name} ago` : `in ${amount} ${name}`;
}

/** How long something took, or has taken so far when it has not ended. */
export function elapsedMs(start: string | null | undefined, end: string | null | undefined, now: number): number | null {
  if (!start) return null;
  const from = new Date(start).getTime();
  const to = end ? new Date(end).getTime() : now;
  if (Number.isNaN(from) || Number.isNaN(to)) return null;
  return Math.max(0, to - from);
}

/** A value's JSON, indented, for showing conf, params and XCom. */
export function prettyJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  return text === undefined ? String(value) : text;
}

/** '1 run', '3 runs'. */
export function plural(n: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : pluralNoun}`;
}

/** The value a `datetime-local` input shows for an instant, read in the chosen zone. */
export function toDateTimeInput(iso: string, mode: TimeZoneMode): string {
  return formatDateTime(iso, mode).replace(' ', 'T');
}

/**
 * The instant a `datetime-local` input's value names in the chosen zone, as ISO 8601 UTC; null
 * when the value is empty, incomplete or not a real date and time (Feb 30, 24:00).
 */
export function fromDateTimeInput(value: string, mode: TimeZoneMode): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  if (y < 1000 || mo < 1 || mo > 12) return null;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59) return null;
  const date = mode === 'utc' ? new Date(Date.UTC(y, mo - 1, d, h, mi, s)) : new Date(y, mo - 1, d, h, mi, s);
  return date.toISOString();
}

/** A DAG version's hash as the UI shows it: enough to tell versions apart, as git shows commits. */
export const shortVersion = (version: string) => version.slice(0, 12);
