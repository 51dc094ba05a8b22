import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { manifestKey, partKey, runSegment, stagingTable } from '../../../../src/providers/etl/layout.ts';

describe('layout', () => {
  const run = { dagId: 'etl', runId: 'scheduled__2026-11-01T00:00:00+00:00' };
  test('keys of a run share one prefix; staging names are unique per run', () => {
    assert.equal(runSegment(run.runId), 'scheduled__2026-11-01T00-00-00-00-00');
    assert.equal(manifestKey('etl/', run, 'orders'), 'etl/etl/scheduled__2026-11-01T00-00-00-00-00/orders/manifest.json');
    assert.equal(partKey('etl', run, 'orders', 2, 'orders_items', 7), 'etl/etl/scheduled__2026-11-01T00-00-00-00-00/orders/try-2/orders_items/part-00007.ndjson.gz');
    assert.equal(partKey('etl', run, 'orders', 2, 'orders_items', 7, 3), 'etl/etl/scheduled__2026-11-01T00-00-00-00-00/orders/try-2/orders_items/part-r3-00007.ndjson.gz');
    assert.notEqual(stagingTable(run, 'orders'), stagingTable({ ...run, runId: 'manual__x' }, 'orders'));
    assert.match(stagingTable(run, 'orders'), /^"sluice_staging"\."orders__[0-9a-f]{10}"$/);
  });

});
