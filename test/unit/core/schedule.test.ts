import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CronSchedule,
  PRESETS,
  firstInterval,
  intervalFor,
  intervalsInRange,
  manualInterval,
  nextIntervalToSchedule,
  type DataInterval,
} from '../../../src/core/schedule.ts';

const d = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();
const show = (i: DataInterval | null) => (i ? `${iso(i.start)} → ${iso(i.end)}` : null);
const HOUR = 3_600_000;

/** Ticks from `from` (exclusive) up to `to` (exclusive), walked with next(). */
function ticks(schedule: CronSchedule, from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = schedule.next(d(from)); t < d(to); t = schedule.next(t)) out.push(iso(t));
  return out;
}

describe('CronSchedule', () => {
  it('knows the presets', () => {
    assert.deepEqual(PRESETS, {
      '@hourly': '0 * * * *',
      '@daily': '0 0 * * *',
      '@weekly': '0 0 * * 0',
      '@monthly': '0 0 1 * *',
      '@yearly': '0 0 1 1 *',
      '@annually': '0 0 1 1 *',
    });
    const weekly = new CronSchedule('@weekly', 'UTC');
    assert.equal(weekly.expression, '@weekly');
    assert.equal(weekly.cron, '0 0 * * 0');
    assert.equal(iso(weekly.next(d('2026-01-01T00:00:00Z'))), '2026-01-04T00:00:00.000Z');
  });

  it('next() is strictly after and prev() strictly before, to the millisecond', () => {
    const s = new CronSchedule('@daily', 'UTC');
    assert.equal(iso(s.next(d('2026-01-01T00:00:00Z'))), '2026-01-02T00:00:00.000Z');
    assert.equal(iso(s.next(d('2025-12-31T23:59:59.999Z'))), '2026-01-01T00:00:00.000Z');
    assert.equal(iso(s.prev(d('2026-01-01T00:00:00Z'))), '2025-12-31T00:00:00.000Z');
    assert.equal(iso(s.prev(d('2026-01-01T00:00:00.001Z'))), '2026-01-01T00:00:00.000Z');
  });

  it('isTick() is true only on a tick', () => {
    const s = new CronSchedule('*/15 * * * *', 'UTC');
    assert.ok(s.isTick(d('2026-01-01T10:45:00Z')));
    assert.ok(!s.isTick(d('2026-01-01T10:45:00.001Z')));
    assert.ok(!s.isTick(d('2026-01-01T10:46:00Z')));
  });

  it('reads the cron in its time zone', () => {
    const s = new CronSchedule('0 3 * * *', 'Asia/Tokyo');
    assert.equal(iso(s.next(d('2026-01-01T00:00:00Z'))), '2026-01-01T18:00:00.000Z');
  });

  it('accepts names, steps, lists and L', () => {
    assert.deepEqual(ticks(new CronSchedule('0 9 * * MON-FRI', 'UTC'), '2026-01-02T12:00:00Z', '2026-01-07T00:00:00Z'), [
      '2026-01-05T09:00:00.000Z',
      '2026-01-06T09:00:00.000Z',
    ]);
    assert.equal(iso(new CronSchedule('0 0 L * *', 'UTC').next(d('2028-02-01T00:00:00Z'))), '2028-02-29T00:00:00.000Z');
  });

  describe('describe()', () => {
    const cases: [string, string, string][] = [
      ['@daily', 'UTC', 'every day at 00:00 UTC'],
      ['@hourly', 'UTC', 'every hour at minute 0'],
      ['* * * * *', 'UTC', 'every minute'],
      ['*/5 * * * *', 'UTC', 'every 5 minutes'],
      ['30 */6 * * *', 'UTC', 'every 6 hours at minute 30 (UTC)'],
      ['0 3 * * *', 'Europe/Berlin', 'every day at 03:00 Europe/Berlin'],
      ['@weekly', 'UTC', 'every Sunday at 00:00 UTC'],
      ['15 8 * * 1-5', 'UTC', 'every weekday at 08:15 UTC'],
      ['@monthly', 'UTC', 'on day 1 of every month at 00:00 UTC'],
      ['@yearly', 'UTC', 'every year on January 1 at 00:00 UTC'],
      ['0 0 L * *', 'UTC', 'on the last day of every month at 00:00 UTC'],
      ['0 1-5 * * 1', 'UTC', "cron '0 1-5 * * 1' (UTC)"],
    ];
    for (const [expression, tz, text] of cases) it(`${expression} → ${text}`, () => assert.equal(new CronSchedule(expression, tz).describe(), text));
  });

  describe('rejects with a clear message', () => {
    const cases: [string, RegExp][] = [
      ['61 * * * *', /^Error: schedule "61 \* \* \* \*" is not a valid cron expression \(.*61.*\); use 5 fields 'minute hour day-of-month month day-of-week'/],
      ['0 0 30 2 *', /^Error: schedule "0 0 30 2 \*" is not a valid cron expression/],
      ['every day', /^Error: schedule "every day" has 2 fields; use 5 fields/],
      ['0 0 * * * *', /^Error: schedule "0 0 \* \* \* \*" has 6 fields; use 5 fields/],
      ['', /^Error: schedule "" has 0 fields/],
      ['@fortnightly', /^Error: schedule "@fortnightly" is not a known preset; use one of @hourly, @daily, @weekly, @monthly, @yearly, @annually, or a 5-field cron/],
      ['H * * * *', /uses 'H' \(a random value\)/],
    ];
    for (const [expression, message] of cases) {
      it(JSON.stringify(expression), () => assert.throws(() => new CronSchedule(expression, 'UTC'), message));
    }
    it('an unknown time zone', () => {
      assert.throws(
        () => new CronSchedule('@daily', 'Mars/Olympus_Mons'),
        /^Error: time zone "Mars\/Olympus_Mons" is not a known IANA time zone; use a name like 'UTC', 'Europe\/Berlin' or 'America\/New_York'$/,
      );
    });
  });

  describe('across DST changes ticks are real instants and intervals are never empty', () => {
    function assertIncreasing(list: string[]): void {
      for (let i = 1; i < list.length; i++) assert.ok(d(list[i] as string) > d(list[i - 1] as string), `${list[i - 1]} < ${list[i]}`);
    }

    it("'0 2 * * *' in America/New_York: 02:00 does not exist on 2026-03-08, the run is at 03:00 EDT", () => {
      const list = ticks(new CronSchedule('0 2 * * *', 'America/New_York'), '2026-03-06T12:00:00Z', '2026-03-10T12:00:00Z');
      assert.deepEqual(list, ['2026-03-07T07:00:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:00:00.000Z', '2026-03-10T06:00:00.000Z']);
    });

    it("'30 1 * * *' in America/New_York: 01:30 happens twice on 2026-11-01, the run is at the first", () => {
      const list = ticks(new CronSchedule('30 1 * * *', 'America/New_York'), '2026-10-30T12:00:00Z', '2026-11-03T12:00:00Z');
      assert.deepEqual(list, ['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z', '2026-11-03T06:30:00.000Z']);
    });

    it("'30 2 * * *' and '0 2 * * *' in Europe/Berlin, spring forward (2026-03-29) and fall back (2026-10-25)", () => {
      assert.deepEqual(ticks(new CronSchedule('30 2 * * *', 'Europe/Berlin'), '2026-03-28T00:00:00Z', '2026-03-31T00:00:00Z'), [
        '2026-03-28T01:30:00.000Z',
        '2026-03-29T01:00:00.000Z', // 03:00 CEST, the end of the skipped hour
        '2026-03-30T00:30:00.000Z',
      ]);
      assert.deepEqual(ticks(new CronSchedule('0 2 * * *', 'Europe/Berlin'), '2026-10-23T12:00:00Z', '2026-10-27T00:00:00Z'), [
        '2026-10-24T00:00:00.000Z',
        '2026-10-25T00:00:00.000Z', // 02:00 CEST, the first of the two
        '2026-10-26T01:00:00.000Z',
      ]);
    });

    it("'30 1 * * *' in Europe/Berlin is untouched by the change at 02:00/03:00", () => {
      assert.deepEqual(ticks(new CronSchedule('30 1 * * *', 'Europe/Berlin'), '2026-03-28T00:00:00Z', '2026-03-31T00:00:00Z'), [
        '2026-03-28T00:30:00.000Z',
        '2026-03-29T00:30:00.000Z', // still CET: the clocks change at 02:00
        '2026-03-29T23:30:00.000Z', // CEST from here on
        '2026-03-30T23:30:00.000Z',
      ]);
    });

    it('an hourly cron runs every real hour: 23 runs on the spring-forward day, 25 on the fall-back day', () => {
      const hourly = new CronSchedule('@hourly', 'America/New_York');
      const spring = ticks(hourly, '2026-03-08T04:59:00Z', '2026-03-09T04:00:00Z'); // local midnight to midnight
      const fall = ticks(hourly, '2026-11-01T03:59:00Z', '2026-11-02T05:00:00Z');
      assert.equal(spring.length, 23);
      assert.equal(fall.length, 25);
      for (const list of [spring, fall]) {
        assertIncreasing(list);
        for (let i = 1; i < list.length; i++) assert.equal(d(list[i] as string).getTime() - d(list[i - 1] as string).getTime(), HOUR);
      }
    });

    it('daily intervals over a DST change are 23 or 25 hours long, never empty', () => {
      for (const [expression, tz] of [
        ['0 2 * * *', 'America/New_York'],
        ['30 1 * * *', 'America/New_York'],
        ['0 2 * * *', 'Europe/Berlin'],
        ['30 2 * * *', 'Europe/Berlin'],
      ] as const) {
        const schedule = new CronSchedule(expression, tz);
        for (const [from, to] of [
          ['2026-03-01T00:00:00Z', '2026-04-05T00:00:00Z'],
          ['2026-10-20T00:00:00Z', '2026-11-10T00:00:00Z'],
        ] as const) {
          for (const interval of intervalsInRange(schedule, d(from), d(to))) {
            const hours = (interval.end.getTime() - interval.start.getTime()) / HOUR;
            assert.ok(hours >= 23 && hours <= 25, `${expression} ${tz}: ${show(interval)} is ${hours}h`);
            assert.equal(iso(intervalFor(schedule, interval.start).end), iso(interval.end));
            assert.equal(iso(schedule.prev(interval.end)), iso(interval.start));
          }
        }
      }
    });
  });

  describe('month ends', () => {
    it("'0 0 31 * *' runs only in months with a 31st", () => {
      const list = ticks(new CronSchedule('0 0 31 * *', 'UTC'), '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z');
      assert.deepEqual(
        list.map((t) => t.slice(0, 10)),
        ['2026-01-31', '2026-03-31', '2026-05-31', '2026-07-31', '2026-08-31', '2026-10-31', '2026-12-31'],
      );
      const schedule = new CronSchedule('0 0 31 * *', 'UTC');
      assert.equal(show(intervalFor(schedule, d('2026-01-31T00:00:00Z'))), '2026-01-31T00:00:00.000Z → 2026-03-31T00:00:00.000Z');
      assert.equal(iso(schedule.prev(d('2026-03-31T00:00:00Z'))), '2026-01-31T00:00:00.000Z');
    });

    it('@monthly across February, in a leap year (2028) and not (2027)', () => {
      const monthly = new CronSchedule('@monthly', 'UTC');
      const days = (i: DataInterval) => (i.end.getTime() - i.start.getTime()) / 86_400_000;
      assert.equal(days(intervalFor(monthly, d('2028-02-10T00:00:00Z'))), 29);
      assert.equal(days(intervalFor(monthly, d('2027-02-10T00:00:00Z'))), 28);
      assert.equal(days(intervalFor(monthly, d('2028-01-31T23:59:59Z'))), 31);
    });

    it("'0 0 29 2 *' runs on leap days only", () => {
      const leap = new CronSchedule('0 0 29 2 *', 'UTC');
      assert.equal(iso(leap.next(d('2026-01-01T00:00:00Z'))), '2028-02-29T00:00:00.000Z');
      assert.equal(iso(leap.next(d('2028-02-29T00:00:00Z'))), '2032-02-29T00:00:00.000Z');
      assert.equal(iso(leap.prev(d('2032-01-01T00:00:00Z'))), '2028-02-29T00:00:00.000Z');
    });

    it('@monthly in a zone: the interval is local month to local month', () => {
      const monthly = new CronSchedule('@monthly', 'Europe/Berlin');
      assert.equal(show(intervalFor(monthly, d('2026-03-15T00:00:00Z'))), '2026-02-28T23:00:00.000Z → 2026-03-31T22:00:00.000Z');
    });
  });
});

