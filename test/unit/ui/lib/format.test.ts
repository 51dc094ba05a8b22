import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeInstant,
  elapsedMs,
  formatDateTime,
  formatRelative,
  fromDateTimeInput,
  plural,
  prettyJson,
  toDateTimeInput,
  utcOffset,
} from '../../../../ui/src/lib/format.ts';

// The 'local' zone of these tests: one with daylight saving time, whatever the machine's zone is.
// ES module imports are evaluated before this line, which is fine: none of the modules above reads
// the local zone while loading, and Node re-reads TZ whenever it is assigned (checked below).
process.env.TZ = 'America/New_York';

/** Runs `fn` with another local zone, then puts New York back. */
function inZone(zone: string, fn: () => void): void {
  process.env.TZ = zone;
  try {
    fn();
  } finally {
    process.env.TZ = 'America/New_York';
  }
}

describe('the local zone of these tests', () => {
  it('is New York: UTC-5 in winter, UTC-4 in summer', () => {
    assert.equal(new Date('2026-01-15T12:00:00Z').getTimezoneOffset(), 300);
    assert.equal(new Date('2026-07-15T12:00:00Z').getTimezoneOffset(), 240);
  });
});

describe('formatDateTime', () => {
  it("reads the instant in UTC in 'utc' mode, zero-padded", () => {
    assert.equal(formatDateTime('2026-11-23T17:34:05Z', 'utc'), '2026-11-23 17:34:05');
    assert.equal(formatDateTime('2026-01-02T03:04:05.000Z', 'utc'), '2026-01-02 03:04:05');
    assert.equal(formatDateTime('2026-01-01T00:30:00+02:00', 'utc'), '2025-12-31 22:30:00');
  });

  it('drops milliseconds without rounding up', () => {
    assert.equal(formatDateTime('2026-12-31T23:59:59.999Z', 'utc'), '2026-12-31 23:59:59');
  });

  it('leaves the seconds out when asked', () => {
    assert.equal(formatDateTime('2026-11-23T17:34:05Z', 'utc', false), '2026-11-23 17:34');
    assert.equal(formatDateTime('2026-11-23T17:34:05Z', 'local', false), '2026-11-23 12:34');
  });

  it("reads the instant in the browser's zone in 'local' mode, across days and seasons", () => {
    assert.equal(formatDateTime('2026-01-15T12:00:00Z', 'local'), '2026-01-15 07:00:00');
    assert.equal(formatDateTime('2026-07-15T12:00:00Z', 'local'), '2026-07-15 08:00:00');
    assert.equal(formatDateTime('2026-01-01T03:00:00Z', 'local'), '2025-12-31 22:00:00');
  });

  it('follows the DST boundaries of the local zone', () => {
    // Spring forward: 01:59:59 EST is followed by 03:00:00 EDT.
    assert.equal(formatDateTime('2026-03-08T06:59:59Z', 'local'), '2026-03-08 01:59:59');
    assert.equal(formatDateTime('2026-03-08T07:00:00Z', 'local'), '2026-03-08 03:00:00');
    // Fall back: 01:30 happens twice, an hour apart.
    assert.equal(formatDateTime('2026-11-01T05:30:00Z', 'local'), '2026-11-01 01:30:00');
    assert.equal(formatDateTime('2026-11-01T06:30:00Z', 'local'), '2026-11-01 01:30:00');
    assert.equal(formatDateTime('2026-11-01T07:30:00Z', 'local'), '2026-11-01 02:30:00');
  });

  it('gives an empty string for a missing or unreadable time', () => {
    for (const mode of ['utc', 'local'] as const) {
      assert.equal(formatDateTime(null, mode), '');
      assert.equal(formatDateTime(undefined, mode), '');
      assert.equal(formatDateTime('', mode), '');
      assert.equal(formatDateTime('not a date', mode), '');
    }
  });
});

describe('utcOffset', () => {
  it("is the local zone's offset at that instant", () => {
    assert.equal(utcOffset(new Date('2026-01-15T12:00:00Z')), '-05:00');
    assert.equal(utcOffset(new Date('2026-07-15T12:00:00Z')), '-04:00');
    assert.equal(utcOffset(new Date('2026-03-08T06:59:59Z')), '-05:00');
    assert.equal(utcOffset(new Date('2026-03-08T07:00:00Z')), '-04:00');
  });

  it('writes zero as +00:00 and keeps the minutes of half-hour zones, on both sides of UTC', () => {
    inZone('UTC', () => assert.equal(utcOffset(new Date('2026-01-15T12:00:00Z')), '+00:00'));
    inZone('Asia/Kolkata', () => assert.equal(utcOffset(new Date('2026-01-15T12:00:00Z')), '+05:30'));
    inZone('Asia/Kathmandu', () => assert.equal(utcOffset(new Date('2026-01-15T12:00:00Z')), '+05:45'));
    inZone('America/St_Johns', () => assert.equal(utcOffset(new Date('2026-01-15T12:00:00Z')), '-03:30'));
  });
});

