/**
 * A ranged extract in a runner process, which runs Sluice's own code bundled
 * (workers/runner/runner-bundle.ts): its threads start from the bundle's extract thread entry,
 * beside the bundle, with no TypeScript loader, and their log lines reach the try's log with
 * their range.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCustomers, generateOrders, generateProducts } from '../../demo/shop-data.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import type { ExtractResult } from '../../src/providers/etl/manifest.ts';
import { Harness } from '../support/harness.ts';
import { expectRunSuccess, startEtlSuite, taskLog, taskXcom, type EtlSuite } from '../support/etl-dag.ts';

const DAG = `
import { dag } from 'sluice';
import { extractCollection } from 'sluice/providers';

const d = dag('ranged_runner', { schedule: null });
d.task('extract_orders', (ctx) => extractCollection(ctx, { collection: 'orders', modifiedField: 'updatedAt' }, { batchSize: 50 }));
export default d;
`;

describe('ranged extract in a runner process', { timeout: 180_000 }, () => {
  const h = new Harness({ dags: { 'ranged_runner.ts': DAG } });
  let suite: EtlSuite;

  before(async () => {
    suite = await startEtlSuite(h, ['ranged_runner'], { ETL_EXTRACT_READERS: '3', ETL_ROWS_PER_PART: '200' });
    const range = { seed: 3, from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z'), badRecordRate: 0.02 };
    const customers = [...generateCustomers(30, range)];
    const products = [...generateProducts(10, range)];
    await suite.bed.mongo.collection('orders').insertMany([...generateOrders(600, customers.map((c) => c._id), products, range)]);
  });
  after(() => suite?.stop());

  test('reads three ranges, two of them in threads started from the bundle', async () => {
    // A full refresh reads no watermark: no warehouse tables are needed.
    const run = await triggerDagRun(h.db, 'ranged_runner', { conf: { fullRefresh: true } });
    await expectRunSuccess(h, 'ranged_runner', run.runId, 60_000);
    const result = await taskXcom<ExtractResult>(h, 'ranged_runner', run.runId, 'extract_orders');
    assert.equal(result.documents, 600);
    const keys = Object.values(result.tables).flatMap((t) => t.parts.map((p) => p.key));
    for (const r of [1, 2, 3]) assert.ok(keys.some((key) => key.includes(`/part-r${r}-`)), `range ${r} wrote parts: ${keys.join(', ')}`);
    const lines = await taskLog(h, 'ranged_runner', run.runId, 'extract_orders');
    const planned = lines.find((line) => /^reading the window in _id ranges, each on a thread/.test(line.msg));
    assert.ok(planned, 'the ranges went to threads');
    assert.equal((planned.ranges as string[]).length, 3);
  });
});
