import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countIntervalsInRange } from '../../../src/core/interval-count.ts';
import { CronSchedule, intervalsInRange } from '../../../src/core/schedule.ts';

const d = (iso: string) => new Date(iso);

const CRONS = ['* * * * *', '*/15 * * * *', '30 2 * * *', '0 9-17 * * 1-5', '0,30 1-3 * * *', '5 * 1,15 * *', '@hourly', '@daily', '0 0 29 2 *', '59 23 L * *'];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Apia'];
// Ranges that start and end mid-day, across each zone's DST changes both ways (Lord Howe's are
// half an hour), the day Samoa skipped (2011-12-30), and the end of a February.
const RANGES: [string, string][] = [
  ['2026-03-07T13:07:00Z', '2026-03-09T05:30:00Z'],
  ['2026-03-28T13:07:00Z', '2026-03-30T05:30:00Z'],
  ['2026-04-04T01:00:00Z', '2026-04-05T23:01:00Z'],
  ['2026-10-03T01:00:00Z', '2026-10-04T23:01:00Z'],
  ['2026-10-24T22:00:00Z', '2026-10-26T01:01:00Z'],
  ['2026-10-31T22:00:00Z', '2026-11-02T01:01:00Z'],
  ['2011-12-28T10:00:00Z', '2011-12-31T10:00:00Z'],
  ['2026-02-27T00:00:00Z', '2026-03-02T00:00:00Z'],
  ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'],
];

describe('countIntervalsInRange', () => {
  it('counts what intervalsInRange builds, for crons, zones and DST changes', () => {
    for (const cron of CRONS) {
      for (const zone of ZONES) {
        const schedule = new CronSchedule(cron, zone);
        for (const [from, to] of RANGES) {
          const built = intervalsInRange(schedule, d(from), d(to));
          const counted = countIntervalsInRange(schedule, d(from), d(to), 1_000_000);
          assert.deepEqual(counted, { count: built.length, exact: true }, `${cron} in ${zone}, ${from} to ${to}`);
        }
      }
    }
  });

  it('counts a leap day cron over a century, and nothing in an empty range', () => {
    const leap = new CronSchedule('0 0 29 2 *', 'UTC');
    assert.equal(countIntervalsInRange(leap, d('2001-01-01'), d('2100-12-31'), 1000).count, 24);
    assert.equal(countIntervalsInRange(leap, d('2026-01-01'), d('2026-12-31'), 1000).count, 0);
  });

  it('says where the intervals beyond a limit begin', () => {
    for (const [cron, zone] of [['* * * * *', 'Europe/Berlin'], ['0 9-17 * * 1-5', 'America/New_York'], ['@daily', 'UTC']] as const) {
      const schedule = new CronSchedule(cron, zone);
      const from = d('2026-03-20T10:10:00Z');
      const to = d('2026-04-30T00:00:00Z');
      const built = intervalsInRange(schedule, from, to);
      for (const limit of [1, 7, 1000, built.length - 1].filter((n) => n < built.length)) {
        const counted = countIntervalsInRange(schedule, from, to, limit);
        assert.equal(counted.count, built.length);
        assert.deepEqual(counted.split, { lastWithin: built[limit - 1]!.start, firstBeyond: built[limit]!.start }, `${cron} limit ${limit}`);
      }
      assert.equal(countIntervalsInRange(schedule, from, to, built.length).split, undefined, 'no split when it fits');
    }
  });

  it('stops counting past the limit when the rest would take long, saying only that there are more', () => {
    const daily = new CronSchedule('@daily', 'UTC');
    const counted = countIntervalsInRange(daily, d('2000-01-01'), d('9999-12-31'), 100, 50);
    assert.equal(counted.exact, false);
    assert.ok(counted.count > 100);
    assert.deepEqual(counted.split, { lastWithin: d('2000-04-09'), firstBeyond: d('2000-04-10') });
    // A per-minute schedule over a year is counted a day at a time, so exactly.
    const minutes = countIntervalsInRange(new CronSchedule('* * * * *', 'Europe/Berlin'), d('2026-01-01'), d('2026-12-31T23:59:00Z'), 100_000);
    assert.deepEqual([minutes.count, minutes.exact], [365 * 1440, true]);
  });
});