describe('describeInstant', () => {
  it('shows the instant in UTC and in the local zone with its offset', () => {
    assert.equal(describeInstant('2026-07-15T12:00:00Z'), '2026-07-15T12:00:00.000Z (UTC)\n2026-07-15 08:00:00 (local, UTC-04:00)');
    assert.equal(describeInstant('2026-01-15T12:00:00+01:00'), '2026-01-15T11:00:00.000Z (UTC)\n2026-01-15 06:00:00 (local, UTC-05:00)');
  });

  it('is empty for a missing or unreadable time', () => {
    assert.equal(describeInstant(null), '');
    assert.equal(describeInstant(undefined), '');
    assert.equal(describeInstant(''), '');
    assert.equal(describeInstant('yesterday'), '');
  });
});

describe('formatRelative', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  const SECOND = 1_000;
  const MINUTE = 60 * SECOND;
  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;
  const ago = (ms: number) => formatRelative(new Date(now - ms).toISOString(), now);
  const ahead = (ms: number) => formatRelative(new Date(now + ms).toISOString(), now);

  it("says 'just now' within 5 seconds either way", () => {
    assert.equal(ago(0), 'just now');
    assert.equal(ago(4 * SECOND), 'just now');
    assert.equal(ahead(4 * SECOND), 'just now');
    assert.equal(ago(4_400), 'just now');
    assert.equal(ago(4_600), '5 s ago');
    assert.equal(ago(5 * SECOND), '5 s ago');
    assert.equal(ahead(5 * SECOND), 'in 5 s');
  });

  it('uses seconds, minutes, hours, days, months and years, rounding down', () => {
    assert.equal(ago(59 * SECOND), '59 s ago');
    assert.equal(ago(60 * SECOND), '1 min ago');
    assert.equal(ago(3 * MINUTE + 59 * SECOND), '3 min ago');
    assert.equal(ago(59 * MINUTE + 59 * SECOND), '59 min ago');
    assert.equal(ago(HOUR), '1 h ago');
    assert.equal(ago(23 * HOUR + 59 * MINUTE), '23 h ago');
    assert.equal(ago(DAY), '1 d ago');
    assert.equal(ago(44 * DAY), '44 d ago');
    assert.equal(ago(45 * DAY), '1 mo ago');
    assert.equal(ago(364 * DAY), '12 mo ago');
    assert.equal(ago(365 * DAY), '1 y ago');
    assert.equal(ago(800 * DAY), '2 y ago');
  });

  it("puts future times as 'in …'", () => {
    assert.equal(ahead(90 * SECOND), 'in 1 min');
    assert.equal(ahead(2 * HOUR + 10 * MINUTE), 'in 2 h');
    assert.equal(ahead(3 * DAY), 'in 3 d');
    assert.equal(ahead(60 * DAY), 'in 2 mo');
    assert.equal(ahead(3 * 365 * DAY), 'in 3 y');
  });

  it('is empty for a missing or unreadable time', () => {
    assert.equal(formatRelative(null, now), '');
    assert.equal(formatRelative(undefined, now), '');
    assert.equal(formatRelative('', now), '');
    assert.equal(formatRelative('soon', now), '');
  });
});

describe('elapsedMs', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');

  it('is the time from start to end when both are known', () => {
    assert.equal(elapsedMs('2026-06-01T10:00:00Z', '2026-06-01T10:01:30.250Z', now), 90_250);
    assert.equal(elapsedMs('2026-06-01T10:00:00Z', '2026-06-01T10:00:00Z', now), 0);
  });

  it('measures to now when there is no end yet', () => {
    assert.equal(elapsedMs('2026-06-01T11:59:00Z', null, now), 60_000);
    assert.equal(elapsedMs('2026-06-01T11:59:00Z', undefined, now), 60_000);
    assert.equal(elapsedMs('2026-06-01T11:59:00Z', '', now), 60_000);
  });

  it('is never negative (an end before the start, or a start after now)', () => {
    assert.equal(elapsedMs('2026-06-01T10:00:00Z', '2026-06-01T09:00:00Z', now), 0);
    assert.equal(elapsedMs('2026-06-01T12:00:05Z', null, now), 0);
  });

  it('is null without a start or with an unreadable time', () => {
    assert.equal(elapsedMs(null, '2026-06-01T10:00:00Z', now), null);
    assert.equal(elapsedMs(undefined, null, now), null);
    assert.equal(elapsedMs('', null, now), null);
    assert.equal(elapsedMs('garbage', null, now), null);
    assert.equal(elapsedMs('2026-06-01T10:00:00Z', 'garbage', now), null);
  });
});

describe('prettyJson', () => {
  it('indents JSON by two spaces', () => {
    assert.equal(prettyJson({ a: 1, b: [true, null] }), '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}');
    assert.equal(prettyJson('text'), '"text"');
    assert.equal(prettyJson(null), 'null');
  });

  it('shows a value JSON has no text for as a string instead of returning undefined', () => {
    assert.equal(prettyJson(undefined), 'undefined');
  });
});

