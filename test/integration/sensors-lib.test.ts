/**
 * The ready sensors of sluice/sensors against the real things they watch: another DAG's run in
 * Sluice's metadata database, an object in s3rver, a PostgreSQL query, a local HTTP endpoint.
 * Each check is called as a worker calls a sensor's check, with a try's context; then DAG files
 * use them through d.sensor with a real scheduler and worker.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createS3Client, s3SettingsFromEnv } from '../../src/providers/s3/client.ts';
import { putObject } from '../../src/providers/s3/objects.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { isFailTask } from '../../src/sdk/errors.ts';
import { externalTaskSensor, httpSensor, s3KeySensor, sqlSensor } from '../../src/sensors/index.ts';
import { closeMetadataDb } from '../../src/sensors/metadata-db.ts';
import { readXcom } from '../../src/store/xcom.ts';
import { Harness } from '../support/harness.ts';
import { startS3Testbed, type S3Testbed } from '../support/s3-testbed.ts';
import { dagSpec, taskSpec } from '../support/specs.ts';
import { openStoreDb, seedRunningRun, type StoreDb } from '../support/store-db.ts';
import { taskContext } from '../support/task-context.ts';

describe('externalTaskSensor', { timeout: 60_000 }, () => {
  let store: StoreDb;
  let savedUrl: string | undefined;
  const logicalDate = new Date('2026-12-07T00:00:00Z');
  const ctx = taskContext({ logicalDate });
  const setRun = (state: string) => store.db.query(`UPDATE dag_runs SET state = $1 WHERE dag_id = 'upstream'`, [state]);
  const setTask = (taskId: string, state: string, mapIndex = -1) =>
    store.db.query(`UPDATE task_instances SET state = $1 WHERE dag_id = 'upstream' AND task_id = $2 AND map_index = $3`, [state, taskId, mapIndex]);

  before(async () => {
    store = await openStoreDb('sensors_ext');
    // The sensor reads the database its worker uses: SLUICE_DATABASE_URL, as a worker's runner has it.
    savedUrl = process.env.SLUICE_DATABASE_URL;
    process.env.SLUICE_DATABASE_URL = store.url;
  });
  after(async () => {
    await closeMetadataDb();
    if (savedUrl === undefined) delete process.env.SLUICE_DATABASE_URL;
    else process.env.SLUICE_DATABASE_URL = savedUrl;
    await store.close();
  });

  it('is not yet done while the run for its logical date does not exist, then follows the run to success', async () => {
    const check = externalTaskSensor({ dagId: 'upstream' });
    assert.equal(await check(ctx), null);
    await seedRunningRun(store.db, dagSpec('upstream', ['extract', 'load'], [['extract', 'load']]), 'scheduled__2026-12-07', logicalDate);
    assert.equal(await check(ctx), null, 'a running run is not yet done');
    // Another logical date is another run: the default is the sensing run's own.
    assert.equal(await externalTaskSensor({ dagId: 'upstream', logicalDate: () => new Date('2026-12-06T00:00:00Z') })(ctx), null);
    await setRun('success');
    assert.deepEqual(await check(ctx), { dagId: 'upstream', runId: 'scheduled__2026-12-07', taskId: null, state: 'success' });
  });

  it('fails at once, without retries, when the run is in a failed state', async () => {
    await setRun('failed');
    await assert.rejects(externalTaskSensor({ dagId: 'upstream' })(ctx), (error: Error) => {
      assert.ok(isFailTask(error), 'a FailTask: no retry would change the outcome');
      assert.match(error.message, /DAG "upstream" is failed in run "scheduled__2026-12-07" \(logical date 2026-12-07T00:00:00\.000Z\), one of failedStates \[failed\]/);
      return true;
    });
    // With other lists, a failed run can be what the sensor waits for.
    assert.equal((await externalTaskSensor({ dagId: 'upstream', allowedStates: ['success', 'failed'], failedStates: [] })(ctx))?.state, 'failed');
  });

  it('watches one task, with its own states; a task the run lacks is an error', async () => {
    const check = externalTaskSensor({ dagId: 'upstream', taskId: 'extract', allowedStates: ['success', 'skipped'] });
    assert.equal(await check(ctx), null, "the task is still 'none'");
    await setTask('extract', 'skipped');
    assert.deepEqual(await check(ctx), { dagId: 'upstream', runId: 'scheduled__2026-12-07', taskId: 'extract', state: 'skipped' });
    await setTask('load', 'upstream_failed');
    await assert.rejects(externalTaskSensor({ dagId: 'upstream', taskId: 'load', failedStates: ['failed', 'upstream_failed'] })(ctx), /task "load" of DAG "upstream" is upstream_failed/);
    await assert.rejects(externalTaskSensor({ dagId: 'upstream', taskId: 'transform' })(ctx), /run "scheduled__2026-12-07" of DAG "upstream" has no task "transform"/);
  });

  it('counts a mapped task done when all its instances are, failed as soon as one is', async () => {
    const mappedAt = new Date('2026-12-08T00:00:00Z');
    await seedRunningRun(store.db, { ...dagSpec('upstream', []), tasks: [taskSpec('fan')] }, 'scheduled__2026-12-08', mappedAt);
    // Expanded as the engine expands it: the unmapped row gives way to one row per element.
    await store.db.query(
      `INSERT INTO task_instances (dag_id, run_id, run_logical_date, task_id, map_index, max_tries, pool, pool_slots, queue, priority_weight, trigger_rule, downstream, upstream_total)
       SELECT dag_id, run_id, run_logical_date, task_id, i, max_tries, pool, pool_slots, queue, priority_weight, trigger_rule, downstream, upstream_total
       FROM task_instances, generate_series(0, 2) AS i WHERE dag_id = 'upstream' AND run_id = 'scheduled__2026-12-08' AND task_id = 'fan'`,
    );
    await store.db.query(`DELETE FROM task_instances WHERE dag_id = 'upstream' AND run_id = 'scheduled__2026-12-08' AND map_index = -1`);
    const check = externalTaskSensor({ dagId: 'upstream', taskId: 'fan', logicalDate: () => mappedAt });
    const setFan = (state: string, i: number) =>
      store.db.query(`UPDATE task_instances SET state = $1 WHERE run_id = 'scheduled__2026-12-08' AND map_index = $2`, [state, i]);
    await setFan('success', 0);
    await setFan('success', 1);
    assert.equal(await check(ctx), null, 'two of three instances done is not done');
    await setFan('success', 2);
    assert.equal((await check(ctx))?.state, 'success');
    await setFan('failed', 1);
    await assert.rejects(check(ctx), (error: Error) => isFailTask(error) && /task "fan" of DAG "upstream" is failed/.test(error.message));
  });
});

describe('s3KeySensor against s3rver', { timeout: 60_000 }, () => {
  let s3: S3Testbed;
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    s3 = await startS3Testbed('landing');
    // Unset options come from the same S3_* variables as the ETL's.
    for (const [name, value] of Object.entries(s3.env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  after(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await s3.close();
  });

  it('is not yet done while the key is missing, then done with its size and ETag', async () => {
    const check = s3KeySensor({ bucket: 'landing', key: 'exports/2026-12-07/orders.csv' });
    assert.equal(await check(taskContext()), null);
    const client = createS3Client(s3SettingsFromEnv(s3.env));
    await putObject({ client, bucket: 'landing' }, 'exports/2026-12-07/orders.csv', 'id,total\n1,9.5\n');
    client.destroy();
    const found = await check(taskContext());
    assert.equal(found?.size, 15);
    assert.equal(found?.key, 'exports/2026-12-07/orders.csv');
    assert.match(found?.etag ?? '', /^"[0-9a-f]{32}"$/);
    assert.deepEqual(JSON.parse(JSON.stringify(found)), found, 'the XCom is JSON as it is');
  });

  it('takes its settings from its options over the environment', async () => {
    // Wrong credentials in the options win over the right ones in S3_*: s3rver refuses them.
    const wrong = s3KeySensor({ bucket: 'landing', key: 'exports/2026-12-07/orders.csv', accessKeyId: 'nobody', secretAccessKey: 'wrong' });
    await assert.rejects(wrong(taskContext()), (error: Error) => /could not look up s3:\/\/landing\/exports\/2026-12-07\/orders\.csv: .*HTTP 403/.test(error.message) && !error.message.includes('wrong'));
    // An endpoint in the options that no store answers is an error, not "not yet".
    const nowhere = s3KeySensor({ bucket: 'landing', key: 'x', endpoint: 'http://127.0.0.1:9' });
    await assert.rejects(nowhere(taskContext()), /could not look up s3:\/\/landing\/x/);
  });
});

describe('sqlSensor against PostgreSQL', { timeout: 60_000 }, () => {
  let store: StoreDb;
  before(async () => {
    store = await openStoreDb('sensors_sql', { migrated: false });
    await store.db.query('CREATE TABLE loads (day date PRIMARY KEY, rows int NOT NULL)');
  });
  after(() => store.close());

  it('is not yet done on no rows or a falsy first column, done with the first row on a truthy one', async () => {
    const url = store.url.replace('postgres@', 'postgres:s3cr3t@'); // trust auth ignores the password; the sensor must hide it
    const count = sqlSensor({ url, sql: "SELECT count(*), max(rows) AS most FROM loads WHERE day = '2026-12-07'" });
    const row = sqlSensor({ url, sql: "SELECT rows FROM loads WHERE day = '2026-12-07'" });
    assert.equal(await count(taskContext()), null, 'count(*) = 0');
    assert.equal(await row(taskContext()), null, 'no rows');
    await store.db.query("INSERT INTO loads VALUES ('2026-12-07', 0)");
    assert.equal(await row(taskContext()), null, 'a first column of 0');
    await store.db.query("UPDATE loads SET rows = 42 WHERE day = '2026-12-07'");
    assert.deepEqual(await row(taskContext()), { row: { rows: 42 } });
    assert.deepEqual(await count(taskContext()), { row: { count: 1, most: 42 } });
  });

  it('fails on a query error, naming the database by host and name only', async () => {
    const url = store.url.replace('postgres@', 'postgres:s3cr3t@');
    await assert.rejects(sqlSensor({ url, sql: 'SELECT * FROM nowhere' })(taskContext()), (error: Error) => {
      assert.match(error.message, /^sqlSensor\(\): the query on 127\.0\.0\.1:5432\/sluice_sensors_sql_\w+ failed: relation "nowhere" does not exist$/);
      assert.ok(!error.message.includes('s3cr3t'));
      return true;
    });
  });
});

/** A port nothing listens on: one the system handed out and took back. */
async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('httpSensor against a local server', { timeout: 60_000 }, () => {
  let server: http.Server;
  let base = '';
  let status = 503;
  let body = '{"ready":false}';
  before(async () => {
    server = http.createServer((_request, response) => response.writeHead(status, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('without check: an answer other than 2xx is not yet, a 2xx is done; the URL is shown without its path', async () => {
    const check = httpSensor({ url: `${base}/ready?token=s3cr3t` });
    assert.equal(await check(taskContext()), null);
    status = 404;
    assert.equal(await check(taskContext()), null);
    status = 204;
    body = '';
    assert.deepEqual(await check(taskContext()), { url: `${base}/…`, status: 204 });
  });

  it('with check: its verdict on the response decides, and it may read the body', async () => {
    const check = httpSensor({ url: base, check: async (response) => ((await response.json()) as { ready: boolean }).ready });
    status = 200;
    body = '{"ready":false}';
    assert.equal(await check(taskContext()), null);
    body = '{"ready":true}';
    assert.deepEqual(await check(taskContext()), { url: base, status: 200 });
  });

  it('fails when nothing answers, and stops with the try', async () => {
    const closed = await closedPort();
    await assert.rejects(httpSensor({ url: `http://127.0.0.1:${closed}/ready?token=s3cr3t` })(taskContext()), (error: Error) =>
      new RegExp(`^httpSensor\\(\\): GET http://127\\.0\\.0\\.1:${closed}/… failed: .*ECONNREFUSED`).test(error.message),
    );
    const hanging = http.createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    try {
      await assert.rejects(httpSensor({ url, timeout: '200ms' })(taskContext()), /got no answer within 200ms/);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(httpSensor({ url })(taskContext({ signal: controller.signal })), /was stopped \(the try was cancelled or timed out\)/);
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });
});

describe('ready sensors in DAG files, with a scheduler and a worker', { timeout: 120_000 }, () => {
  const h = new Harness();
  let server: http.Server;
  let ready = false;

  before(async () => {
    server = http.createServer((_request, response) => response.writeHead(ready ? 200 : 503).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ready`;
    await h.setUp();
    await h.writeDag('producer.ts', `
import { dag } from 'sluice';
const d = dag('producer', { schedule: null });
d.task('make', async () => 'made');
export default d;
`);
    await h.writeDag('consumer.ts', `
import { dag } from 'sluice';
import { externalTaskSensor, httpSensor } from 'sluice/sensors';
const d = dag('consumer', { schedule: null });
const produced = d.sensor('produced', { pokeInterval: '300ms' }, externalTaskSensor({ dagId: 'producer', taskId: 'make' }));
const up = d.sensor('service_up', { pokeInterval: '300ms' }, httpSensor({ url: ${JSON.stringify(url)} }));
d.task('use', async (ctx) => [await ctx.xcom('produced'), await ctx.xcom('service_up')]).after(produced).after(up);
export default d;
`);
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('producer');
    await h.waitForDag('consumer');
  });
  after(async () => {
    await h.tearDown();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('wait in up_for_reschedule until the other run and the service are there, then hand on what they found', async () => {
    const logicalDate = new Date('2026-12-07T06:00:00Z');
    const consumer = await triggerDagRun(h.db, 'consumer', { logicalDate });
    await h.waitFor('both sensors to wait', async () => {
      const states = await h.taskStates('consumer', consumer.runId);
      return states.produced === 'up_for_reschedule' && states.service_up === 'up_for_reschedule';
    });
    // The producer's run for the same logical date, as the sensor looks for by default.
    const producer = await triggerDagRun(h.db, 'producer', { logicalDate });
    await h.waitForRunEnd('producer', producer.runId);
    await h.waitFor('the external task sensor to pass', async () => (await h.taskStates('consumer', consumer.runId)).produced === 'success');
    // Waiting, or in the middle of a check: the service still answers 503.
    assert.ok(['up_for_reschedule', 'scheduled', 'queued', 'running'].includes((await h.taskStates('consumer', consumer.runId)).service_up!));
    ready = true;
    const ended = await h.waitForRunEnd('consumer', consumer.runId, 30_000);
    assert.equal(ended.state, 'success');
    const tis = await h.taskInstances('consumer', consumer.runId);
    assert.deepEqual([tis.produced!.tryNumber, tis.service_up!.tryNumber], [1, 1], 'each waited as one try');
    const port = (server.address() as AddressInfo).port;
    assert.deepEqual(await readXcom(h.db, 'consumer', consumer.runId, 'use'), {
      found: true,
      value: [
        { dagId: 'producer', runId: producer.runId, taskId: 'make', state: 'success' },
        { url: `http://127.0.0.1:${port}/…`, status: 200 },
      ],
    });
  });
});
