import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLog } from '../../src/log-format.ts';
import { clearedTasks, type ClearScope } from '../../ui/src/lib/clear-preview.ts';
import { filterDags, tagsOf, type DagFilter, type FilterableDag } from '../../ui/src/lib/dag-filter.ts';
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
} from '../../ui/src/lib/format.ts';
import { BAR_MAX_PX, BAR_MIN_PX, cellSignature, moveInGrid, cellsSignature, runBarHeights } from '../../ui/src/lib/grid-model.ts';
import { jsonErrorOffset, parseJsonObject } from '../../ui/src/lib/json-input.ts';
import { splitLog } from '../../ui/src/lib/log-lines.ts';
import { DAG_TABS, href, parseRoute } from '../../ui/src/lib/routes.ts';

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

describe('parseJsonObject', () => {
  it('reads empty or blank text as no value', () => {
    assert.deepEqual(parseJsonObject(''), { ok: true, value: undefined });
    assert.deepEqual(parseJsonObject('  \n\t '), { ok: true, value: undefined });
  });

  it('reads a JSON object, an empty one included', () => {
    assert.deepEqual(parseJsonObject('{"a": 1, "b": {"c": [1, "x", null]}}'), { ok: true, value: { a: 1, b: { c: [1, 'x', null] } } });
    assert.deepEqual(parseJsonObject(' {}\n'), { ok: true, value: {} });
  });

  it('rejects JSON that is not an object, saying what it is', () => {
    const expect = (got: string) => ({ ok: false, message: `must be a JSON object like {"key": "value"}, not ${got}` });
    assert.deepEqual(parseJsonObject('[1, 2]'), expect('an array'));
    assert.deepEqual(parseJsonObject('[]'), expect('an array'));
    assert.deepEqual(parseJsonObject('null'), expect('null'));
    assert.deepEqual(parseJsonObject('42'), expect('a number'));
    assert.deepEqual(parseJsonObject('"text"'), expect('a string'));
    assert.deepEqual(parseJsonObject('true'), expect('a boolean'));
  });

  /** The message of a failed parse, or a test failure. */
  function failure(text: string): string {
    const result = parseJsonObject(text);
    assert.equal(result.ok, false, `${JSON.stringify(text)} should not parse`);
    return result.ok ? '' : result.message;
  }

  it('points at a missing comma on the line where the next property starts', () => {
    const text = '{\n  "a": 1\n  "b": 2\n}';
    assert.match(failure(text), /^is not valid JSON at line 3, column 3: /);
  });

  it('points at a raw line break inside a string', () => {
    const text = '{\n "a": "x\ny"\n}';
    assert.match(failure(text), /^is not valid JSON at line 2, column 9: /);
  });

  it('points at what follows a closed object', () => {
    assert.match(failure('{\n "a": 1 }\n}'), /^is not valid JSON at line 3, column 1: /);
    assert.match(failure('{"a": 1} x'), /^is not valid JSON at line 1, column 10: /);
  });

  it('counts columns from 1 on the first line', () => {
    assert.match(failure('{"a": 1,}'), /^is not valid JSON at line 1, column 9: /);
    assert.match(failure("{'a': 1}"), /^is not valid JSON at line 1, column 2: /);
  });

  it('says where the text ended early', () => {
    assert.match(failure('{\n  "a": 1'), /^is not valid JSON at line 2, column 9: /);
  });

  it('points at an unexpected word, a doubled comma and a single quote', () => {
    assert.match(failure('{\n  "a": undefined\n}'), /^is not valid JSON at line 2, column 8: /);
    assert.match(failure('{\n  "a": [1, 2,, 3]\n}'), /^is not valid JSON at line 2, column 14: /);
    assert.match(failure("{\n  \"a\": 1,\n  'b': 2\n}"), /^is not valid JSON at line 3, column 3: /);
    // `tru` is read as far as it goes: the line break after it is where it stops being `true`.
    assert.match(failure('{\n  "a": 1,\n  "b": tru\n}'), /^is not valid JSON at line 3, column 11: /);
  });

  it('counts columns on the line even with Windows line ends', () => {
    assert.match(failure('{\r\n  "a": 1,\r\n  "b": x\r\n}'), /^is not valid JSON at line 3, column 8: /);
  });

  it('says what is probably wrong', () => {
    assert.match(failure('{\n  "a": 1,\n}'), /at line 3, column 1: a trailing comma is not allowed$/);
    assert.match(failure('{"a": [1, 2, ]}'), /at line 1, column 14: a trailing comma is not allowed$/);
    assert.match(failure('{\n  "a": 1\n  "b": 2\n}'), /: unexpected "\\"": is a comma missing before it\?$/);
    assert.match(failure('{"a": true "b": 2}'), /at line 1, column 12: unexpected "\\"": is a comma missing before it\?$/);
    assert.match(failure("{'a': 1}"), /: JSON strings and keys take double quotes, not single quotes$/);
    assert.match(failure('{\n  "a": [1, 2'), /at line 2, column 13: it ends too early/);
    assert.match(failure('{"a": "unclosed}'), /at line 1, column 17: it ends too early/);
    assert.match(failure('{"a": x}'), /: unexpected "x"$/);
  });

  it('reports invalid JSON nested deeper than the scanner can follow instead of throwing', () => {
    assert.deepEqual(parseJsonObject(`{"a":${'['.repeat(20_000)}`), {
      ok: false,
      message: 'is not valid JSON (and nests too deeply to point at the mistake)',
    });
  });
});

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on what is valid', () => {
    const texts = [
      '{}', '[]', '1', '-0', '0.5e-3', '1E+2', '"\\u00e9\\n\\/"', 'true', 'null', ' [true, false, null] ', '{"a":{"b":[1,{"c":""}]}}',
      '', ' ', '-', '01', '-01', '1.', '.5', '1e', '+1', '0x10', 'NaN', 'Infinity', 'tru', 'nul', 'null x', '"\\u12"', '"\\x"',
      '"a\tb"', '"abc', '[1,]', '[1 2]', '{,}', '{"a"}', '{"a" 1}', '{1: 2}', '{"a":1}}', '\u00a0{}', '\ufeff{}', "{'a': 1}",
    ];
    for (const text of texts) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      assert.equal(jsonErrorOffset(text) === -1, valid, JSON.stringify(text));
    }
  });

  it('is the offset of the first character that cannot be JSON, or the length when the text ends early', () => {
    assert.equal(jsonErrorOffset('{"a":1,}'), 7);
    assert.equal(jsonErrorOffset('[1 2]'), 3);
    assert.equal(jsonErrorOffset('01'), 1);
    assert.equal(jsonErrorOffset('"\\u12"'), 5);
    assert.equal(jsonErrorOffset('"a\tb"'), 2);
    assert.equal(jsonErrorOffset('{"a":1} x'), 8);
    assert.equal(jsonErrorOffset('"abc'), 4);
    assert.equal(jsonErrorOffset('[1, [2'), 6);
    assert.equal(jsonErrorOffset(''), 0);
  });
});

