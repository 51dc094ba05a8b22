/**
 * stage_load when reading a part from S3 goes wrong, through real runs of the production
 * operators: a part whose GET keeps failing, and the reject limit tripping while another part is
 * still being read (its GET unanswered, or its COPY waiting for the rest of the body). Each time
 * the try must fail at once with the reason (not sit in a COPY that never gets data until the
 * execution timeout), leave no transaction open and no lock on the staging tables, and a retry or
 * a clear must then load everything.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCustomers, generateOrders, generateProducts, type CustomerDoc } from '../../demo/shop-data.ts';
import { STAGING_SCHEMA } from '../../src/providers/etl/layout.ts';
import { clearTaskInstances, triggerDagRun } from '../../src/engine/actions.ts';
import { listTries } from '../../src/store/task-instance-reads.ts';
import { Harness } from '../support/harness.ts';
import { day, etlLoadDag, expectRunSuccess, startEtlSuite, type EtlSuite } from '../support/etl-dag.ts';
import type { EtlTestbed } from '../support/etl-testbed.ts';

const DAG_ID = 'etl_load_failures';
// Without an executionTimeout in the DAG, a try stuck in COPY would never end: "promptly" here
// is anything well inside the test's own bounds.
const PROMPTLY_MS = 60_000;

const options = { seed: 5, from: day(1), to: day(4), badRecordRate: 0 };
// Every tenth customer cannot load (loyalty points of 'n/a'): with 40 rows a part, every
// customers part has rejects, whichever order the parts come in.
const customers: CustomerDoc[] = [...generateCustomers(160, options)].map((c, i) => (i % 10 === 0 ? { ...c, loyalty: { ...c.loyalty, points: 'n/a' as unknown as number } } : c));
const rejected = customers.filter((_, i) => i % 10 === 0).length;
const products = [...generateProducts(20, options)];
const orders = [...generateOrders(200, customers.map((c) => c._id), products, options)];

const partGet = (collection: string, table: string, part: number) => (method: string, url: string) =>
  method === 'GET' && url.includes(`/${collection}/try-1/${table}/part-${String(part).padStart(5, '0')}`);

describe('stage_load when reading a part fails', { timeout: 240_000 }, () => {
  // Tries run in the worker's own process: the tests change the ETL's settings in process.env
  // between runs, which runner processes, started with the environment of their time, never see.
  const h = new Harness({ dags: { [`${DAG_ID}.ts`]: etlLoadDag(DAG_ID) }, env: { SLUICE_TASK_ISOLATION: 'inline' } });
  let suite: EtlSuite;
  let bed: EtlTestbed;

  const count = async (table: string) => Number((await bed.warehouse.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  /** Warehouse backends other than ours that sit in a transaction or hold a lock on a staging table. */
  const lingering = async () =>
    (await bed.warehouse.query<{ pid: number; state: string; query: string }>(
      `SELECT a.pid, a.state, a.query FROM pg_stat_activity a
        WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
          AND (a.state LIKE 'idle in transaction%' OR a.pid IN (
            SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND n.nspname = $1))`,
      [STAGING_SCHEMA],
    )).rows;
  const expectNothingLingering = async () => {
    let left: Awaited<ReturnType<typeof lingering>> = [];
    await h
      .waitFor('warehouse backends to leave their transactions and staging locks', async () => (left = await lingering()).length === 0, 10_000)
      .catch(() => assert.fail(`backends still in a transaction or holding staging locks: ${JSON.stringify(left)}`));
  };
  /** The first try of the task: failed, soon, for this reason. */
  const expectFirstTryFailedPromptly = async (runId: string, taskId: string, reason: RegExp) => {
    const [first] = await listTries(h.db, DAG_ID, runId, taskId);
    assert.ok(first, `${taskId} ran`);
    assert.equal(first.state, 'failed', `${taskId} try 1: ${first.state} ${first.error ?? ''}`);
    assert.match(first.error ?? '', reason);
    assert.ok(first.durationMs !== null && first.durationMs < PROMPTLY_MS, `try 1 of ${taskId} took ${first.durationMs} ms`);
  };

  before(async () => {
    suite = await startEtlSuite(h, [DAG_ID], { ETL_ROWS_PER_PART: '40', ETL_MAX_REJECTS: '1000' });
    bed = suite.bed;
    await bed.mongo.collection<CustomerDoc>('customers').insertMany(customers);
    await bed.mongo.collection('products').insertMany(products);
    await bed.mongo.collection('orders').insertMany(orders);
  });
  after(() => suite?.stop());

  test('a part whose GET answers 500 past the SDK\'s retries fails the try at once with the S3 error; the retry loads it', async () => {
    // Five answers of 500: every attempt the SDK makes for that part in the first try.
    bed.s3.failRequests(partGet('orders', 'orders', 2), 5);
    const { runId } = await triggerDagRun(h.db, DAG_ID, { logicalDate: day(10), conf: { fullRefresh: true } });
    await expectRunSuccess(h, DAG_ID, runId, 120_000);
    assert.equal(bed.s3.pendingFailures(), 0, 'every injected failure was met');
    await expectFirstTryFailedPromptly(runId, 'stage_load_orders', /orders\/part-00002\.ndjson\.gz: InternalError \(HTTP 500\)/);
    assert.equal((await listTries(h.db, DAG_ID, runId, 'stage_load_orders')).length, 2);
    assert.equal(await count('orders'), orders.length);
    await expectNothingLingering();
  });

  for (const at of ['response', 'body'] as const) {
    const where = at === 'response' ? "another part's GET is still unanswered" : "another part's COPY waits for the rest of its body";
    test(`the reject limit tripping while ${where} fails the try at once; a clear then loads everything`, async () => {
      process.env.ETL_MAX_REJECTS = '0';
      const stalledBefore = bed.s3.stalledRequests();
      bed.s3.stallRequests(partGet('customers', 'customers', 1), 1, at);
      const logicalDate = at === 'response' ? day(11) : day(12);
      const { runId } = await triggerDagRun(h.db, DAG_ID, { logicalDate, conf: { fullRefresh: true } });
      const end = await h.waitForRunEnd(DAG_ID, runId, 120_000);
      assert.equal(end.state, 'failed');
      assert.equal(bed.s3.stalledRequests(), stalledBefore + 1, 'the first customers part stalled');
      await expectFirstTryFailedPromptly(runId, 'stage_load_customers', /customers: \d+ records could not be loaded, more than the limit of 0/);
      await expectNothingLingering();

      process.env.ETL_MAX_REJECTS = '1000';
      await clearTaskInstances(h.services, DAG_ID, runId, { taskIds: ['stage_load_customers'], includeDownstream: true });
      await expectRunSuccess(h, DAG_ID, runId, 120_000);
      assert.equal(await count('customers'), customers.length - rejected);
      await expectNothingLingering();
    });
  }
});
