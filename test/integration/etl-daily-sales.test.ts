/**
 * The showcase's asset-triggered DAG, the repo's own daily_sales file, after real loads: each
 * promote (its outlets: the warehouse tables) starts one daily_sales run, which consumed the
 * promote's events and makes sales_daily equal to the totals of the orders the source holds,
 * per day and currency; a later load that changes some orders starts another run that fixes the
 * days it touched; an event from outside Sluice recomputes every day.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generateCustomers, generateOrders, generateProducts } from '../../demo/shop-data.ts';
import type { OrderDoc } from '../../demo/shop-types.ts';
import { emitAssetEvent } from '../../src/engine/asset-events.ts';
import { listRuns, type DagRunRecord } from '../../src/store/runs.ts';
import { Harness, REPO_ROOT } from '../support/harness.ts';
import type { EtlTestbed } from '../support/etl-testbed.ts';
import { day, etlLoadDag, expectRunSuccess, startEtlSuite, taskXcom, type EtlSuite } from '../support/etl-dag.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';

const LOAD = 'etl_load_assets';
const options = { seed: 11, from: day(1), to: day(4), badRecordRate: 0 };
const customers = [...generateCustomers(40, options)];
const products = [...generateProducts(15, options)];
const orders = [...generateOrders(120, customers.map((c) => c._id), products, options)];

interface Totals {
  orders: number;
  items: number;
  revenue: string;
}

/** sales_daily as the source's orders say it must be: per UTC day and currency. */
function expectedSales(docs: readonly OrderDoc[]): Record<string, Totals> {
  const cents = new Map<string, { orders: number; items: number; cents: number }>();
  for (const o of docs) {
    const key = `${(o.placedAt as Date).toISOString().slice(0, 10)} ${o.currency}`;
    const t = cents.get(key) ?? { orders: 0, items: 0, cents: 0 };
    t.orders += 1;
    t.items += o.items.reduce((n, i) => n + i.quantity, 0);
    t.cents += Math.round(o.total * 100);
    cents.set(key, t);
  }
  return Object.fromEntries([...cents].map(([key, t]) => [key, { orders: t.orders, items: t.items, revenue: (t.cents / 100).toFixed(2) }]));
}

describe('daily_sales, run by the warehouse assets', { timeout: 180_000 }, () => {
  const h = new Harness();
  let suite: EtlSuite;
  let bed: EtlTestbed;

  const salesTable = async (): Promise<Record<string, Totals>> => {
    const { rows } = await bed.warehouse.query<{ key: string; orders: number; items: number; revenue: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') || ' ' || currency AS key, orders, items, revenue::text AS revenue FROM sales_daily ORDER BY 1`,
    );
    return Object.fromEntries(rows.map((r) => [r.key, { orders: r.orders, items: r.items, revenue: r.revenue }]));
  };
  const salesRuns = async (): Promise<DagRunRecord[]> => (await listRuns(h.db, 'daily_sales', { limit: 100 })).runs;
  const nextSalesRun = async (seen: number): Promise<DagRunRecord> => {
    const run = await h.waitFor('a daily_sales run', async () => {
      const runs = await salesRuns();
      return runs.length > seen ? runs[0] : undefined;
    }, 60_000);
    await expectRunSuccess(h, 'daily_sales', run.runId);
    return run;
  };

  before(async () => {
    const source = (await readFile(path.join(REPO_ROOT, 'dags', 'daily_sales.ts'), 'utf8')).replace(
      'isPausedUponCreation: !process.env.MONGO_URL',
      'isPausedUponCreation: false',
    );
    suite = await startEtlSuite(h, []);
    bed = suite.bed;
    await h.writeDag(`${LOAD}.ts`, etlLoadDag(LOAD, { outlets: true }));
    await h.writeDag('daily_sales.ts', source);
    for (const dagId of [LOAD, 'daily_sales']) await h.waitForDag(dagId);
    await bed.mongo.collection('customers').insertMany(customers);
    await bed.mongo.collection('products').insertMany(products);
    await bed.mongo.collection('orders').insertMany(orders);
  });
  after(() => suite?.stop());

  test("a promote starts one run, which sums up every day of the orders it loaded", async () => {
    const { runId } = await triggerDagRun(h.db, LOAD, { logicalDate: day(5) });
    await expectRunSuccess(h, LOAD, runId);
    const run = await nextSalesRun(0);
    assert.equal(run.runType, 'asset_triggered');
    assert.deepEqual(
      run.consumedAssetEvents.map((e) => [e.uri, e.sourceDagId, e.sourceRunId, e.sourceTaskId]).sort(),
      [
        ['warehouse://public/orders', LOAD, runId, 'promote'],
        ['warehouse://public/orders_items', LOAD, runId, 'promote'],
      ],
    );
    const summary = await taskXcom<{ etlRuns: string[]; days: number }>(h, 'daily_sales', run.runId, 'refresh');
    assert.deepEqual(summary.etlRuns, [runId]);
    const expected = expectedSales(orders);
    assert.deepEqual(await salesTable(), expected);
    assert.equal(summary.days, new Set(Object.keys(expected).map((k) => k.slice(0, 10))).size);
    // One set of events, one run, however many loops the schedulers make.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal((await salesRuns()).length, 1);
  });

  test('a load that changes orders starts another run, which fixes the days they are on', async () => {
    // Ten orders of the first day lose all but their first item: that day's totals change.
    const changed = orders.filter((o) => (o.placedAt as Date).toISOString().startsWith('2026-11-01') && o.items.length > 1).slice(0, 10);
    assert.ok(changed.length > 0);
    const changedAt = day(5, 12);
    for (const o of changed) {
      o.items = o.items.slice(0, 1);
      o.total = (o.items[0]!.quantity * Math.round(o.items[0]!.unitPrice * 100)) / 100;
      o.updatedAt = changedAt;
      await bed.mongo.collection('orders').updateOne({ _id: o._id }, { $set: { items: o.items, total: o.total, updatedAt: changedAt } });
    }
    const before = await salesTable();
    const { runId } = await triggerDagRun(h.db, LOAD, { logicalDate: day(6) });
    await expectRunSuccess(h, LOAD, runId);
    const run = await nextSalesRun(1);
    assert.deepEqual([...new Set(run.consumedAssetEvents.map((e) => e.sourceRunId))], [runId]);
    const after = await salesTable();
    assert.deepEqual(after, expectedSales(orders));
    assert.notDeepEqual(after, before, 'the first day changed');
    assert.equal((await taskXcom<{ days: number }>(h, 'daily_sales', run.runId, 'refresh')).days, 1, 'only the day of the changed orders is recomputed');
  });

  test('an event from outside Sluice recomputes every day', async () => {
    await bed.warehouse.query('UPDATE sales_daily SET orders = 0, revenue = 0');
    await emitAssetEvent(h.db, 'warehouse://public/orders', { reason: 'manual fix' });
    await emitAssetEvent(h.db, 'warehouse://public/orders_items', {});
    const run = await nextSalesRun(2);
    assert.deepEqual(run.consumedAssetEvents.map((e) => e.sourceRunId), [null, null]);
    assert.equal((await taskXcom<{ etlRuns: unknown }>(h, 'daily_sales', run.runId, 'refresh')).etlRuns, null);
    assert.deepEqual(await salesTable(), expectedSales(orders));
  });
});