describe('routes', () => {
  /** What the app's router reads: the pathname of the address a link leads to. */
  const pathOf = (link: string) => new URL(link, 'http://sluice.test').pathname;

  it('reads the top-level pages, with or without a trailing slash', () => {
    assert.deepEqual(parseRoute('/'), { page: 'dags' });
    assert.deepEqual(parseRoute(''), { page: 'dags' });
    assert.deepEqual(parseRoute('/dags'), { page: 'dags' });
    assert.deepEqual(parseRoute('/dags/'), { page: 'dags' });
    assert.deepEqual(parseRoute('/backfills'), { page: 'backfills' });
    assert.deepEqual(parseRoute('/backfills/'), { page: 'backfills' });
    assert.deepEqual(parseRoute(href.dags()), { page: 'dags' });
    assert.deepEqual(parseRoute(href.backfills()), { page: 'backfills' });
  });

  it('builds and reads every tab of a DAG page, the grid without a suffix', () => {
    assert.equal(href.dag('etl'), '/dags/etl');
    assert.equal(href.dag('etl', 'grid'), '/dags/etl');
    assert.equal(href.dag('etl', 'graph'), '/dags/etl/graph');
    for (const tab of DAG_TABS) assert.deepEqual(parseRoute(href.dag('etl', tab)), { page: 'dag', dagId: 'etl', tab });
    assert.deepEqual(parseRoute('/dags/etl/grid'), { page: 'dag', dagId: 'etl', tab: 'grid' });
    assert.deepEqual(parseRoute('/dags/etl/'), { page: 'dag', dagId: 'etl', tab: 'grid' });
  });

  it('reads the runs tab, not a run, when no run id follows', () => {
    assert.deepEqual(parseRoute('/dags/etl/runs'), { page: 'dag', dagId: 'etl', tab: 'runs' });
    assert.deepEqual(parseRoute('/dags/etl/runs/'), { page: 'dag', dagId: 'etl', tab: 'runs' });
  });

  it('builds and reads run and task pages', () => {
    assert.equal(href.run('etl', 'manual__1'), '/dags/etl/runs/manual__1');
    assert.equal(href.task('etl', 'manual__1', 'load'), '/dags/etl/runs/manual__1/tasks/load');
    assert.deepEqual(parseRoute(href.run('etl', 'manual__1')), { page: 'run', dagId: 'etl', runId: 'manual__1' });
    assert.deepEqual(parseRoute(href.task('etl', 'manual__1', 'load')), { page: 'task', dagId: 'etl', runId: 'manual__1', taskId: 'load' });
  });

  it('puts a try number in the query, where the path does not see it', () => {
    assert.equal(href.task('etl', 'r', 'load', 3), '/dags/etl/runs/r/tasks/load?try=3');
    assert.equal(new URL(href.task('etl', 'r', 'load', 3), 'http://sluice.test').searchParams.get('try'), '3');
    assert.deepEqual(parseRoute(pathOf(href.task('etl', 'r', 'load', 3))), { page: 'task', dagId: 'etl', runId: 'r', taskId: 'load' });
    assert.equal(href.task('etl', 'r', 'load', undefined), '/dags/etl/runs/r/tasks/load');
  });

  it('round-trips ids holding any character, through the browser\'s URL parsing', () => {
    const ids = [
      'a/b',
      '/leading/and/trailing/',
      '100%',
      '%41',
      'with space',
      'a?b#c&d=e',
      'ünïcødé',
      '日本語',
      'rocket 🚀',
      'runs',
      'tasks',
      'dags',
      'backfills',
      'grid',
      'manual__2026-01-01T00:00:00+00:00',
    ];
    for (const id of ids) {
      const message = JSON.stringify(id);
      assert.deepEqual(parseRoute(pathOf(href.dag(id))), { page: 'dag', dagId: id, tab: 'grid' }, message);
      assert.deepEqual(parseRoute(pathOf(href.dag(id, 'details'))), { page: 'dag', dagId: id, tab: 'details' }, message);
      assert.deepEqual(parseRoute(pathOf(href.run(id, id))), { page: 'run', dagId: id, runId: id }, message);
      assert.deepEqual(parseRoute(pathOf(href.task(id, id, id))), { page: 'task', dagId: id, runId: id, taskId: id }, message);
      assert.deepEqual(parseRoute(pathOf(href.task('d', id, 'runs', 2))), { page: 'task', dagId: 'd', runId: id, taskId: 'runs' }, message);
    }
  });

  it('reads an unknown path as not found, keeping the path', () => {
    const unknown = [
      '/dag',
      '/dags/etl/unknown',
      '/dags/etl/grid/extra',
      '/dags/etl/details/x',
      '/dags/etl/run/r',
      '/dags/etl/runs/r/extra',
      '/dags/etl/runs/r/tasks',
      '/dags/etl/runs/r/tasks/t/more',
      '/dags/etl/runs/r/task/t',
      '/backfills/x',
      '/api/v1/dags',
      '/DAGS/etl',
    ];
    for (const path of unknown) assert.deepEqual(parseRoute(path), { page: 'not-found', path });
  });

  it('reads a path with bad percent-encoding as not found instead of throwing', () => {
    for (const path of ['/dags/%', '/dags/50%25%', '/dags/%E0%A4%A', '/dags/etl/runs/%ZZ', '/dags/etl/runs/r/tasks/%C3', '/%FF']) {
      assert.deepEqual(parseRoute(path), { page: 'not-found', path });
    }
  });

  // No route test for the ids '.' and '..': URL parsing removes such path segments, so checkId
  // (src/sdk/validate.ts) refuses them as DAG and task ids (tested in sdk-dag.test.ts).
});

