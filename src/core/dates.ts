import { showValue } from './show-value.ts';
import { wallTimeToInstant } from './timezone.ts';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const ACCEPTED = "use an ISO 8601 date like '2026-01-01', '2026-01-01T06:00' or '2026-01-01T06:00:00Z', or a Date";

/**
 * A Date from what users write. A date or date-time without an offset is a wall time in
 * `timeZone` (the DAG's zone), as Airflow reads a naive start_date; with 'Z' or an offset it is
 * that instant.
 */
export function parseDate(value: unknown, where: string, timeZone: string): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error(`${where}: the Date is invalid; ${ACCEPTED}`);
    return new Date(value.getTime());
  }
  if (typeof value !== 'string') throw new Error(`${where}: ${showValue(value)} is not a date; ${ACCEPTED}`);
  const match = ISO.exec(value.trim());
  if (!match) throw new Error(`${where}: ${showValue(value)} is not a date; ${ACCEPTED}`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = match;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(fraction.padEnd(3, '0').slice(0, 3)));
  const check = new Date(wall);
  // Date.UTC rolls 2026-02-30 over into March; a date that does not round-trip does not exist.
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCHours() !== Number(h) ||
    check.getUTCMinutes() !== Number(mi) ||
    check.getUTCSeconds() !== Number(s)
  ) {
    throw new Error(`${where}: ${showValue(value)} is not a real date or time; ${ACCEPTED}`);
  }
  if (zone === undefined) return new Date(wallTimeToInstant(timeZone, check.getTime()));
  const offset = zoneOffsetMinutes(zone);
  if (offset === null) throw new Error(`${where}: ${showValue(value)} has an impossible UTC offset ${zone}; ${ACCEPTED}`);
  return new Date(check.getTime() - offset * 60_000);
}

function zoneOffsetMinutes(zone: string): number | null {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || '0');
  if (hours > 14 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}
