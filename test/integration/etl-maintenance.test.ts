/**
 * The ETL's maintenance DAGs, the repo's own etl_cleanup and warehouse_vacuum files (schedule
 * and retries turned off), run by the harness's scheduler and worker after real loads: what the
 * cleanup removes and keeps in S3, the warehouse and Sluice's own store and queues, its dry run,
 * and a vacuum that reports sizes, waits for a promote's lock, and waits with a sensor for the
 * day's last load.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Queue, Worker } from 'bullmq';
import pg from 'pg';
import { badKinds, generateCustomers, generateOrders, generateProducts } from '../../demo/shop-data.ts';
import type { EtlCleanupReport, MetadataCleanupReport } from '../../src/providers/index.ts';
import { runPrefix, stagingTable } from '../../src/providers/etl/layout.ts';
import { etlResources } from '../../src/providers/etl/resources.ts';
import { WAREHOUSE_LOAD_LOCK } from '../../src/providers/postgres/locks.ts';
import type { VacuumReport } from '../../src/providers/postgres/vacuum.ts';
import { listObjects, type StoredObject } from '../../src/providers/s3/objects.ts';
import { bullQueueName, DEFAULT_QUEUE } from '../../src/queue/jobs.ts';
import { createRedis } from '../../src/queue/redis.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { Harness, REPO_ROOT } from '../support/harness.ts';
import type { EtlTestbed } from '../support/etl-testbed.ts';
import { day, etlLoadDag, expectRunSuccess, linesSaying, startEtlSuite, taskLog, taskXcom, type EtlSuite } from '../support/etl-dag.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const LOAD = 'etl_load';
const WAREHOUSE_TABLES = ['customers', 'customers_tags', 'products', 'orders', 'orders_items'];

/** A DAG file of the repo with some of its text replaced; every replacement must apply. */
async function productionDag(file: string, replacements: [string, string][]): Promise<string> {
  let source = await readFile(path.join(REPO_ROOT, 'dags', file), 'utf8');
  for (const [from, to] of replacements) {
    assert.ok(source.includes(from), `dags/${file} has ${from}`);
    source = source.replace(from, to);
  }
  return source;
}

const options = { seed: 5, from: day(1), to: day(4), badRecordRate: 1 / 20 };
const customers = [...generateCustomers(100, options)];
const products = [...generateProducts(20, options)];
const orders = [...generateOrders(150, customers.map((c) => c._id), products, options)];
const unloadable = customers.filter((c) => badKinds('customers', c).includes('points-not-a-number'));

interface Payload {
  logChunks: number;
  logBytes: number;
  xcoms: number;
}