interface TestDag extends FilterableDag {
  owner: string;
}

const DAGS: TestDag[] = [
  { dagId: 'etl_daily', description: 'Loads the Warehouse', isPaused: false, tags: ['etl', 'daily'], latestDagRun: { state: 'success' }, owner: 'ann' },
  { dagId: 'ETL_hourly', description: '', isPaused: true, tags: ['etl'], latestDagRun: { state: 'failed' }, owner: 'bob' },
  { dagId: 'reports', description: 'Weekly etl summary', isPaused: false, tags: ['reports', 'daily'], latestDagRun: null, owner: 'cy' },
  { dagId: 'cleanup', description: 'Removes old files', isPaused: true, tags: [], latestDagRun: { state: 'running' }, owner: 'di' },
  { dagId: 'backup', description: 'Nightly backup', isPaused: false, tags: ['ops'], latestDagRun: { state: 'failed' }, owner: 'ed' },
];

describe('filterDags', () => {
  const ids = (filter: Partial<DagFilter>) => filterDags(DAGS, { search: '', status: 'all', ...filter }).shown.map((d) => d.dagId);
  const counts = (filter: Partial<DagFilter>) => filterDags(DAGS, { search: '', status: 'all', ...filter }).counts;

  it('shows every DAG, in order, with no filter', () => {
    assert.deepEqual(ids({}), ['etl_daily', 'ETL_hourly', 'reports', 'cleanup', 'backup']);
    assert.deepEqual(counts({}), { all: 5, active: 3, paused: 2 });
  });

  it('gives back the objects it was given', () => {
    const { shown } = filterDags(DAGS, { search: 'backup', status: 'all' });
    assert.equal(shown.length, 1);
    assert.equal(shown[0], DAGS[4]);
    assert.equal(shown[0]?.owner, 'ed');
  });

  it('searches ids and descriptions, ignoring case and surrounding spaces', () => {
    assert.deepEqual(ids({ search: 'etl' }), ['etl_daily', 'ETL_hourly', 'reports']);
    assert.deepEqual(ids({ search: 'ETL_H' }), ['ETL_hourly']);
    assert.deepEqual(ids({ search: '  warehouse ' }), ['etl_daily']);
    assert.deepEqual(ids({ search: 'OLD FILES' }), ['cleanup']);
    assert.deepEqual(ids({ search: '   ' }), ids({}));
    assert.deepEqual(ids({ search: 'nothing like this' }), []);
    assert.deepEqual(counts({ search: 'nothing like this' }), { all: 0, active: 0, paused: 0 });
  });

  it('keeps the DAGs with the tag, exactly', () => {
    assert.deepEqual(ids({ tag: 'etl' }), ['etl_daily', 'ETL_hourly']);
    assert.deepEqual(ids({ tag: 'daily' }), ['etl_daily', 'reports']);
    assert.deepEqual(ids({ tag: 'ETL' }), []);
    assert.deepEqual(ids({ tag: 'et' }), []);
  });

  it('shows active or paused DAGs, without changing the counts', () => {
    assert.deepEqual(ids({ status: 'active' }), ['etl_daily', 'reports', 'backup']);
    assert.deepEqual(ids({ status: 'paused' }), ['ETL_hourly', 'cleanup']);
    assert.deepEqual(counts({ status: 'active' }), { all: 5, active: 3, paused: 2 });
    assert.deepEqual(counts({ status: 'paused' }), { all: 5, active: 3, paused: 2 });
  });

  it("filters on the last run's state, 'none' meaning never run", () => {
    assert.deepEqual(ids({ lastRunState: 'failed' }), ['ETL_hourly', 'backup']);
    assert.deepEqual(ids({ lastRunState: 'success' }), ['etl_daily']);
    assert.deepEqual(ids({ lastRunState: 'none' }), ['reports']);
    assert.deepEqual(ids({ lastRunState: 'queued' }), []);
  });

  it('counts each status with the other filters applied', () => {
    assert.deepEqual(counts({ search: 'etl' }), { all: 3, active: 2, paused: 1 });
    assert.deepEqual(counts({ tag: 'etl' }), { all: 2, active: 1, paused: 1 });
    assert.deepEqual(counts({ lastRunState: 'failed' }), { all: 2, active: 1, paused: 1 });
    assert.deepEqual(counts({ search: 'etl', lastRunState: 'failed', status: 'active' }), { all: 1, active: 0, paused: 1 });
  });

  it('combines every filter', () => {
    assert.deepEqual(ids({ search: 'etl', tag: 'daily' }), ['etl_daily', 'reports']);
    assert.deepEqual(ids({ search: 'etl', tag: 'daily', lastRunState: 'none' }), ['reports']);
    assert.deepEqual(ids({ search: 'etl', status: 'paused' }), ['ETL_hourly']);
    assert.deepEqual(ids({ search: 'etl', lastRunState: 'failed', status: 'active' }), []);
  });

  it('handles no DAGs', () => {
    assert.deepEqual(filterDags([], { search: 'x', status: 'paused' }), { shown: [], counts: { all: 0, active: 0, paused: 0 } });
  });
});