describe('plural', () => {
  it('picks the singular only for exactly one and groups thousands', () => {
    assert.equal(plural(1, 'run'), '1 run');
    assert.equal(plural(0, 'run'), '0 runs');
    assert.equal(plural(2, 'run'), '2 runs');
    assert.equal(plural(1234567, 'run'), '1,234,567 runs');
  });

  it('takes an irregular plural', () => {
    assert.equal(plural(1, 'entry', 'entries'), '1 entry');
    assert.equal(plural(3, 'entry', 'entries'), '3 entries');
  });
});

describe('toDateTimeInput', () => {
  it("is a datetime-local value in the chosen zone, with seconds", () => {
    assert.equal(toDateTimeInput('2026-11-23T17:34:05Z', 'utc'), '2026-11-23T17:34:05');
    assert.equal(toDateTimeInput('2026-11-23T17:34:05Z', 'local'), '2026-11-23T12:34:05');
    assert.equal(toDateTimeInput('2026-07-01T02:00:00Z', 'local'), '2026-06-30T22:00:00');
  });
});

describe('fromDateTimeInput', () => {
  it('reads a value in UTC, with or without seconds', () => {
    assert.equal(fromDateTimeInput('2026-11-23T17:34', 'utc'), '2026-11-23T17:34:00.000Z');
    assert.equal(fromDateTimeInput('2026-11-23T17:34:05', 'utc'), '2026-11-23T17:34:05.000Z');
    assert.equal(fromDateTimeInput('  2026-11-23T17:34:05 ', 'utc'), '2026-11-23T17:34:05.000Z');
  });

  it('reads a value in the local zone, with the offset in force on that date', () => {
    assert.equal(fromDateTimeInput('2026-01-15T07:00', 'local'), '2026-01-15T12:00:00.000Z');
    assert.equal(fromDateTimeInput('2026-07-15T08:00:00', 'local'), '2026-07-15T12:00:00.000Z');
    assert.equal(fromDateTimeInput('2025-12-31T22:00', 'local'), '2026-01-01T03:00:00.000Z');
  });

  it('reads wall-clock times at the DST boundaries as the language defines them', () => {
    assert.equal(fromDateTimeInput('2026-03-08T01:59:59', 'local'), '2026-03-08T06:59:59.000Z');
    assert.equal(fromDateTimeInput('2026-03-08T03:00', 'local'), '2026-03-08T07:00:00.000Z');
    // 02:30 does not exist that night: it is read with the offset before the change (EST).
    assert.equal(fromDateTimeInput('2026-03-08T02:30', 'local'), '2026-03-08T07:30:00.000Z');
    // 01:30 happens twice: the earlier one (EDT) is taken.
    assert.equal(fromDateTimeInput('2026-11-01T01:30', 'local'), '2026-11-01T05:30:00.000Z');
  });

  it('gives back the instant toDateTimeInput showed, in both modes', () => {
    const instants = [
      '2026-11-23T17:34:05.000Z',
      '2026-01-01T00:00:00.000Z',
      '2024-02-29T23:59:59.000Z',
      '2026-03-08T06:59:59.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '1999-12-31T23:59:59.000Z',
    ];
    for (const mode of ['utc', 'local'] as const) {
      for (const iso of instants) assert.equal(fromDateTimeInput(toDateTimeInput(iso, mode), mode), iso, `${iso} in ${mode}`);
    }
  });

  it('gives back the value that was typed, in both modes', () => {
    for (const mode of ['utc', 'local'] as const) {
      for (const value of ['2026-11-23T17:34:05', '2026-07-04T00:00:00', '2026-03-08T03:00:00', '2024-02-29T12:00:01']) {
        const iso = fromDateTimeInput(value, mode);
        assert.ok(iso, `${value} in ${mode}`);
        assert.equal(toDateTimeInput(iso, mode), value, `${value} in ${mode}`);
      }
    }
  });

  it('rejects empty and incomplete values and other formats', () => {
    const rejected = [
      '',
      '   ',
      '2026-11-23',
      '2026-11-23T',
      '2026-11-23T17',
      '2026-11-23T17:3',
      '2026-11-23T17:34:5',
      '2026-11-23 17:34',
      '26-11-23T17:34',
      '2026-1-23T17:34',
      '2026-11-23T17:34:05Z',
      '2026-11-23T17:34+01:00',
      'T17:34',
      'tomorrow',
    ];
    for (const mode of ['utc', 'local'] as const) {
      for (const value of rejected) assert.equal(fromDateTimeInput(value, mode), null, JSON.stringify(value));
    }
  });

  it('rejects values that are not a real date and time instead of rolling them over', () => {
    for (const value of ['2026-02-30T10:00', '2025-02-29T10:00', '2026-13-01T10:00', '2026-00-10T10:00', '2026-01-01T24:00', '2026-01-01T10:60', '2026-01-01T10:00:60', '0050-01-01T00:00']) {
      assert.equal(fromDateTimeInput(value, 'utc'), null, value);
      assert.equal(fromDateTimeInput(value, 'local'), null, value);
    }
    assert.equal(fromDateTimeInput('2028-02-29T10:00', 'utc'), '2028-02-29T10:00:00.000Z');
    assert.equal(fromDateTimeInput('2000-02-29T00:00', 'utc'), '2000-02-29T00:00:00.000Z');
  });
});