describe('etl_cleanup and warehouse_vacuum', { timeout: 120_000 }, () => {
  const h = new Harness();
  let suite: EtlSuite;
  let bed: EtlTestbed;
  // Run A: 8 days old, expired whole. Run B: recent, with the orphans of a failed extract try.
  let runA: string;
  let runB: string;
  const prefixOf = (runId: string) => runPrefix('etl', { dagId: LOAD, runId });

  const listed = async (): Promise<StoredObject[]> => {
    const objects: StoredObject[] = [];
    for await (const object of listObjects(etlResources().store(), 'etl/')) objects.push(object);
    return objects;
  };
  const keysOf = (objects: readonly StoredObject[]) => objects.map((o) => o.key).sort();
  const warehouseRows = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => (await bed.warehouse.query(sql, params)).rows as T[];
  const stagingOf = async (runId: string) =>
    (await warehouseRows<{ name: string }>('SELECT name FROM sluice_etl.staging_tables WHERE run_id = $1', [runId])).map((r) => r.name).sort();
  const existingTables = async (names: readonly string[]) =>
    (await warehouseRows<{ name: string }>('SELECT name FROM unnest($1::text[]) name WHERE to_regclass(name) IS NOT NULL', [names])).map((r) => r.name).sort();
  const rejectsOf = async (runId: string) =>
    Number((await warehouseRows<{ n: string }>('SELECT count(*) AS n FROM sluice_etl.load_rejects WHERE run_id = $1', [runId]))[0]!.n);
  const payloadOf = async (runId: string): Promise<Payload> => {
    const { rows } = await h.db.query<Payload>(
      `SELECT (SELECT count(*)::int FROM task_logs WHERE dag_id = $1 AND run_id = $2) AS "logChunks",
              (SELECT COALESCE(sum(octet_length(chunk)), 0)::int FROM task_logs WHERE dag_id = $1 AND run_id = $2) AS "logBytes",
              (SELECT count(*)::int FROM xcoms WHERE dag_id = $1 AND run_id = $2) AS xcoms`,
      [LOAD, runId],
    );
    return rows[0]!;
  };
  const trigger = async (dagId: string, logicalDate: Date, conf: Record<string, unknown> = {}) => {
    const { runId } = await triggerDagRun(h.db, dagId, { logicalDate, conf });
    await expectRunSuccess(h, dagId, runId);
    return runId;
  };

  // Finished queue jobs: two that ended two days ago, one just now.
  const queueName = bullQueueName('maintenance_leftovers', DEFAULT_QUEUE);
  let queue: Queue;
  const oldJobs: string[] = [];
  let recentJob: string;

  // What the cleanup is expected to find, worked out before it runs.
  let objectsBefore: StoredObject[];
  let expiredObjects: StoredObject[];
  let orphans: StoredObject[];
  let youngOrphan: string;
  let stagingA: string[];
  let stagingB: string[];
  let rejectsA: number;
  let rejectsB: number;
  let payloadA: Payload;
  let payloadB: Payload;

  before(async () => {
    const cleanupDag = await productionDag('etl_cleanup.ts', [
      ["schedule: '0 4 * * *'", 'schedule: null'],
      ["retries: 2, retryDelay: '10m'", 'retries: 0'],
    ]);
    // Its sensor watches this suite's loading DAG, at the logical date a run's conf names (the
    // production file's rule, the day's last hourly load, is unit-tested), every 200 ms.
    const vacuumDag = await productionDag('warehouse_vacuum.ts', [
      ["schedule: '30 3 * * *'", 'schedule: null'],
      ["retries: 2, retryDelay: '5m'", 'retries: 0'],
      ["pokeInterval: '5m'", "pokeInterval: '200ms'"],
      ["dagId: 'mongo_to_warehouse'", `dagId: '${LOAD}'`],
      ['logicalDate: (ctx) => lastLoadOfTheDay(ctx.dataIntervalEnd)', 'logicalDate: (ctx) => new Date(String(ctx.params.loadLogicalDate))'],
    ]);
    suite = await startEtlSuite(h, [], {
      ETL_ROWS_PER_PART: '40',
      ETL_MAX_REJECTS: '1000',
      // pruneSluiceMetadata connects with the worker's own settings, read from the environment.
      SLUICE_DATABASE_URL: h.config.databaseUrl,
      SLUICE_REDIS_URL: h.config.redisUrl,
      SLUICE_QUEUE_PREFIX: h.config.queuePrefix,
    });
    bed = suite.bed;
    await h.writeDag(`${LOAD}.ts`, etlLoadDag(LOAD));
    await h.writeDag('etl_cleanup.ts', cleanupDag);
    await h.writeDag('warehouse_vacuum.ts', vacuumDag);
    for (const dagId of [LOAD, 'etl_cleanup', 'warehouse_vacuum']) await h.waitForDag(dagId);
    assert.ok(unloadable.length > 0, 'the generated customers include some that cannot load');
    await bed.mongo.collection('customers').insertMany(customers);
    await bed.mongo.collection('products').insertMany(products);
    await bed.mongo.collection('orders').insertMany(orders);

    runA = await trigger(LOAD, day(5));
    // Run B changes 60 orders and the unloadable customers (rejected again); its first orders
    // extract fails on S3 at part 2, so try 1 leaves parts no manifest names.
    await bed.mongo.collection('orders').updateMany({ _id: { $in: orders.slice(0, 60).map((o) => o._id) } }, { $set: { status: 'refunded', updatedAt: day(5, 12) } });
    await bed.mongo.collection('customers').updateMany({ _id: { $in: unloadable.map((c) => c._id) } }, { $set: { updatedAt: day(5, 12) } });
    const runBPrefix = prefixOf('manual__2026-11-06T00:00:00.000Z');
    bed.s3.failRequests((method, url) => method === 'PUT' && url.includes(`${runBPrefix}orders/try-1/orders/part-00002`), 20);
    runB = await trigger(LOAD, day(6));
    assert.equal(prefixOf(runB), runBPrefix);
    assert.equal((await h.taskInstances(LOAD, runB)).extract_orders!.tryNumber, 2);

    // Age things instead of waiting: run A's objects 8 days (retention 7d), run B's 7 hours (orphan
    // grace 6h), run A's staging tables 2 days (1d), its rejects 8 days, its Sluice run 40 days (30d).
    const now = Date.now();
    for (const object of await listed()) {
      const age = object.key.startsWith(prefixOf(runA)) ? 8 * DAY_MS : 7 * HOUR_MS;
      await bed.s3.setLastModified(object.key, new Date(now - age));
    }
    youngOrphan = `${runBPrefix}orders/try-9/orders/part-00001.ndjson.gz`;
    const store = etlResources().store();
    await store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: youngOrphan, Body: 'a part an extract is still writing' }));
    await bed.warehouse.query("UPDATE sluice_etl.staging_tables SET created_at = now() - interval '2 days' WHERE run_id = $1", [runA]);
    await bed.warehouse.query("UPDATE sluice_etl.load_rejects SET rejected_at = now() - interval '8 days' WHERE run_id = $1", [runA]);
    await h.db.query("UPDATE dag_runs SET end_date = now() - interval '40 days' WHERE dag_id = $1 AND run_id = $2", [LOAD, runA]);

    queue = new Queue(queueName, { connection: h.redis, prefix: h.config.queuePrefix });
    const added = [];
    for (let i = 0; i < 3; i++) added.push((await queue.add('leftover', { i })).id!);
    const consumer = createRedis(h.config, 'consumer');
    const worker = new Worker(queueName, async () => 'done', { connection: consumer, prefix: h.config.queuePrefix });
    await h.waitFor('the leftover jobs to complete', async () => (await queue.getJobCounts('completed')).completed === 3);
    await worker.close();
    consumer.disconnect();
    oldJobs.push(added[0]!, added[1]!);
    recentJob = added[2]!;
    for (const id of oldJobs) await h.redis.zadd(queue.keys.completed!, 'XX', now - 2 * DAY_MS, id);

    objectsBefore = await listed();
    expiredObjects = objectsBefore.filter((o) => o.key.startsWith(prefixOf(runA)));
    orphans = objectsBefore.filter((o) => o.key.startsWith(`${runBPrefix}orders/try-1/`));
    assert.ok(expiredObjects.length > 10 && orphans.length > 0, `${expiredObjects.length} objects of run A, ${orphans.length} orphans of run B`);
    stagingA = await stagingOf(runA);
    stagingB = await stagingOf(runB);
    assert.deepEqual(stagingA, WAREHOUSE_TABLES.map((table) => stagingTable({ dagId: LOAD, runId: runA }, table)).sort());
    assert.ok(stagingB.length > 0);
    rejectsA = await rejectsOf(runA);
    rejectsB = await rejectsOf(runB);
    assert.deepEqual([rejectsA, rejectsB], [unloadable.length, unloadable.length]);
    payloadA = await payloadOf(runA);
    payloadB = await payloadOf(runB);
    assert.equal(payloadA.xcoms, 11, 'migrate, promote and three tasks per collection');
  });
  after(async () => {
    await queue?.close();
    await suite?.stop();
  });

  const expectedReport = (dryRun: boolean): EtlCleanupReport => ({
    dryRun,
    expiredRuns: 1,
    objectsRemoved: expiredObjects.length + orphans.length,
    bytesRemoved: [...expiredObjects, ...orphans].reduce((sum, o) => sum + o.bytes, 0),
    orphanPartsRemoved: orphans.length,
    unfinishedUploadsAborted: 0,
    stagingTablesDropped: stagingA,
    rejectsRemoved: rejectsA,
  });
  const sortedStaging = (report: EtlCleanupReport): EtlCleanupReport => ({ ...report, stagingTablesDropped: [...report.stagingTablesDropped].sort() });

  test('a dry run reports what the cleanup would remove and removes nothing', async () => {
    const runId = await trigger('etl_cleanup', new Date(), { dryRun: true });
    assert.deepEqual(sortedStaging(await taskXcom<EtlCleanupReport>(h, 'etl_cleanup', runId, 'etl_objects')), expectedReport(true));
    assert.deepEqual(await taskXcom<MetadataCleanupReport>(h, 'etl_cleanup', runId, 'sluice_metadata'), { dryRun: true, ...payloadA, queueJobs: oldJobs.length });
    assert.equal(linesSaying(await taskLog(h, 'etl_cleanup', runId, 'etl_objects'), 'cleanup (dry run): would remove').length, 1);
    assert.equal(linesSaying(await taskLog(h, 'etl_cleanup', runId, 'sluice_metadata'), 'metadata cleanup (dry run): would remove').length, 1);

    assert.deepEqual(keysOf(await listed()), keysOf(objectsBefore));
    assert.deepEqual(await existingTables([...stagingA, ...stagingB]), [...stagingA, ...stagingB].sort());
    assert.deepEqual(await stagingOf(runA), stagingA);
    assert.deepEqual([await rejectsOf(runA), await rejectsOf(runB)], [rejectsA, rejectsB]);
    assert.deepEqual([await payloadOf(runA), await payloadOf(runB)], [payloadA, payloadB]);
    assert.equal((await queue.getJobCounts('completed')).completed, 3);
  });

  test('the cleanup removes expired runs, old orphans, old staging tables, rejects, logs, XComs and queue jobs, and keeps the rest', async () => {
    const runId = await trigger('etl_cleanup', new Date());
    assert.deepEqual(sortedStaging(await taskXcom<EtlCleanupReport>(h, 'etl_cleanup', runId, 'etl_objects')), expectedReport(false));
    assert.deepEqual(await taskXcom<MetadataCleanupReport>(h, 'etl_cleanup', runId, 'sluice_metadata'), { dryRun: false, ...payloadA, queueJobs: oldJobs.length });

    // S3: run A entirely, run B's old orphans; run B's manifests and the parts they name stay (7 hours
    // old or not), as does a part younger than the grace, which an extract may still be writing.
    const removed = new Set([...expiredObjects, ...orphans].map((o) => o.key));
    const remaining = keysOf(await listed());
    assert.deepEqual(remaining, keysOf(objectsBefore.filter((o) => !removed.has(o.key))));
    assert.ok(remaining.includes(youngOrphan));
    assert.ok(remaining.some((key) => key.startsWith(`${prefixOf(runB)}orders/try-2/`)) && remaining.includes(`${prefixOf(runB)}orders/manifest.json`));
    assert.ok(remaining.some((key) => key.startsWith(`${prefixOf(runB)}customers/try-1/`)), 'try-1 parts a manifest names are not orphans');
    // s3rver cannot list multipart uploads: the cleanup says so and carries on.
    const skipped = linesSaying(await taskLog(h, 'etl_cleanup', runId, 'etl_objects'), 'could not list unfinished multipart uploads; skipped');
    assert.equal(skipped.length, 1);

    // Warehouse: run A's staging tables and rejects are gone, run B's are not.
    assert.deepEqual(await existingTables([...stagingA, ...stagingB]), stagingB);
    assert.deepEqual([await stagingOf(runA), await stagingOf(runB)], [[], stagingB]);
    assert.deepEqual([await rejectsOf(runA), await rejectsOf(runB)], [0, rejectsB]);

    // Sluice: run A keeps its history but not its logs and XComs; run B keeps everything.
    assert.deepEqual([await payloadOf(runA), await payloadOf(runB)], [{ logChunks: 0, logBytes: 0, xcoms: 0 }, payloadB]);
    assert.equal(Object.keys(await h.taskInstances(LOAD, runA)).length, 11);
    for (const id of oldJobs) assert.equal(await queue.getJob(id), undefined, `job ${id} ended two days ago`);
    assert.ok(await queue.getJob(recentJob), 'a job that ended just now stays');

    // A second cleanup finds nothing more.
    const again = await trigger('etl_cleanup', new Date(), { dryRun: true });
    const nothing: EtlCleanupReport = { ...expectedReport(true), expiredRuns: 0, objectsRemoved: 0, bytesRemoved: 0, orphanPartsRemoved: 0, stagingTablesDropped: [], rejectsRemoved: 0 };
    assert.deepEqual(await taskXcom<EtlCleanupReport>(h, 'etl_cleanup', again, 'etl_objects'), nothing);
  });

  test('warehouse_vacuum vacuums every warehouse table and logs its size before and after', async () => {
    // Dead rows to vacuum: every product rewritten once.
    await bed.warehouse.query('UPDATE products SET name = name');
    await h.waitFor('the statistics to count the dead rows', async () =>
      Number((await warehouseRows<{ n: string }>("SELECT n_dead_tup AS n FROM pg_stat_user_tables WHERE relname = 'products'"))[0]!.n) >= products.length,
    );
    const runId = await trigger('warehouse_vacuum', new Date(), { loadLogicalDate: day(5).toISOString() });
    const reports = await taskXcom<VacuumReport[]>(h, 'warehouse_vacuum', runId, 'vacuum');
    assert.deepEqual(reports.map((r) => r.table), WAREHOUSE_TABLES);
    for (const report of reports) {
      const [size] = await warehouseRows<{ bytes: string; vacuumed: Date | null }>(
        'SELECT pg_total_relation_size($1::regclass) AS bytes, last_vacuum AS vacuumed FROM pg_stat_user_tables WHERE relid = $1::regclass',
        [report.table],
      );
      assert.ok(report.bytesBefore > 0, `${report.table} had a size`);
      assert.equal(report.bytesAfter, Number(size!.bytes), `${report.table}'s size after is its size now`);
      assert.ok(size!.vacuumed, `${report.table} was vacuumed`);
      assert.equal(report.lockWaitMs, 0);
    }
    const productsReport = reports.find((r) => r.table === 'products')!;
    assert.ok(productsReport.deadTuplesBefore >= products.length, `products had ${productsReport.deadTuplesBefore} dead rows`);
    assert.equal(productsReport.deadTuplesAfter, 0);

    const logged = linesSaying(await taskLog(h, 'warehouse_vacuum', runId, 'vacuum'), 'vacuumed warehouse table');
    assert.deepEqual(
      logged.map(({ table, bytesBefore, bytesAfter, deadTuplesBefore, deadTuplesAfter }) => ({ table, bytesBefore, bytesAfter, deadTuplesBefore, deadTuplesAfter })),
      reports.map(({ table, bytesBefore, bytesAfter, deadTuplesBefore, deadTuplesAfter }) => ({ table, bytesBefore, bytesAfter, deadTuplesBefore, deadTuplesAfter })),
    );
  });

  test('warehouse_vacuum waits while the promote lock is held and vacuums once it is released', async () => {
    const holder = new pg.Client({ connectionString: bed.env.WAREHOUSE_DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [WAREHOUSE_LOAD_LOCK]);
      const lastVacuum = async () =>
        (await warehouseRows<{ at: Date | null }>("SELECT last_vacuum AS at FROM pg_stat_user_tables WHERE relname = 'customers'"))[0]!.at?.getTime() ?? 0;
      const before = await lastVacuum();
      const { runId } = await triggerDagRun(h.db, 'warehouse_vacuum', { logicalDate: new Date(), conf: { loadLogicalDate: day(5).toISOString() } });
      // An advisory lock on a bigint key is (classid, objid) = (high, low 32 bits), in one database.
      await h.waitFor('the vacuum to wait for the lock', async () =>
        (await warehouseRows(
          `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid::bigint * 4294967296 + objid::bigint = $1
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [WAREHOUSE_LOAD_LOCK],
        )).length === 1,
      );
      const heldAt = Date.now();
      await sleep(1500);
      assert.equal((await h.taskStates('warehouse_vacuum', runId)).vacuum, 'running');
      assert.equal(await lastVacuum(), before, 'customers is not vacuumed while the lock is held');

      await holder.query('SELECT pg_advisory_unlock($1)', [WAREHOUSE_LOAD_LOCK]);
      const released = Date.now();
      await expectRunSuccess(h, 'warehouse_vacuum', runId);
      assert.ok((await lastVacuum()) > before);
      const reports = await taskXcom<VacuumReport[]>(h, 'warehouse_vacuum', runId, 'vacuum');
      assert.equal(reports[0]!.table, 'customers');
      assert.ok(reports[0]!.lockWaitMs >= released - heldAt - 50, `waited ${reports[0]!.lockWaitMs} ms, the lock was held ${released - heldAt} ms`);
      assert.deepEqual(reports.slice(1).map((r) => r.lockWaitMs), [0, 0, 0, 0]);
      const waiting = linesSaying(await taskLog(h, 'warehouse_vacuum', runId, 'vacuum'), 'waiting for the warehouse load lock: a promote is running');
      assert.deepEqual(waiting.map((line) => line.table), ['customers']);
    } finally {
      await holder.end();
    }
  });
  test("warehouse_vacuum waits, holding no slot, until the day's last load has promoted", async () => {
    const loadAt = day(7, 23);
    const { runId } = await triggerDagRun(h.db, 'warehouse_vacuum', { logicalDate: new Date(Date.now() + 60_000), conf: { loadLogicalDate: loadAt.toISOString() } });
    await h.waitFor('the sensor to wait for the load', async () => ((await h.taskStates('warehouse_vacuum', runId)).day_loaded === 'up_for_reschedule' ? true : undefined));
    assert.equal((await h.taskStates('warehouse_vacuum', runId)).vacuum, 'none', 'nothing is vacuumed before the load');
    await trigger(LOAD, loadAt);
    await expectRunSuccess(h, 'warehouse_vacuum', runId);
    const sensed = await taskXcom<{ dagId: string; state: string }>(h, 'warehouse_vacuum', runId, 'day_loaded');
    assert.equal(sensed.dagId, LOAD);
    assert.equal(sensed.state, 'success');
    assert.equal((await h.taskInstances('warehouse_vacuum', runId)).day_loaded!.tryNumber, 1, 'every check in one try');
  });
});