describe('tagsOf', () => {
  it('lists each tag once, sorted', () => {
    assert.deepEqual(tagsOf(DAGS), ['daily', 'etl', 'ops', 'reports']);
    assert.deepEqual(tagsOf([{ tags: ['b', 'a'] }, { tags: ['a', 'c', 'b'] }]), ['a', 'b', 'c']);
    assert.deepEqual(tagsOf([]), []);
  });
});

describe('runBarHeights', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  const run = (startSecondsAgo: number | null, endSecondsAgo: number | null = null) => ({
    startDate: startSecondsAgo === null ? null : new Date(now - startSecondsAgo * 1000).toISOString(),
    endDate: endSecondsAgo === null ? null : new Date(now - endSecondsAgo * 1000).toISOString(),
  });

  it('is proportional to duration, the longest run getting the maximum', () => {
    // 100 s, 50 s, 25 s, 0 s.
    assert.deepEqual(runBarHeights([run(1000, 900), run(800, 750), run(700, 675), run(600, 600)], now), [BAR_MAX_PX, 22, 13, BAR_MIN_PX]);
    assert.deepEqual([BAR_MIN_PX, BAR_MAX_PX], [4, 40]);
  });

  it('rounds to whole pixels', () => {
    // 30 s and 10 s: 4 + 36 / 3 = 16; 20 s: 4 + 24 = 28.
    assert.deepEqual(runBarHeights([run(100, 70), run(60, 50), run(40, 20)], now), [40, 16, 28]);
  });

  it('measures a running run to now', () => {
    // Running for 200 s, finished in 100 s.
    assert.deepEqual(runBarHeights([run(200), run(500, 400)], now), [40, 22]);
    assert.deepEqual(runBarHeights([run(200), run(500, 400)], now + 200_000), [40, 13]);
  });

  it('gives the minimum to a run that has not started', () => {
    assert.deepEqual(runBarHeights([run(null), run(100, 0)], now), [BAR_MIN_PX, BAR_MAX_PX]);
    assert.deepEqual(runBarHeights([run(null, 5), run(100, 0)], now), [BAR_MIN_PX, BAR_MAX_PX]);
  });

  it('gives every bar the minimum when nothing has taken any time', () => {
    assert.deepEqual(runBarHeights([run(null), run(null)], now), [BAR_MIN_PX, BAR_MIN_PX]);
    assert.deepEqual(runBarHeights([run(10, 10), run(null)], now), [BAR_MIN_PX, BAR_MIN_PX]);
    assert.deepEqual(runBarHeights([], now), []);
  });

  it('counts a run that ends before it starts (clock skew) as no time', () => {
    assert.deepEqual(runBarHeights([run(10, 20), run(100, 0)], now), [BAR_MIN_PX, BAR_MAX_PX]);
    assert.deepEqual(runBarHeights([run(-30)], now), [BAR_MIN_PX]);
  });
});

