import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTraceIds } from '../../../src/tracing/run-trace-ids.ts';

test("a run's ids are the same wherever they are computed, and valid W3C ids", () => {
  const ids = runTraceIds('sluice', 'orders_daily', 'scheduled__2026-01-01T00:00:00+00:00');
  assert.deepEqual(runTraceIds('sluice', 'orders_daily', 'scheduled__2026-01-01T00:00:00+00:00'), ids);
  assert.match(ids.traceId, /^[0-9a-f]{32}$/);
  assert.match(ids.spanId, /^[0-9a-f]{16}$/);
  assert.doesNotMatch(ids.traceId, /^0+$/);
});

test('another run, DAG or installation (queue prefix) has other ids', () => {
  const ids = runTraceIds('sluice', 'orders_daily', 'manual__1');
  const others = [runTraceIds('sluice', 'orders_daily', 'manual__2'), runTraceIds('sluice', 'orders', 'manual__1'), runTraceIds('staging', 'orders_daily', 'manual__1')];
  for (const other of others) {
    assert.notEqual(other.traceId, ids.traceId);
    assert.notEqual(other.spanId, ids.spanId);
  }
  // The parts are kept apart: moving text from one to the next is another identity.
  assert.notEqual(runTraceIds('sluice', 'a_b', 'c').traceId, runTraceIds('sluice', 'a', '_bc').traceId);
});
