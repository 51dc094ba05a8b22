/**
 * Assets end to end, with real schedulers and a worker (README, "Assets"): a task's outlets record
 * events when it succeeds (each instance of a mapped task its own), a DAG scheduled on two assets
 * runs once both have had events since its previous asset-triggered run, and not before; an event
 * from outside counts the same; the run keeps what it consumed (consumedAssetEvents, and the
 * tasks' ctx.triggeringAssetEvents); a paused consumer's events wait for it; two schedulers (and
 * more racers) never make two runs of one set of events; an event starts its consumer within a
 * second.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { createAssetTriggeredRuns } from '../../src/engine/asset-runs.ts';
import { insertAssetEvent } from '../../src/store/assets.ts';
import { setPaused } from '../../src/store/dags.ts';
import { createDb, withTransaction } from '../../src/store/db.ts';
import { listRuns, type DagRunRecord } from '../../src/store/runs.ts';
import { readXcom } from '../../src/store/xcom.ts';
import { Harness } from '../support/harness.ts';

const ORDERS = 'warehouse://public/orders';
const CUSTOMERS = 'warehouse://public/customers';

const PRODUCERS = `
import { asset, dag } from 'sluice';
export const orders = asset(${JSON.stringify(ORDERS)});
export const customers = asset(${JSON.stringify(CUSTOMERS)});
const d = dag('produce_orders');
d.task('load', { expand: ['eu', 'us'], outlets: [orders] }, async () => 1);
d.task('audit', async () => 2);
export default d;
`;

const CUSTOMERS_DAG = `
import { dag, FailTask } from 'sluice';
import { customers } from './producers.ts';
const d = dag('produce_customers');
d.task('load', { outlets: [customers] }, async (ctx) => { if (ctx.params.fail) throw new FailTask('told to fail'); });
export default d;
`;

const CONSUMER = `
import { dag } from 'sluice';
import { orders, customers } from './producers.ts';
const d = dag('consume_both', { schedule: [orders, customers] });
d.task('report', async (ctx) => ctx.triggeringAssetEvents.map((e) => ({ ...e, timestamp: e.timestamp.toISOString(), isDate: e.timestamp instanceof Date })));
export default d;
`;

const PAUSED_CONSUMER = `
import { dag } from 'sluice';
import { orders } from './producers.ts';
const d = dag('consume_paused', { schedule: [orders], isPausedUponCreation: true });
d.task('t', async () => 1);
export default d;
`;

async function runsOf(h: Harness, dagId: string): Promise<DagRunRecord[]> {
  return (await listRuns(h.db, dagId, { limit: 1000 })).runs;
}

async function queued(h: Harness, dagId: string): Promise<number> {
  const { rows } = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM asset_dag_queue WHERE dag_id = $1', [dagId]);
  return rows[0]!.n;
}

describe('assets', () => {
  const h = new Harness({
    dags: { 'producers.ts': PRODUCERS, 'customers.ts': CUSTOMERS_DAG, 'consumer.ts': CONSUMER, 'paused.ts': PAUSED_CONSUMER },
  });

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.startWorker();
    await Promise.all(['produce_orders', 'produce_customers', 'consume_both', 'consume_paused'].map((id) => h.waitForDag(id)));
  });
  after(() => h.tearDown());

  test("one asset's events are not enough; the second starts the consumer once, with every event it consumed", async () => {
    const ordersRun = await triggerDagRun(h.db, 'produce_orders', {});
    assert.equal((await h.waitForRunEnd('produce_orders', ordersRun.runId)).state, 'success');
    const { rows: events } = await h.db.query('SELECT uri, source_task_id, source_map_index FROM asset_events WHERE source_run_id = $1 ORDER BY source_map_index', [ordersRun.runId]);
    assert.deepEqual(
      events,
      [
        { uri: ORDERS, source_task_id: 'load', source_map_index: 0 },
        { uri: ORDERS, source_task_id: 'load', source_map_index: 1 },
      ],
      'each mapped instance recorded its own event; the task without outlets none',
    );
    // The scheduler has been woken by those events and looked: still no run, the events wait.
    await h.waitFor('the orders events to be queued for the consumer', async () => (await queued(h, 'consume_both')) === 2);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await runsOf(h, 'consume_both'), [], 'one of two assets is not enough');

    // A failed producer records nothing.
    const failed = await triggerDagRun(h.db, 'produce_customers', { conf: { fail: true } });
    assert.equal((await h.waitForRunEnd('produce_customers', failed.runId)).state, 'failed');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await runsOf(h, 'consume_both'), []);

    const customersRun = await triggerDagRun(h.db, 'produce_customers', {});
    assert.equal((await h.waitForRunEnd('produce_customers', customersRun.runId)).state, 'success');
    const [run] = await h.waitFor('the consumer run', async () => {
      const runs = await runsOf(h, 'consume_both');
      return runs.length > 0 && runs;
    });
    assert.equal(run!.runType, 'asset_triggered');
    assert.equal(run!.runId, `asset_triggered__${run!.logicalDate.toISOString()}`);
    assert.deepEqual([run!.dataIntervalStart, run!.dataIntervalEnd], [run!.logicalDate, run!.logicalDate]);
    const consumed = run!.consumedAssetEvents.map((e) => [e.uri, e.sourceDagId, e.sourceRunId, e.sourceTaskId]);
    assert.deepEqual(consumed, [
      [ORDERS, 'produce_orders', ordersRun.runId, 'load'],
      [ORDERS, 'produce_orders', ordersRun.runId, 'load'],
      [CUSTOMERS, 'produce_customers', customersRun.runId, 'load'],
    ]);
    assert.ok(run!.consumedAssetEvents.every((e) => !Number.isNaN(Date.parse(e.timestamp)) && JSON.stringify(e.extra) === '{}'));
    assert.equal((await h.waitForRunEnd('consume_both', run!.runId)).state, 'success');
    const { value } = await readXcom(h.db, 'consume_both', run!.runId, 'report');
    assert.deepEqual(
      value,
      run!.consumedAssetEvents.map((e) => ({ ...e, isDate: true })),
      'ctx.triggeringAssetEvents is what the run consumed, with Date timestamps',
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await runsOf(h, 'consume_both')).length, 1, 'exactly one run');
    assert.equal(await queued(h, 'consume_both'), 0, 'its events left the queue');
  });

  test('events from outside start it the same; a manual run of the consumer has no triggering events', async () => {
    const before = (await runsOf(h, 'consume_both')).length;
    await insertAssetEvent(h.db, ORDERS, { rows: 10 });
    await insertAssetEvent(h.db, CUSTOMERS, { rows: 20 });
    const run = await h.waitFor('a second consumer run', async () => {
      const runs = await runsOf(h, 'consume_both');
      return runs.length > before && runs[0];
    });
    assert.deepEqual(
      run.consumedAssetEvents.map((e) => [e.uri, e.sourceDagId, e.sourceRunId, e.sourceTaskId, e.extra]),
      [
        [ORDERS, null, null, null, { rows: 10 }],
        [CUSTOMERS, null, null, null, { rows: 20 }],
      ],
    );
    assert.equal((await h.waitForRunEnd('consume_both', run.runId)).state, 'success');

    const manual = await triggerDagRun(h.db, 'consume_both', {});
    assert.equal((await h.waitForRunEnd('consume_both', manual.runId)).state, 'success');
    assert.deepEqual(manual.consumedAssetEvents, []);
    assert.deepEqual((await readXcom(h.db, 'consume_both', manual.runId, 'report')).value, []);
  });

  test('a paused consumer does not consume: its events wait, and unpausing makes one run of all of them', async () => {
    await insertAssetEvent(h.db, ORDERS, { n: 1 });
    await insertAssetEvent(h.db, ORDERS, { n: 2 });
    await h.waitFor('the events to be queued', async () => (await queued(h, 'consume_paused')) >= 2);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await runsOf(h, 'consume_paused'), [], 'a paused DAG gets no asset-triggered run');
    const waiting = await queued(h, 'consume_paused');

    await setPaused(h.db, 'consume_paused', false);
    const [run] = await h.waitFor('the run after unpausing', async () => {
      const runs = await runsOf(h, 'consume_paused');
      return runs.length > 0 && runs;
    });
    assert.equal(run!.consumedAssetEvents.length, waiting, 'every waiting event, in one run');
    assert.deepEqual(run!.consumedAssetEvents.slice(-2).map((e) => e.extra), [{ n: 1 }, { n: 2 }]);
    await setPaused(h.db, 'consume_paused', true);
  });

  test('an asset event starts its consumer\'s first task within a second (median of 5)', async () => {
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = (await runsOf(h, 'consume_both')).length;
      await insertAssetEvent(h.db, ORDERS, {});
      const sent = await insertAssetEvent(h.db, CUSTOMERS, {});
      const run = await h.waitFor('the consumer run', async () => {
        const runs = await runsOf(h, 'consume_both');
        return runs.length > before && runs[0];
      });
      const ti = await h.waitFor('its task to start', async () => (await h.taskInstances('consume_both', run.runId)).report?.startDate);
      latencies.push(ti.getTime() - sent.timestamp.getTime());
      await h.waitForRunEnd('consume_both', run.runId);
    }
    latencies.sort((a, b) => a - b);
    assert.ok(latencies[2]! <= 1000, `median event → first task start ${latencies[2]} ms (all: ${latencies.join(', ')})`);
  });
});

describe('assets: racing schedulers', () => {
  const h = new Harness({ dags: { 'producers.ts': PRODUCERS, 'consumer.ts': CONSUMER } });
  const racers = [createDb(h.config.databaseUrl, 2), createDb(h.config.databaseUrl, 2)];

  before(async () => {
    await h.setUp();
    // Two schedulers, both woken by every event (and no worker: the runs only need to be made).
    await h.startScheduler();
    await h.startScheduler();
    await h.waitForDag('consume_both');
  });
  after(async () => {
    await Promise.all(racers.map((db) => db.end()));
    await h.tearDown();
  });

  test('two schedulers, and two more racers, never make two runs of one set of events', async () => {
    const rounds = 15;
    for (let round = 0; round < rounds; round++) {
      // Both events commit together: every racer is woken by, or sees, the same complete set.
      await withTransaction(h.db, async (tx) => {
        await insertAssetEvent(tx, ORDERS, { round });
        await insertAssetEvent(tx, CUSTOMERS, { round });
      });
      await Promise.all(racers.map((db) => createAssetTriggeredRuns(db, h.log)));
      await h.waitFor(`round ${round} to be consumed`, async () => (await queued(h, 'consume_both')) === 0);
    }
    const runs = await runsOf(h, 'consume_both');
    const rounds_ = runs.flatMap((r) => r.consumedAssetEvents.map((e) => (e.extra as { round: number }).round)).sort((a, b) => a - b);
    assert.equal(runs.length, rounds, 'one run per set of events');
    assert.deepEqual(rounds_, [...Array(rounds).keys()].flatMap((i) => [i, i]), 'each event consumed exactly once');
  });
});
