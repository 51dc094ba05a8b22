/**
 * CronSchedule against a brute-force reference: every minute around each DST change of several
 * zones, local times from toLocaleString (not the code under test), and a small cron matcher
 * written here. The rules being checked are documented on CronSchedule.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CronExpressionParser } from 'cron-parser';
import { CronSchedule } from '../../../src/core/cron-schedule.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function fieldValues(field: string, min: number, max: number): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    const [lo, hi] = range === '*' ? [min, max] : range.includes('-') ? range.split('-').map(Number) : [Number(range), stepText ? max : Number(range)];
    for (let v = lo ?? min; v <= (hi ?? max); v += step) values.add(v);
  }
  return values;
}

/** Matches a wall time (ms, read as UTC). Only for crons that do not restrict both day fields. */
function matcher(cron: string): (wall: number) => boolean {
  const [mi = '', h = '', dom = '', mon = '', dow = ''] = cron.split(' ');
  const [minutes, hours, days, months, weekdays] = [
    fieldValues(mi, 0, 59),
    fieldValues(h, 0, 23),
    fieldValues(dom, 1, 31),
    fieldValues(mon, 1, 12),
    fieldValues(dow, 0, 6),
  ];
  return (wall) => {
    const d = new Date(wall);
    return (
      minutes.has(d.getUTCMinutes()) &&
      hours.has(d.getUTCHours()) &&
      days.has(d.getUTCDate()) &&
      months.has(d.getUTCMonth() + 1) &&
      weekdays.has(d.getUTCDay())
    );
  };
}

// Swedish dates read 'YYYY-MM-DD HH:MM:SS'; format() rather than the formatToParts() the code under test uses.
const formats = new Map<string, Intl.DateTimeFormat>();
function localWall(ms: number, timeZone: string): number {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('sv-SE', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formats.set(timeZone, format);
  }
  return Date.parse(`${format.format(ms).replace(' ', 'T')}Z`);
}

/** The zone's offset changes in [from, to), found by hourly sampling and bisection, and its offset at any instant. */
function zoneClock(timeZone: string, from: number, to: number): { changes: number[]; wall: (ms: number) => number } {
  const offset = (ms: number) => localWall(ms, timeZone) - Math.floor(ms / 1000) * 1000;
  const changes: number[] = [];
  const offsets = [offset(from)];
  for (let t = from; t < to; t += HOUR) {
    if (offset(t) === offset(t + HOUR)) continue;
    let lo = t;
    let hi = t + HOUR;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (offset(mid) === offset(lo)) lo = mid;
      else hi = mid;
    }
    changes.push(hi);
    offsets.push(offset(hi));
  }
  const wall = (ms: number) => {
    let i = 0;
    while (i < changes.length && (changes[i] as number) <= ms) i++;
    return ms + (offsets[i] as number);
  };
  return { changes, wall };
}

function referenceTicks(cron: string, wallOf: (ms: number) => number, from: number, to: number): number[] {
  const matches = matcher(cron);
  const everyHour = cron.split(' ')[1] === '*';
  const seen = new Set<number>();
  const ticks: number[] = [];
  let previousWall: number | null = null;
  for (let t = from; t <= to; t += MINUTE) {
    const wall = wallOf(t);
    let tick = matches(wall) && (everyHour || !seen.has(wall));
    if (!everyHour && previousWall !== null && wall - previousWall > MINUTE) {
      for (let skipped = previousWall + MINUTE; skipped < wall; skipped += MINUTE) if (matches(skipped)) tick = true;
    }
    seen.add(wall);
    previousWall = wall;
    if (tick) ticks.push(t);
  }
  return ticks;
}

const ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'America/Havana', 'Pacific/Chatham', 'Asia/Kolkata'];
const CRONS = [
  '0 2 * * *',
  '30 1 * * *',
  '30 2 * * *',
  '0 0 * * *',
  '0 3 * * *',
  '15 1-3 * * *',
  '* 2 * * *',
  '0 */2 * * *',
  '0 0,12 * * *',
  '0 2 * * 0',
  '*/15 * * * *',
  '0 * * * *',
  '45 * * * *',
];