describe('moveInGrid', () => {
  const mid = { row: 5, col: 5 };

  it('moves one cell with the arrow keys', () => {
    assert.deepEqual(moveInGrid(mid, 'ArrowUp', 20, 10), { row: 4, col: 5 });
    assert.deepEqual(moveInGrid(mid, 'ArrowDown', 20, 10), { row: 6, col: 5 });
    assert.deepEqual(moveInGrid(mid, 'ArrowLeft', 20, 10), { row: 5, col: 4 });
    assert.deepEqual(moveInGrid(mid, 'ArrowRight', 20, 10), { row: 5, col: 6 });
  });

  it('goes to the first and last column of the row with Home and End', () => {
    assert.deepEqual(moveInGrid(mid, 'Home', 20, 10), { row: 5, col: 0 });
    assert.deepEqual(moveInGrid(mid, 'End', 20, 10), { row: 5, col: 9 });
  });

  it('moves ten rows with PageUp and PageDown', () => {
    assert.deepEqual(moveInGrid({ row: 15, col: 2 }, 'PageUp', 30, 10), { row: 5, col: 2 });
    assert.deepEqual(moveInGrid({ row: 5, col: 2 }, 'PageDown', 30, 10), { row: 15, col: 2 });
  });

  it('stops at the edges', () => {
    assert.deepEqual(moveInGrid({ row: 0, col: 3 }, 'ArrowUp', 20, 10), { row: 0, col: 3 });
    assert.deepEqual(moveInGrid({ row: 19, col: 3 }, 'ArrowDown', 20, 10), { row: 19, col: 3 });
    assert.deepEqual(moveInGrid({ row: 3, col: 0 }, 'ArrowLeft', 20, 10), { row: 3, col: 0 });
    assert.deepEqual(moveInGrid({ row: 3, col: 9 }, 'ArrowRight', 20, 10), { row: 3, col: 9 });
    assert.deepEqual(moveInGrid({ row: 4, col: 3 }, 'PageUp', 20, 10), { row: 0, col: 3 });
    assert.deepEqual(moveInGrid({ row: 14, col: 3 }, 'PageDown', 20, 10), { row: 19, col: 3 });
  });

  it('stays put in a one-cell grid', () => {
    const origin = { row: 0, col: 0 };
    for (const key of ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown']) {
      assert.deepEqual(moveInGrid(origin, key, 1, 1), origin, key);
    }
  });

  it('ignores other keys', () => {
    for (const key of ['Enter', ' ', 'Tab', 'a', 'j', 'Escape', 'arrowup', 'Up']) assert.equal(moveInGrid(mid, key, 20, 10), null, key);
  });

  it('does nothing in an empty grid', () => {
    for (const key of ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown']) {
      assert.equal(moveInGrid({ row: 0, col: 0 }, key, 0, 10), null, key);
      assert.equal(moveInGrid({ row: 0, col: 0 }, key, 10, 0), null, key);
      assert.equal(moveInGrid({ row: 0, col: 0 }, key, 0, 0), null, key);
    }
  });
});

