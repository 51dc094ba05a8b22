import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDate } from '../../../src/core/dates.ts';
import { wallTimeToInstant } from '../../../src/core/timezone.ts';

const iso = (date: Date) => date.toISOString();

describe('parseDate', () => {
  it('takes a Date as it is (a copy)', () => {
    const date = new Date('2026-01-01T00:00:00Z');
    const parsed = parseDate(date, 'x', 'UTC');
    assert.equal(iso(parsed), '2026-01-01T00:00:00.000Z');
    assert.notEqual(parsed, date);
  });

  it('reads an ISO string with Z or an offset as that instant', () => {
    assert.equal(iso(parseDate('2026-01-01T00:00:00Z', 'x', 'Europe/Berlin')), '2026-01-01T00:00:00.000Z');
    assert.equal(iso(parseDate('2026-01-01T06:30:00+05:30', 'x', 'UTC')), '2026-01-01T01:00:00.000Z');
    assert.equal(iso(parseDate('2026-01-01T00:00:00.250-0300', 'x', 'UTC')), '2026-01-01T03:00:00.250Z');
  });

  it('reads a date or date-time without an offset in the given time zone, as Airflow does', () => {
    assert.equal(iso(parseDate('2026-01-01', 'x', 'UTC')), '2026-01-01T00:00:00.000Z');
    assert.equal(iso(parseDate('2026-01-01', 'x', 'Europe/Berlin')), '2025-12-31T23:00:00.000Z');
    assert.equal(iso(parseDate('2026-07-01T06:00', 'x', 'America/New_York')), '2026-07-01T10:00:00.000Z');
    assert.equal(iso(parseDate(' 2026-07-01 06:00:00 ', 'x', 'UTC')), '2026-07-01T06:00:00.000Z');
  });

  for (const bad of ['', 'yesterday', '2026-13-01', '2026-02-30', '2026-01-01T24:00', '2026-1-1', '01/02/2026', '2026-01-01T00:00:00+25:00']) {
    it(`rejects ${JSON.stringify(bad)}, naming the option and showing accepted forms`, () => {
      assert.throws(() => parseDate(bad, 'option "startDate"', 'UTC'), /^Error: option "startDate": .* use an ISO 8601 date like '2026-01-01', '2026-01-01T06:00' or '2026-01-01T06:00:00Z', or a Date$/);
    });
  }

  for (const bad of [new Date('nope'), 20260101, null, {}]) {
    it(`rejects ${String(bad)}`, () => assert.throws(() => parseDate(bad, 'where', 'UTC'), /^Error: where: /));
  }
});

describe('wallTimeToInstant', () => {
  const wall = (text: string) => Date.parse(`${text}Z`);
  it('places an ordinary wall time', () => {
    assert.equal(iso(new Date(wallTimeToInstant('Asia/Kolkata', wall('2026-01-01T05:30:00')))), '2026-01-01T00:00:00.000Z');
  });
  it('takes the first of a repeated wall time', () => {
    assert.equal(iso(new Date(wallTimeToInstant('America/New_York', wall('2026-11-01T01:30:00')))), '2026-11-01T05:30:00.000Z');
  });
  it('takes the end of the gap for a skipped wall time', () => {
    assert.equal(iso(new Date(wallTimeToInstant('America/New_York', wall('2026-03-08T02:30:00')))), '2026-03-08T07:00:00.000Z');
  });
});