describe('CronSchedule matches a brute-force reference around DST changes', () => {
  for (const timeZone of ZONES) {
    const clock = zoneClock(timeZone, Date.UTC(2025, 11, 1), Date.UTC(2027, 1, 1));
    const changes = clock.changes.filter((t) => t >= Date.UTC(2026, 0, 1) && t < Date.UTC(2027, 0, 1));
    // Kolkata has no DST: one window in the middle of the year checks the plain case.
    const centres = changes.length > 0 ? changes : [Date.UTC(2026, 6, 1)];
    for (const centre of centres) {
      const from = Math.floor((centre - DAY) / MINUTE) * MINUTE;
      const to = from + 2 * DAY;
      for (const cron of CRONS) {
        it(`${cron} in ${timeZone} around ${new Date(centre).toISOString()}`, () => {
          const margin = cron.endsWith(' 0') ? 8 * DAY : 2 * DAY;
          const ticks = referenceTicks(cron, clock.wall, from - margin, to + margin);
          const schedule = new CronSchedule(cron, timeZone);
          const show = (ms: number | undefined) => (ms === undefined ? 'none' : new Date(ms).toISOString());

          const walked: number[] = [];
          for (let t = schedule.next(new Date(from)).getTime(); t < to; t = schedule.next(new Date(t)).getTime()) walked.push(t);
          assert.deepEqual(walked.map(show), ticks.filter((t) => t > from && t < to).map(show), 'ticks walked with next()');

          const nearChange = ticks.filter((t) => Math.abs(t - centre) <= 3 * HOUR);
          const probes = [...nearChange.flatMap((t) => [t - 1, t, t + 1])];
          for (let x = from; x < to; x += 23 * MINUTE + 13_000) probes.push(x);
          for (const probe of probes) {
            const expectedNext = ticks.find((t) => t > probe);
            const expectedPrev = ticks.findLast((t) => t < probe);
            assert.equal(show(schedule.next(new Date(probe)).getTime()), show(expectedNext), `next(${show(probe)})`);
            assert.equal(show(schedule.prev(new Date(probe)).getTime()), show(expectedPrev), `prev(${show(probe)})`);
          }
          for (const t of nearChange) assert.ok(schedule.isTick(new Date(t)) && !schedule.isTick(new Date(t + 1)), `isTick(${show(t)})`);
        });
      }
    }
  }
});

describe('CronSchedule finds the same wall times as cron-parser itself', () => {
  // CronSchedule asks cron-parser only where each day's ticks begin and end, and looks up the
  // times within a day itself. In UTC a wall time is the instant, so cron-parser, asked for every
  // tick, is the reference: day fields of every kind, around midnights and month and year ends.
  const DAY_CRONS = ['* * * * *', '59 23 * * *', '0 0 * * *', '*/7 3-5,22 * * *', '0 12 L * *', '30 6 1,15 * 1-5', '0 9 * * 6,0', '0 0 29 2 *', '15 */6 31 * *', '0 0 1 1 *'];
  const probes: number[] = [];
  for (const midnight of [Date.UTC(2024, 1, 28), Date.UTC(2024, 1, 29), Date.UTC(2026, 0, 1), Date.UTC(2026, 2, 31), Date.UTC(2026, 11, 31)]) {
    for (const delta of [-MINUTE - 1, -MINUTE, -1, 0, 1, MINUTE - 1, MINUTE, 12 * HOUR + 17_000]) probes.push(midnight + delta);
  }
  for (let x = Date.UTC(2026, 0, 1); x < Date.UTC(2026, 2, 1); x += 7 * HOUR + 31 * MINUTE + 7_000) probes.push(x);
  for (const cron of DAY_CRONS) {
    it(cron, () => {
      const schedule = new CronSchedule(cron, 'UTC');
      const reference = CronExpressionParser.parse(cron, { tz: 'UTC', currentDate: new Date(Date.UTC(2000, 0, 1)) });
      for (const probe of probes) {
        reference.reset(new Date(probe));
        assert.equal(schedule.next(new Date(probe)).toISOString(), reference.next().toISOString(), `next(${new Date(probe).toISOString()})`);
        reference.reset(new Date(probe));
        assert.equal(schedule.prev(new Date(probe)).toISOString(), reference.prev().toISOString(), `prev(${new Date(probe).toISOString()})`);
      }
      // Walked tick by tick, as a backfill lists its intervals: over two months, or 3,000 ticks.
      let t = new Date(Date.UTC(2026, 0, 1) - 1);
      reference.reset(t);
      for (let i = 0; i < 3000 && t.getTime() < Date.UTC(2026, 2, 1); i++) {
        t = schedule.next(t);
        assert.equal(t.toISOString(), reference.next().toISOString());
      }
    });
  }
});
