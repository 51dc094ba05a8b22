import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closestMatch } from '../../../src/core/suggest.ts';

describe('closestMatch', () => {
  const keys = ['schedule', 'startDate', 'maxActiveRuns', 'retries', 'retryDelay'];
  it('suggests the name a typo was meant to be', () => {
    assert.equal(closestMatch('shedule', keys), 'schedule');
    assert.equal(closestMatch('retrys', keys), 'retries');
    assert.equal(closestMatch('retry_delay', keys), 'retryDelay');
  });
  it("maps Airflow's snake_case to camelCase", () => {
    assert.equal(closestMatch('start_date', keys), 'startDate');
    assert.equal(closestMatch('max_active_runs', keys), 'maxActiveRuns');
  });
  it('suggests nothing for something unrelated', () => {
    assert.equal(closestMatch('owner', keys), null);
    assert.equal(closestMatch('x', keys), null);
  });
});