describe('cellsSignature and cellSignature', () => {
  type Cell = { state: string; tryNumber: number; maxTries: number; durationMs: number | null } | undefined;
  const row = (): Cell[] => [
    { state: 'success', tryNumber: 1, maxTries: 3, durationMs: 1200 },
    undefined,
    { state: 'running', tryNumber: 2, maxTries: 3, durationMs: null },
  ];

  it('is the same for the same content in new objects', () => {
    assert.equal(cellsSignature(row()), cellsSignature(row()));
  });

  it("changes when any cell's state, try or duration changes", () => {
    const base = cellsSignature(row());
    const changes: [string, (cells: Cell[]) => void][] = [
      ['state', (c) => (c[0] = { state: 'failed', tryNumber: 1, maxTries: 3, durationMs: 1200 })],
      ['try', (c) => (c[0] = { state: 'success', tryNumber: 2, maxTries: 3, durationMs: 1200 })],
      ['duration', (c) => (c[0] = { state: 'success', tryNumber: 1, maxTries: 3, durationMs: 1201 })],
      ['last cell state', (c) => (c[2] = { state: 'success', tryNumber: 2, maxTries: 3, durationMs: null })],
      ['last cell try', (c) => (c[2] = { state: 'running', tryNumber: 3, maxTries: 3, durationMs: null })],
      ['duration appears', (c) => (c[2] = { state: 'running', tryNumber: 2, maxTries: 3, durationMs: 0 })],
      ['duration goes', (c) => (c[0] = { state: 'success', tryNumber: 1, maxTries: 3, durationMs: null })],
      ['max tries (a clear grants retries anew)', (c) => (c[0] = { state: 'success', tryNumber: 1, maxTries: 4, durationMs: 1200 })],
      ['cell appears', (c) => (c[1] = { state: 'none', tryNumber: 0, maxTries: 3, durationMs: null })],
      ['cell goes', (c) => (c[0] = undefined)],
      ['cell added', (c) => c.push(undefined)],
      ['cell removed', (c) => c.pop()],
      ['cells swapped', (c) => c.reverse()],
    ];
    for (const [what, change] of changes) {
      const cells = row();
      change(cells);
      assert.notEqual(cellsSignature(cells), base, what);
    }
  });

  it('a cell signature changes exactly when the row signature would', () => {
    const cell = { state: 'success', tryNumber: 1, maxTries: 3, durationMs: 5 };
    assert.equal(cellSignature({ ...cell }), cellSignature(cell));
    assert.notEqual(cellSignature({ ...cell, state: 'failed' }), cellSignature(cell));
    assert.notEqual(cellSignature(undefined), cellSignature({ ...cell, state: 'none', tryNumber: 0, durationMs: null }));
    assert.equal(cellsSignature([cell, undefined]), `${cellSignature(cell)}|${cellSignature(undefined)}`);
  });

  it('tells an empty row from a row of one missing cell', () => {
    assert.notEqual(cellsSignature([]), cellsSignature([undefined]));
  });
});

