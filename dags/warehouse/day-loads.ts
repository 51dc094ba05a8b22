/** Which hourly load of mongo_to_warehouse a daily maintenance run waits for. */

const HOUR_MS = 3_600_000;

/**
 * The logical date of the last hourly load of the day before the one `dataIntervalEnd` falls on
 * (23:00 UTC): a daily run at 03:30 waits for the previous day's loads to be complete.
 */
export function lastLoadOfTheDay(dataIntervalEnd: Date): Date {
  const midnight = Date.UTC(dataIntervalEnd.getUTCFullYear(), dataIntervalEnd.getUTCMonth(), dataIntervalEnd.getUTCDate());
  return new Date(midnight - HOUR_MS);
}