describe('data intervals', () => {
  const daily = new CronSchedule('@daily', 'UTC');

  it('intervalFor: a tick starts its interval; another date belongs to the interval of the latest tick before it', () => {
    assert.equal(show(intervalFor(daily, d('2026-01-05T00:00:00Z'))), '2026-01-05T00:00:00.000Z → 2026-01-06T00:00:00.000Z');
    assert.equal(show(intervalFor(daily, d('2026-01-05T13:30:00Z'))), '2026-01-05T00:00:00.000Z → 2026-01-06T00:00:00.000Z');
  });

  it('firstInterval starts at the first tick at or after startDate', () => {
    assert.equal(show(firstInterval(daily, d('2026-01-01T00:00:00Z'))), '2026-01-01T00:00:00.000Z → 2026-01-02T00:00:00.000Z');
    assert.equal(show(firstInterval(daily, d('2026-01-01T06:00:00Z'))), '2026-01-02T00:00:00.000Z → 2026-01-03T00:00:00.000Z');
  });

  it('manualInterval is zero length at its time', () => {
    const at = d('2026-01-05T13:30:00.123Z');
    assert.equal(show(manualInterval(at)), '2026-01-05T13:30:00.123Z → 2026-01-05T13:30:00.123Z');
  });

  describe('nextIntervalToSchedule', () => {
    const base = { schedule: daily, startDate: d('2026-01-01T00:00:00Z') };

    it('with catchup, the first interval from startDate, then one after another', () => {
      const now = d('2026-01-10T12:00:00Z');
      const first = nextIntervalToSchedule({ ...base, catchup: true, now });
      assert.equal(show(first), '2026-01-01T00:00:00.000Z → 2026-01-02T00:00:00.000Z');
      const second = nextIntervalToSchedule({ ...base, catchup: true, lastScheduled: first, now });
      assert.equal(show(second), '2026-01-02T00:00:00.000Z → 2026-01-03T00:00:00.000Z');
    });

    it('without catchup, missed intervals are skipped but the latest complete one still runs', () => {
      const now = d('2026-01-10T12:00:00Z');
      assert.equal(show(nextIntervalToSchedule({ ...base, catchup: false, now })), '2026-01-09T00:00:00.000Z → 2026-01-10T00:00:00.000Z');
      const stale = { start: d('2026-01-02T00:00:00Z'), end: d('2026-01-03T00:00:00Z') };
      assert.equal(show(nextIntervalToSchedule({ ...base, catchup: false, lastScheduled: stale, now })), '2026-01-09T00:00:00.000Z → 2026-01-10T00:00:00.000Z');
      const recent = { start: d('2026-01-09T00:00:00Z'), end: d('2026-01-10T00:00:00Z') };
      assert.equal(show(nextIntervalToSchedule({ ...base, catchup: false, lastScheduled: recent, now })), '2026-01-10T00:00:00.000Z → 2026-01-11T00:00:00.000Z');
    });

    it('without catchup, when now is exactly a tick, the interval ending now is the latest complete one', () => {
      const now = d('2026-01-10T00:00:00Z');
      assert.equal(show(nextIntervalToSchedule({ ...base, catchup: false, now })), '2026-01-09T00:00:00.000Z → 2026-01-10T00:00:00.000Z');
    });

    it('before startDate, the first interval (not yet due) whatever catchup says', () => {
      const now = d('2025-12-01T00:00:00Z');
      for (const catchup of [true, false]) {
        assert.equal(show(nextIntervalToSchedule({ ...base, catchup, now })), '2026-01-01T00:00:00.000Z → 2026-01-02T00:00:00.000Z');
      }
    });

    it('may return an interval that has not ended yet: the caller waits for its end', () => {
      const now = d('2026-01-01T12:00:00Z');
      const next = nextIntervalToSchedule({ ...base, catchup: true, now });
      assert.equal(show(next), '2026-01-01T00:00:00.000Z → 2026-01-02T00:00:00.000Z');
      assert.ok(next && next.end > now);
    });

    it('startDate not on a tick: the first interval starts at the next tick', () => {
      const next = nextIntervalToSchedule({ schedule: daily, startDate: d('2026-01-01T06:00:00Z'), catchup: true, now: d('2026-02-01T00:00:00Z') });
      assert.equal(show(next), '2026-01-02T00:00:00.000Z → 2026-01-03T00:00:00.000Z');
    });

    it('stops after endDate: an interval is scheduled only if it starts at or before endDate', () => {
      const endDate = d('2026-01-03T00:00:00Z');
      const now = d('2026-02-01T00:00:00Z');
      const third = { start: d('2026-01-02T00:00:00Z'), end: d('2026-01-03T00:00:00Z') };
      assert.equal(show(nextIntervalToSchedule({ ...base, endDate, catchup: true, lastScheduled: third, now })), '2026-01-03T00:00:00.000Z → 2026-01-04T00:00:00.000Z');
      const last = { start: d('2026-01-03T00:00:00Z'), end: d('2026-01-04T00:00:00Z') };
      assert.equal(nextIntervalToSchedule({ ...base, endDate, catchup: true, lastScheduled: last, now }), null);
      assert.equal(nextIntervalToSchedule({ ...base, endDate, catchup: false, now }), null);
    });

    it('a full catchup walk creates every interval exactly once', () => {
      const now = d('2026-01-08T00:00:00Z');
      const created: string[] = [];
      let next = nextIntervalToSchedule({ ...base, catchup: true, now });
      while (next && next.end <= now) {
        created.push(iso(next.start).slice(0, 10));
        next = nextIntervalToSchedule({ ...base, catchup: true, lastScheduled: next, now });
      }
      assert.deepEqual(created, ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-06', '2026-01-07']);
    });

    it('re-aligns after a schedule change: the next interval starts at the first new tick at or before the last end', () => {
      const hourly = new CronSchedule('0 */6 * * *', 'UTC');
      const last = { start: d('2026-01-01T00:00:00Z'), end: d('2026-01-01T09:30:00Z') };
      const next = nextIntervalToSchedule({ schedule: hourly, startDate: base.startDate, catchup: true, lastScheduled: last, now: d('2026-01-02T00:00:00Z') });
      assert.equal(show(next), '2026-01-01T06:00:00.000Z → 2026-01-01T12:00:00.000Z');
    });
  });

  describe('intervalsInRange', () => {
    it('includes intervals starting exactly at from and at to', () => {
      const list = intervalsInRange(daily, d('2026-01-01T00:00:00Z'), d('2026-01-03T00:00:00Z'));
      assert.deepEqual(list.map(show), [
        '2026-01-01T00:00:00.000Z → 2026-01-02T00:00:00.000Z',
        '2026-01-02T00:00:00.000Z → 2026-01-03T00:00:00.000Z',
        '2026-01-03T00:00:00.000Z → 2026-01-04T00:00:00.000Z',
      ]);
    });

    it('only intervals whose start lies inside the range', () => {
      const list = intervalsInRange(daily, d('2026-01-01T06:00:00Z'), d('2026-01-03T05:00:00Z'));
      assert.deepEqual(list.map((i) => iso(i.start).slice(0, 10)), ['2026-01-02', '2026-01-03']);
      assert.deepEqual(intervalsInRange(daily, d('2026-01-01T06:00:00Z'), d('2026-01-01T07:00:00Z')), []);
      assert.deepEqual(intervalsInRange(daily, d('2026-01-05T00:00:00Z'), d('2026-01-01T00:00:00Z')), []);
    });

    it('refuses a range with too many intervals, saying why', () => {
      assert.throws(
        () => intervalsInRange(new CronSchedule('* * * * *', 'UTC'), d('2026-01-01T00:00:00Z'), d('2026-01-02T00:00:00Z'), 100),
        /^Error: 2026-01-01T00:00:00\.000Z to 2026-01-02T00:00:00\.000Z holds more than 100 intervals of schedule "\* \* \* \* \*"; use a shorter range$/,
      );
      assert.equal(intervalsInRange(daily, d('2026-01-01T00:00:00Z'), d('2026-01-03T00:00:00Z'), 3).length, 3);
    });

    it('a year of an hourly schedule', () => {
      const list = intervalsInRange(new CronSchedule('@hourly', 'Europe/Berlin'), d('2026-01-01T00:00:00Z'), d('2026-12-31T23:00:00Z'));
      assert.equal(list.length, 8760);
    });
  });
});
