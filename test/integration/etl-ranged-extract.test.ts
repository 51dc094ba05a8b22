/**
 * A ranged extract (ETL_EXTRACT_READERS / `readers`) against the MongoDB stand-in and s3rver: the
 * window read in `_id` ranges, in threads of their own or, with the caller's own connections, as
 * concurrent cursors, must put exactly the rows of a single reader into the warehouse, through
 * commitExtract, stageLoad and promote, on documents of mixed `_id` types with child arrays. A
 * thread that fails fails the extract with its range named; cancelling terminates the threads.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { ObjectId } from 'mongodb';
import pg from 'pg';
import { generateCustomers, generateOrders, generateProducts } from '../../demo/shop-data.ts';
import { extractCollection, type ExtractOptions } from '../../src/providers/etl/extract.ts';
import type { ExtractResult } from '../../src/providers/etl/manifest.ts';
import { promote } from '../../src/providers/etl/promote.ts';
import { etlResources } from '../../src/providers/etl/resources.ts';
import { stageLoad } from '../../src/providers/etl/stage-load.ts';
import { commitExtract } from '../../src/providers/etl/upload.ts';
import { migrateWarehouse } from '../../src/providers/etl/warehouse-tasks.ts';
import type { TaskContext } from '../../src/sdk/context.ts';
import { dropDatabase } from '../../src/store/db.ts';
import { REPO_ROOT } from '../support/harness.ts';
import { startEtlTestbed, type EtlTestbed } from '../support/etl-testbed.ts';
import { taskContext } from '../support/task-context.ts';

const ORDERS = { collection: 'orders', modifiedField: 'updatedAt' };
const MIGRATIONS = `${REPO_ROOT}/dags/warehouse/migrations`;
const shopRange = { seed: 11, from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z'), badRecordRate: 0.05 };

describe('ranged extract', { timeout: 240_000 }, () => {
  let bed: EtlTestbed;
  const restoreEnv = { ...process.env };
  const warehouses: string[] = [];

  before(async () => {
    bed = await startEtlTestbed();
    // No `resources` given: extract resolves its connections from the environment, as in a task.
    Object.assign(process.env, bed.env, { ETL_ROWS_PER_PART: '150' });
    const customers = [...generateCustomers(50, shopRange)];
    const products = [...generateProducts(20, shopRange)];
    const orders = [...generateOrders(700, customers.map((c) => c._id), products, shopRange)];
    // The same orders under _ids of other types: numbers, strings and Dates beside the ObjectIds.
    const otherIds = (i: number): unknown => [i, `order-${String(i).padStart(4, '0')}`, new Date(Date.UTC(2026, 0, 1, 0, 0, i)), i + 0.5][i % 4];
    const others = orders.slice(0, 120).map((order, i) => ({ ...order, _id: otherIds(i) }));
    await bed.mongo.collection<{ _id: unknown }>('orders').insertMany([...orders, ...others] as { _id: ObjectId }[]);
  });

  after(async () => {
    process.env = restoreEnv;
    await bed?.close();
    for (const url of warehouses) await dropDatabase(url).catch(() => undefined);
  });

  const contextOf = (runId: string, xcom: (task: string) => unknown = () => undefined, signal?: AbortSignal): TaskContext =>
    taskContext({
      dagId: 'ranged',
      runId,
      taskId: 'extract_orders',
      params: { fullRefresh: true },
      dataIntervalStart: new Date('2027-01-01T00:00:00Z'),
      dataIntervalEnd: new Date('2027-01-01T00:00:00Z'),
      xcom: (async (task: string) => xcom(task)) as TaskContext['xcom'],
      ...(signal ? { signal } : {}),
    });

  /** Extract, commit, stage and promote `orders` into a warehouse database of its own; its tables' rows, hashed. */
  async function loadInto(name: string, options: ExtractOptions): Promise<{ extract: ExtractResult; hashes: Record<string, string> }> {
    // Created on first use, as the ETL creates its warehouse.
    const url = `${bed.env.WAREHOUSE_DATABASE_URL}_${name}`;
    warehouses.push(url);
    process.env.WAREHOUSE_DATABASE_URL = url;
    const runId = `manual__${name}`;
    await migrateWarehouse(contextOf(runId), { directory: MIGRATIONS });
    const extract = await extractCollection(contextOf(runId), ORDERS, options);
    const commit = await commitExtract(contextOf(runId, () => extract), { extractTask: 'extract_orders' });
    const stage = await stageLoad(contextOf(runId, () => commit), { collection: ORDERS, uploadTask: 'upload_orders' });
    await promote(contextOf(runId, () => stage), { stageTasks: ['stage_load_orders'] });
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const hashes: Record<string, string> = {};
      // Every column but the surrogate keys and the run's own (identity values follow load order);
      // an item names its order by the order's source_id.
      const queries = {
        orders: `SELECT (to_jsonb(t) - 'id' - 'etl_loaded_at' - 'etl_run_id')::text AS row FROM orders t`,
        orders_items: `SELECT (to_jsonb(i) - 'id' - 'parent_id' || jsonb_build_object('order', o.source_id))::text AS row FROM orders_items i JOIN orders o ON o.id = i.parent_id`,
      };
      for (const [table, query] of Object.entries(queries)) {
        const { rows } = await pool.query<{ row: string }>(query);
        assert.ok(rows.length > 0, `${name}: ${table} has rows`);
        hashes[table] = createHash('sha256').update(rows.map((r) => r.row).sort().join('\n')).digest('hex');
      }
      return { extract, hashes };
    } finally {
      await pool.end();
    }
  }

  test('read in ranges, in threads or as concurrent cursors, the warehouse gets exactly the rows of one reader', async () => {
    const single = await loadInto('single', { readers: 1 });
    const threads = await loadInto('threads', { readers: 3 });
    const cursors = await loadInto('cursors', { readers: 3, resources: etlResources(process.env) });
    assert.equal(single.extract.documents, 820);
    for (const ranged of [threads, cursors]) {
      assert.deepEqual(ranged.hashes, single.hashes);
      assert.equal(ranged.extract.documents, single.extract.documents);
      for (const [table, extract] of Object.entries(single.extract.tables)) {
        const other = ranged.extract.tables[table]!;
        assert.deepEqual({ columns: other.columns, widths: other.widths, rows: other.rows }, { columns: extract.columns, widths: extract.widths, rows: extract.rows }, table);
      }
      assert.deepEqual(ranged.extract.collisions, single.extract.collisions);
      const keys = Object.values(ranged.extract.tables).flatMap((t) => t.parts.map((p) => p.key));
      for (const range of [1, 2, 3]) assert.ok(keys.some((key) => key.includes(`/part-r${range}-`)), `range ${range} wrote parts of its own: ${keys.join(', ')}`);
    }
    assert.ok(Object.values(single.extract.tables).every((t) => t.parts.every((p) => /\/part-\d{5}\.ndjson\.gz$/.test(p.key))), 'one reader keeps the keys it always had');
  });

  test('a thread that fails fails the extract, naming its range and its error', async () => {
    // Every retry of every part of range 2 of this run fails (and nothing else).
    bed.s3.failRequests((method, url) => method === 'PUT' && url.includes('/manual__failing/') && url.includes('/part-r2-'), 50);
    await assert.rejects(extractCollection(contextOf('manual__failing'), ORDERS, { readers: 3 }), (error: Error) => {
      assert.match(error.message, /^range 2\/3 \(_id ≥ [^)]+\): .+/);
      return true;
    });
    assert.ok(bed.s3.pendingFailures() < 50, 'the failure came from the thread writing range 2');
  });

  test('cancelling the try terminates its threads', async () => {
    const controller = new AbortController();
    const workers: Worker[] = [];
    const onWorker = (worker: Worker) => {
      workers.push(worker);
      // Stopped while a thread is running.
      worker.once('online', () => controller.abort(new Error('the try was cancelled')));
    };
    process.on('worker', onWorker);
    try {
      const exits: Promise<unknown>[] = [];
      const extract = extractCollection(contextOf('manual__cancelled', undefined, controller.signal), ORDERS, { readers: 3 });
      await assert.rejects(extract);
      assert.ok(workers.length > 0, 'threads were started');
      for (const worker of workers) exits.push(worker.threadId === -1 ? Promise.resolve() : once(worker, 'exit'));
      // Each thread has ended (or this waits until the test times out).
      await Promise.all(exits);
    } finally {
      process.off('worker', onWorker);
    }
  });
});