describe('clearedTasks', () => {
  // extract ─┬─ transform ─ load ─ report
  //          └─ audit ─────────────┘
  const tasks = [
    { taskId: 'extract', downstream: ['transform', 'audit'] },
    { taskId: 'transform', downstream: ['load'] },
    { taskId: 'audit', downstream: ['report'] },
    { taskId: 'load', downstream: ['report'] },
    { taskId: 'report', downstream: [] },
    { taskId: 'notify', downstream: [] },
  ];
  const states: ClearScope['states'] = {
    extract: 'success',
    transform: 'failed',
    audit: 'up_for_retry',
    load: 'upstream_failed',
    report: 'upstream_failed',
    notify: 'skipped',
  };
  const scope = (taskIds: string[], s: ClearScope['states'] = states): ClearScope => ({ taskIds, tasks, states: s });

  it('clears every task of the run when no task is named, in DAG order', () => {
    const all = ['extract', 'transform', 'audit', 'load', 'report', 'notify'];
    assert.deepEqual(clearedTasks(scope([]), false, false), all);
    assert.deepEqual(clearedTasks(scope([]), true, false), all);
  });

  it('clears only the named task without downstream', () => {
    assert.deepEqual(clearedTasks(scope(['transform']), false, false), ['transform']);
    assert.deepEqual(clearedTasks(scope(['report']), false, false), ['report']);
  });

  it('adds every task downstream, directly or not, in DAG order', () => {
    assert.deepEqual(clearedTasks(scope(['transform']), true, false), ['transform', 'load', 'report']);
    assert.deepEqual(clearedTasks(scope(['extract']), true, false), ['extract', 'transform', 'audit', 'load', 'report']);
    assert.deepEqual(clearedTasks(scope(['audit']), true, false), ['audit', 'report']);
    assert.deepEqual(clearedTasks(scope(['report']), true, false), ['report']);
  });

  it('lists each task once, in DAG order, when several named tasks share downstream tasks', () => {
    assert.deepEqual(clearedTasks(scope(['load', 'audit', 'transform']), true, false), ['transform', 'audit', 'load', 'report']);
  });

  it('keeps only failed and upstream_failed tasks when asked', () => {
    assert.deepEqual(clearedTasks(scope([]), false, true), ['transform', 'load', 'report']);
    assert.deepEqual(clearedTasks(scope(['extract']), true, true), ['transform', 'load', 'report']);
    assert.deepEqual(clearedTasks(scope(['audit']), true, true), ['report']);
    assert.deepEqual(clearedTasks(scope(['extract']), false, true), []);
    assert.deepEqual(clearedTasks(scope(['audit']), false, true), []);
  });

  it('treats a task instance with no state as not failed', () => {
    assert.deepEqual(clearedTasks(scope([], { transform: 'failed' }), false, true), ['transform']);
    assert.deepEqual(clearedTasks(scope(['extract'], {}), true, true), []);
  });

  it('keeps no task in any other state when only failed ones are asked for', () => {
    const others = ['none', 'scheduled', 'queued', 'running', 'success', 'up_for_retry', 'skipped'] as const;
    for (const state of others) assert.deepEqual(clearedTasks(scope(['notify'], { notify: state }), false, true), [], state);
  });
});

