/**
 * Assets end to end, with real schedulers and a worker (README, "Assets"): a task's outlets record
 * events when it succeeds (each instance of a mapped task its own), a DAG scheduled on two assets
 * runs once both have had events since its previous asset-triggered run, and not before; an event
 * from outside counts the same; the run keeps what it consumed (consumedAssetEvents, and the
 * tasks' ctx.triggeringAssetEvents); a paused consumer's events wait for it, as do those of a
 * consumer at its maxActiveRuns; events of an asset a DAG no longer waits for are dropped; the API
 * and the CLI; two schedulers (and more racers) never make two runs of one set of events; an event
 * starts its consumer within a second.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { markTaskInstance, triggerDagRun } from '../../src/engine/actions.ts';
import { createAssetTriggeredRuns } from '../../src/engine/asset-runs.ts';
import { insertAssetEvent } from '../../src/store/assets.ts';
import { setPaused } from '../../src/store/dags.ts';
import { createDb, withTransaction } from '../../src/store/db.ts';
import { listRuns, type DagRunRecord } from '../../src/store/runs.ts';
import { readXcom } from '../../src/store/xcom.ts';
import type { AssetEventList, AssetList, DagList, DagRunList, ApiErrorBody, AssetEvent } from '../../src/api/schemas/index.ts';
import { sluice } from '../support/cli.ts';
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

  // How fast (event → the consumer's first task start, p50 ≤ 1 s) is measured by `npm run bench --
  // assets`, not here: the machines tests run on are shared and noisy.
  test('each completed set of events starts one consumer run, whose task runs, five times in a row', async () => {
    for (let i = 0; i < 5; i++) {
      const before = (await runsOf(h, 'consume_both')).length;
      await insertAssetEvent(h.db, ORDERS, {});
      const sent = await insertAssetEvent(h.db, CUSTOMERS, {});
      const run = await h.waitFor('the consumer run', async () => {
        const runs = await runsOf(h, 'consume_both');
        return runs.length > before && runs[0];
      });
      const started = await h.waitFor('its task to start', async () => (await h.taskInstances('consume_both', run.runId)).report?.startDate);
      assert.ok(started.getTime() >= sent.timestamp.getTime(), 'the task started after the event that completed the set');
      assert.equal((await h.waitForRunEnd('consume_both', run.runId)).state, 'success');
      assert.equal((await runsOf(h, 'consume_both')).length, before + 1, 'one run per completed set');
    }
  });

  test('a task marked success by hand records its outlets\' events, as a success does', async () => {
    const failed = (await listRuns(h.db, 'produce_customers', { state: 'failed' })).runs[0]!;
    const events = async () =>
      (await h.db.query('SELECT uri, source_task_id FROM asset_events WHERE source_run_id = $1', [failed.runId])).rows;
    assert.deepEqual(await events(), []);
    await markTaskInstance(h.services, { dagId: 'produce_customers', runId: failed.runId, taskId: 'load', mapIndex: -1 }, 'success');
    assert.deepEqual(await events(), [{ uri: CUSTOMERS, source_task_id: 'load' }]);
  });
});

describe('assets: the API and the CLI', () => {
  const h = new Harness({ dags: { 'producers.ts': PRODUCERS, 'consumer.ts': CONSUMER } });
  let base: string;
  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('consume_both');
    base = (await h.startWebserver()).url;
  });
  after(() => h.tearDown());

  test('GET /assets lists each asset with its producers, consumers and newest event', async () => {
    const { status, body } = await api<AssetList>('GET', '/assets');
    assert.equal(status, 200);
    assert.deepEqual(body, {
      assets: [
        { uri: CUSTOMERS, producers: [], consumers: ['consume_both'], lastEvent: null },
        { uri: ORDERS, producers: ['produce_orders'], consumers: ['consume_both'], lastEvent: null },
      ],
      totalEntries: 2,
    });
    const dags = await api<DagList>('GET', '/dags');
    const byId = Object.fromEntries(dags.body.dags.map((d) => [d.dagId, d]));
    assert.deepEqual([byId.consume_both!.schedule, byId.consume_both!.assetSchedule], [null, [ORDERS, CUSTOMERS]]);
    assert.equal(byId.produce_orders!.assetSchedule, null);
  });

  test('POST /assets/events records an event (201) that starts the consumer; GET /assets/events lists them newest first', async () => {
    const first = await api<AssetEvent>('POST', '/assets/events', { uri: ORDERS, extra: { batch: 7 } });
    assert.equal(first.status, 201);
    assert.deepEqual(
      { ...first.body, id: 0, timestamp: '' },
      { id: 0, uri: ORDERS, sourceDagId: null, sourceRunId: null, sourceTaskId: null, sourceMapIndex: null, extra: { batch: 7 }, timestamp: '' },
    );
    const second = await api<AssetEvent>('POST', '/assets/events', { uri: CUSTOMERS });
    assert.equal(second.status, 201);
    assert.deepEqual(second.body.extra, {}, 'extra defaults to {}');

    const runs = await h.waitFor('the consumer run', async () => {
      const r = await api<DagRunList>('GET', '/dags/consume_both/dagRuns');
      return r.body.dagRuns.length > 0 && r.body.dagRuns;
    });
    assert.equal(runs[0]!.runType, 'asset_triggered');
    assert.deepEqual(
      runs[0]!.consumedAssetEvents,
      [first.body, second.body].map(({ uri, sourceDagId, sourceRunId, sourceTaskId, timestamp, extra }) => ({ uri, sourceDagId, sourceRunId, sourceTaskId, timestamp, extra })),
    );
    const one = await api<DagRunList['dagRuns'][number]>('GET', `/dags/consume_both/dagRuns/${encodeURIComponent(runs[0]!.dagRunId)}`);
    assert.deepEqual(one.body.consumedAssetEvents, runs[0]!.consumedAssetEvents);

    const all = await api<AssetEventList>('GET', '/assets/events');
    assert.deepEqual(all.body.assetEvents.map((e) => e.id), [second.body.id, first.body.id]);
    assert.equal(all.body.totalEntries, 2);
    const ofOrders = await api<AssetEventList>('GET', `/assets/events?uri=${encodeURIComponent(ORDERS)}&limit=1`);
    assert.deepEqual([ofOrders.body.assetEvents.map((e) => e.id), ofOrders.body.totalEntries], [[first.body.id], 1]);
    const listed = await api<AssetList>('GET', '/assets');
    assert.equal(listed.body.assets.find((a) => a.uri === ORDERS)!.lastEvent!.id, first.body.id);
  });

  test('a bad request is a 400, an unknown asset a 404 naming the nearest known one', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{}, 400, /uri/],
      [{ uri: '' }, 400, /must not be empty/],
      [{ uri: 'db://a b' }, 400, /uri "db:\/\/a b" has a space at character 7/],
      [{ uri: `db://${'x'.repeat(1000)}` }, 400, /more than the 1000 an asset URI may have/],
      [{ uri: ORDERS, extra: 'x' }, 400, /extra.*must be a JSON object/],
      [{ uri: ORDERS, other: 1 }, 400, /other/],
      [{ uri: 'warehouse://public/order' }, 404, /no asset "warehouse:\/\/public\/order": no DAG names it .*; did you mean "warehouse:\/\/public\/orders"\?/],
    ];
    for (const [body, status, message] of cases) {
      const reply = await api<ApiErrorBody>('POST', '/assets/events', body);
      assert.equal(reply.status, status, JSON.stringify(body));
      assert.match(reply.body.error.message, message);
    }
    const badQuery = await api<ApiErrorBody>('GET', '/assets/events?limit=0');
    assert.equal(badQuery.status, 400);
    assert.match(badQuery.body.error.message, /limit/);
  });

  test('sluice assets list and sluice assets emit, with exit 2 for bad input', async () => {
    const env = h.childEnv();
    const listed = await sluice(['assets', 'list', '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const { assets } = JSON.parse(listed.stdout) as { assets: { uri: string; producers: string[]; consumers: string[] }[] };
    assert.deepEqual(assets.map((a) => [a.uri, a.producers, a.consumers]), [
      [CUSTOMERS, [], ['consume_both']],
      [ORDERS, ['produce_orders'], ['consume_both']],
    ]);
    const table = await sluice(['assets', 'list'], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /warehouse:\/\/public\/orders\s+produce_orders\s+consume_both/);

    const emitted = await sluice(['assets', 'emit', ORDERS, '--extra', '{"from":"cli"}'], env);
    assert.equal(emitted.code, 0, emitted.stderr);
    assert.match(emitted.stdout, /^asset event \d+ of warehouse:\/\/public\/orders recorded at \d{4}-/);
    const { rows } = await h.db.query('SELECT extra FROM asset_events WHERE uri = $1 ORDER BY id DESC LIMIT 1', [ORDERS]);
    assert.deepEqual(rows[0]!.extra, { from: 'cli' });

    const badExtra = await sluice(['assets', 'emit', ORDERS, '--extra', '[1]'], env);
    assert.equal(badExtra.code, 2);
    assert.match(badExtra.stderr, /--extra/);
    const unknown = await sluice(['assets', 'emit', 'nope://x'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^sluice assets emit: no asset "nope:\/\/x"/);
    const missing = await sluice(['assets', 'emit'], env);
    assert.equal(missing.code, 2);

    const dags = await sluice(['dags', 'list'], env);
    assert.equal(dags.code, 0, dags.stderr);
    assert.match(dags.stdout, /consume_both\s+on assets: warehouse:\/\/public\/orders, warehouse:\/\/public\/customers\s/);
    const shown = await sluice(['dags', 'show', 'consume_both'], env);
    assert.match(shown.stdout, /schedule: on assets: warehouse:\/\/public\/orders, warehouse:\/\/public\/customers,/);
  });
});

const REFUNDS = 'warehouse://public/refunds';
const RETURNS = 'warehouse://public/returns';
const CREDITS = 'warehouse://public/credits';

const ONE_AT_A_TIME = `
import { asset, dag } from 'sluice';
const d = dag('consume_one_at_a_time', { schedule: [asset(${JSON.stringify(REFUNDS)})], maxActiveRuns: 1 });
d.task('t', async () => 1);
export default d;
`;

const switching = (schedule: string) => `
import { asset, dag } from 'sluice';
const credits = asset(${JSON.stringify(CREDITS)});
const returns = asset(${JSON.stringify(RETURNS)});
const d = dag('consume_switching', { schedule: ${schedule}, startDate: '2026-01-01' });
d.task('t', async () => 1);
export default d;
`;

describe('assets: maxActiveRuns and schedule changes', () => {
  // No worker: a run, once started, stays running until a test marks its task.
  const h = new Harness({ dags: { 'one.ts': ONE_AT_A_TIME, 'switching.ts': switching('[credits, returns]') } });

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.waitForDag('consume_one_at_a_time');
    await h.waitForDag('consume_switching');
  });
  after(() => h.tearDown());

  test('a consumer at its maxActiveRuns makes no run: its events wait, and the next run consumes them all', async () => {
    await insertAssetEvent(h.db, REFUNDS, { n: 1 });
    const [first] = await h.waitFor('the first run', async () => {
      const runs = await runsOf(h, 'consume_one_at_a_time');
      return runs.length === 1 && runs[0]!.state === 'running' && runs;
    });
    await insertAssetEvent(h.db, REFUNDS, { n: 2 });
    await insertAssetEvent(h.db, REFUNDS, { n: 3 });
    await h.waitFor('the events to be queued', async () => (await queued(h, 'consume_one_at_a_time')) === 2);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await runsOf(h, 'consume_one_at_a_time')).length, 1, 'no second run while the first is running');

    await markTaskInstance(h.services, { dagId: 'consume_one_at_a_time', runId: first!.runId, taskId: 't', mapIndex: -1 }, 'success');
    const second = await h.waitFor('the second run', async () => {
      const runs = await runsOf(h, 'consume_one_at_a_time');
      return runs.length === 2 && runs[0];
    });
    assert.deepEqual(second.consumedAssetEvents.map((e) => e.extra), [{ n: 2 }, { n: 3 }], 'one run of both waiting events');
  });

  test("events of an asset the DAG no longer waits for are dropped, so they cannot start a run later", async () => {
    await insertAssetEvent(h.db, CREDITS, { stale: true });
    await h.waitFor('the credits event to be queued', async () => (await queued(h, 'consume_switching')) === 1);
    // The file now waits for returns alone: the credits event is dropped, not consumed.
    await h.writeDag('switching.ts', switching('[returns]'));
    await h.waitFor('the queue to be emptied', async () => (await queued(h, 'consume_switching')) === 0);
    await insertAssetEvent(h.db, RETURNS, { fresh: true });
    const [run] = await h.waitFor('the run', async () => {
      const runs = await runsOf(h, 'consume_switching');
      return runs.length === 1 && runs;
    });
    assert.deepEqual(run!.consumedAssetEvents.map((e) => [e.uri, e.extra]), [[RETURNS, { fresh: true }]]);

    // Scheduled on a cron, the DAG loses what was queued for it; back on assets, it starts afresh.
    await h.writeDag('switching.ts', switching('[returns, credits]'));
    await h.waitFor('the new schedule', async () => {
      const { rows } = await h.db.query(`SELECT schedule_assets FROM dags WHERE dag_id = 'consume_switching'`);
      return (rows[0]?.schedule_assets as string[] | null)?.length === 2;
    });
    await insertAssetEvent(h.db, RETURNS, { before: 'cron' });
    await h.waitFor('the returns event to be queued', async () => (await queued(h, 'consume_switching')) === 1);
    await h.writeDag('switching.ts', switching("'@daily'"));
    await h.waitFor('the queue to be emptied', async () => (await queued(h, 'consume_switching')) === 0);
    await h.writeDag('switching.ts', switching('[returns, credits]'));
    await h.waitFor('the asset schedule again', async () => {
      const { rows } = await h.db.query(`SELECT schedule_assets FROM dags WHERE dag_id = 'consume_switching'`);
      return rows[0]?.schedule_assets !== null;
    });
    await insertAssetEvent(h.db, CREDITS, { after: 'cron' });
    await new Promise((r) => setTimeout(r, 1500));
    const asset = (await runsOf(h, 'consume_switching')).filter((r) => r.runType === 'asset_triggered');
    assert.equal(asset.length, 1, 'the returns event from before the cron does not complete a set');
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
