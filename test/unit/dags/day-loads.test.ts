/** warehouse_vacuum's rule for the load it waits for: the previous day's 23:00 hourly load. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { lastLoadOfTheDay } from '../../../dags/warehouse/day-loads.ts';

it("a daily run waits for the previous day's 23:00 load, across months and years", () => {
  // A scheduled run at 03:30 on the 8th is for the interval ending then: the 7th's loads.
  assert.equal(lastLoadOfTheDay(new Date('2026-12-08T03:30:00Z')).toISOString(), '2026-12-07T23:00:00.000Z');
  assert.equal(lastLoadOfTheDay(new Date('2026-12-08T00:00:00Z')).toISOString(), '2026-12-07T23:00:00.000Z');
  assert.equal(lastLoadOfTheDay(new Date('2026-12-01T03:30:00Z')).toISOString(), '2026-11-30T23:00:00.000Z');
  assert.equal(lastLoadOfTheDay(new Date('2027-01-01T12:00:00Z')).toISOString(), '2026-12-31T23:00:00.000Z');
});