describe('splitLog', () => {
  const T = '2026-01-01T00:00:00.000Z';

  it('takes each line\'s level from the word after its time', () => {
    const text = [`${T} TRACE a`, `${T} DEBUG b`, `${T} INFO c`, `${T} WARN d`, `${T} ERROR e`, `${T} FATAL f`].join('\n');
    assert.deepEqual(
      splitLog(text).map((l) => l.level),
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
    );
  });

  it('keeps each line\'s text as it is', () => {
    const lines = [`${T} INFO loading rows=42`, '    at x (y.ts:1:2)', 'raw  output  ', ''];
    assert.deepEqual(
      splitLog(`${lines.join('\n')}\n`).map((l) => l.text),
      lines,
    );
  });

  it('gives indented continuation lines the level of the line they continue', () => {
    const text = [`${T} ERROR task failed`, '    Error: boom', '    at run (dag.ts:1:1)', '\tat main (dag.ts:9:9)', `${T} INFO next`, '  more info'].join('\n');
    assert.deepEqual(splitLog(text), [
      { text: `${T} ERROR task failed`, level: 'error' },
      { text: '    Error: boom', level: 'error' },
      { text: '    at run (dag.ts:1:1)', level: 'error' },
      { text: '\tat main (dag.ts:9:9)', level: 'error' },
      { text: `${T} INFO next`, level: 'info' },
      { text: '  more info', level: 'info' },
    ]);
  });

  it('reads the log as the server formats it, an error\'s stack included', () => {
    const time = Date.parse(T);
    const raw = [
      JSON.stringify({ level: 30, time, msg: 'start', rows: 3 }),
      JSON.stringify({ level: 50, time, msg: 'task failed', err: { message: 'boom', stack: 'Error: boom\n    at run (dag.ts:1:1)\n    at main (dag.ts:9:9)' } }),
      JSON.stringify({ level: 40, time, msg: 'retrying' }),
      'output that is not pino',
    ].join('\n');
    assert.deepEqual(
      splitLog(formatLog(raw)).map((l) => l.level),
      ['info', 'error', 'error', 'error', 'error', 'warn', 'other'],
    );
  });

  it("gives lines that are not the server's format the level 'other'", () => {
    const text = ['plain output', 'npm WARN deprecated x', `${T} WARNING not a level`, `${T} INFOS neither`, `${T} info lower case`, `${T}`].join('\n');
    assert.deepEqual(
      splitLog(text).map((l) => l.level),
      ['other', 'other', 'other', 'other', 'other', 'other'],
    );
  });

  it('reads the level of a line that had no time (the formatter then starts with the level)', () => {
    assert.deepEqual(splitLog('ERROR no time on this line\n    at stack').map((l) => l.level), ['error', 'error']);
  });

  it("ends a continuation at an unindented line or an empty one, and starts as 'other'", () => {
    const text = ['  indented first line', `${T} ERROR failed`, 'not indented', '  so not an error', `${T} ERROR again`, '', '  after a blank line'].join('\n');
    assert.deepEqual(
      splitLog(text).map((l) => l.level),
      ['other', 'error', 'other', 'other', 'error', 'other', 'other'],
    );
  });

  it('drops one trailing newline, not the empty lines before it', () => {
    assert.deepEqual(splitLog(`${T} INFO a\n`), [{ text: `${T} INFO a`, level: 'info' }]);
    assert.deepEqual(splitLog(`${T} INFO a`), [{ text: `${T} INFO a`, level: 'info' }]);
    assert.deepEqual(splitLog(`${T} INFO a\n\n`), [
      { text: `${T} INFO a`, level: 'info' },
      { text: '', level: 'other' },
    ]);
  });

  it('has no lines for an empty log', () => {
    assert.deepEqual(splitLog(''), []);
    assert.deepEqual(splitLog('\n'), []);
    assert.deepEqual(splitLog(formatLog('')), []);
  });
});
