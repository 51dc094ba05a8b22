import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/api/app.ts';
import { isLoopbackHost, startWebserver } from '../../src/api/server.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import type { Db } from '../../src/store/db.ts';
import { replaceImportErrors } from '../../src/store/dags.ts';
import { appendLogChunks } from '../../src/store/logs.ts';
import { writeXcoms } from '../../src/store/xcom.ts';
import type {
  ApiErrorBody,
  BackfillList,
  DagDetail,
  DagList,
  DagRunList,
  Health,
  ImportErrorList,
  PlannedBackfill,
  TaskInstanceList,
} from '../../src/api/schemas/index.ts';
import { ApiFixture, client, dagSpec } from '../support/api-fixture.ts';

type Json = Record<string, unknown>;
type ErrorBody = ApiErrorBody;

const DAG_KEYS = [
  'dagId', 'description', 'schedule', 'timezone', 'isPaused', 'tags', 'fileloc', 'catchup', 'maxActiveRuns',
  'maxActiveTasks', 'nextDagRunDataIntervalStart', 'nextDagRunDataIntervalEnd',
];
const RUN_KEYS = [
  'dagId', 'dagRunId', 'runType', 'state', 'logicalDate', 'dataIntervalStart', 'dataIntervalEnd', 'conf', 'queuedAt',
  'startDate', 'endDate', 'backfillId',
];
const TI_KEYS = [
  'dagId', 'dagRunId', 'taskId', 'state', 'tryNumber', 'maxTries', 'startDate', 'endDate', 'durationMs', 'pool', 'queue',
  'hostname', 'error',
];
const BACKFILL_KEYS = [
  'id', 'dagId', 'fromDate', 'toDate', 'reprocessBehavior', 'maxActiveRuns', 'runBackwards', 'dagRunConf', 'isCancelled',
  'createdAt', 'completedAt', 'dagRunIds',
];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function assertKeys(value: unknown, keys: string[], what: string): void {
  assert.ok(value && typeof value === 'object', `${what} is an object`);
  for (const key of keys) assert.ok(key in (value as Json), `${what} has "${key}"`);
}

function assertError(reply: { status: number; body: unknown; text: string }, status: number, pattern?: RegExp): string {
  assert.equal(reply.status, status, `expected ${status}, got ${reply.status}: ${reply.text}`);
  const body = reply.body as ErrorBody;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(typeof body.error.code, 'string');
  assert.equal(typeof body.error.message, 'string');
  assert.doesNotMatch(reply.text, /\n\s+at /, 'no stack trace');
  if (pattern) assert.match(body.error.message, pattern);
  return body.error.message;
}

/** Makes a try look as if a worker had run it: the stored columns a worker would set. */
async function fakeTry(db: Db, dagId: string, runId: string, taskId: string, tryNumber: number, state: string): Promise<void> {
  await db.query(
    `UPDATE task_instances SET try_number = $4, state = $5, queued_at = now() - interval '2 seconds',
       start_date = now() - interval '1 second', end_date = now(), duration_ms = 1000, hostname = 'test-host'
     WHERE dag_id = $1 AND run_id = $2 AND task_id = $3`,
    [dagId, runId, taskId, tryNumber, state],
  );
}

describe('REST API', () => {
  const fx = new ApiFixture();
  let api: ReturnType<typeof client>;
  let baseUrl: string;

  before(async () => {
    await fx.setUp();
    await fx.addDag(
      dagSpec('etl', ['extract', 'transform', 'load'], [['extract', 'transform'], ['transform', 'load']], {
        description: 'Orders into the warehouse',
        tags: ['etl', 'daily'],
        params: { limit: 100 },
      }),
    );
    await fx.addDag(dagSpec('manual_only', ['only'], [], { schedule: null, tags: ['adhoc'] }));
    await fx.addDag(dagSpec('paused_one', ['a'], [], { isPausedUponCreation: true }));
    await replaceImportErrors(fx.db, [{ filename: 'broken.ts', message: 'broken.ts: SyntaxError: Unexpected token' }]);
    const server = await fx.start();
    baseUrl = server.url;
    api = client(baseUrl);
  });

  after(async () => {
    await fx.tearDown();
  });

  describe('health', () => {
    test('reports every component, the scheduler unhealthy until it heart-beats', async () => {
      const before = await api('GET', '/api/v1/health');
      assert.equal(before.status, 200);
      assert.deepEqual(before.body.metadatabase, { status: 'healthy' });
      assert.deepEqual(before.body.redis, { status: 'healthy' });
      assert.deepEqual(before.body.scheduler, { status: 'unhealthy', latestHeartbeat: null });
      assert.equal(before.body.status, 'unhealthy');

      await fx.db.query(`INSERT INTO scheduler_heartbeats (scheduler_id, hostname) VALUES ('s1', 'test-host')`);
      const afterBeat = await api<Health>('GET', '/api/v1/health');
      assert.equal(afterBeat.body.status, 'healthy');
      assert.equal(afterBeat.body.scheduler.status, 'healthy');
      assert.match(afterBeat.body.scheduler.latestHeartbeat ?? '', ISO_UTC);
    });
  });

  describe('DAGs', () => {
    test('GET /dags lists active DAGs with the contract fields', async () => {
      const reply = await api<DagList>('GET', '/api/v1/dags');
      assert.equal(reply.status, 200);
      assert.equal(reply.body.totalEntries, 3);
      assert.deepEqual(reply.body.dags.map((d) => d.dagId), ['etl', 'manual_only', 'paused_one']);
      const etl = reply.body.dags[0]!;
      assertKeys(etl, DAG_KEYS, 'DAG');
      assert.equal(etl.description, 'Orders into the warehouse');
      assert.equal(etl.schedule, '@daily');
      assert.equal(etl.timezone, 'UTC');
      assert.equal(etl.isPaused, false);
      assert.deepEqual(etl.tags, ['etl', 'daily']);
      assert.equal(etl.fileloc, 'etl.ts');
      assert.equal(etl.catchup, false);
      assert.equal(etl.maxActiveRuns, 16);
      assert.equal(etl.maxActiveTasks, 16);
      assert.equal(etl.nextDagRunDataIntervalStart, null);
      assert.equal(typeof etl.scheduleDescription, 'string');
      assert.equal(reply.body.dags[1]!.schedule, null);
      assert.equal(reply.body.dags[2]!.isPaused, true);
    });

    test('GET /dags filters and pages', async () => {
      const paused = await api<DagList>('GET', '/api/v1/dags?paused=true');
      assert.deepEqual(paused.body.dags.map((d) => d.dagId), ['paused_one']);
      const tagged = await api<DagList>('GET', '/api/v1/dags?tags=adhoc,daily');
      assert.deepEqual(tagged.body.dags.map((d) => d.dagId), ['etl', 'manual_only']);
      const paged = await api<DagList>('GET', '/api/v1/dags?limit=1&offset=1');
      assert.deepEqual(paged.body.dags.map((d) => d.dagId), ['manual_only']);
      assert.equal(paged.body.totalEntries, 3);
    });

    test('GET /dags rejects bad paging and unknown parameters', async () => {
      assertError(await api('GET', '/api/v1/dags?limit=0'), 400, /limit.*1 to 1000/);
      assertError(await api('GET', '/api/v1/dags?limit=1001'), 400, /limit/);
      assertError(await api('GET', '/api/v1/dags?limit=ten'), 400, /limit.*"ten"/);
      assertError(await api('GET', '/api/v1/dags?offset=-1'), 400, /offset/);
      assertError(await api('GET', '/api/v1/dags?paused=yes'), 400, /paused.*"true" or "false"/);
      assertError(await api('GET', '/api/v1/dags?limit=1&limit=2'), 400, /limit.*once/);
      assertError(await api('GET', '/api/v1/dags?lmit=5'), 400, /unknown query parameter "lmit".*allowed: limit/);
    });

    test('GET /dags/:dagId includes the tasks', async () => {
      const reply = await api<DagDetail>('GET', '/api/v1/dags/etl');
      assert.equal(reply.status, 200);
      assertKeys(reply.body, DAG_KEYS, 'DAG');
      assert.deepEqual(
        reply.body.tasks.map((t) => ({ taskId: t.taskId, upstream: t.upstream, triggerRule: t.triggerRule, retries: t.retries, pool: t.pool, queue: t.queue })),
        [
          { taskId: 'extract', upstream: [], triggerRule: 'all_success', retries: 0, pool: 'default_pool', queue: 'default' },
          { taskId: 'transform', upstream: ['extract'], triggerRule: 'all_success', retries: 0, pool: 'default_pool', queue: 'default' },
          { taskId: 'load', upstream: ['transform'], triggerRule: 'all_success', retries: 0, pool: 'default_pool', queue: 'default' },
        ],
      );
    });

    test('GET /dags/:dagId of an unknown DAG is a 404', async () => {
      assertError(await api('GET', '/api/v1/dags/nope'), 404, /DAG "nope" not found/);
    });

    test('PATCH /dags/:dagId pauses and unpauses', async () => {
      const paused = await api('PATCH', '/api/v1/dags/manual_only', { json: { isPaused: true } });
      assert.equal(paused.status, 200);
      assertKeys(paused.body, DAG_KEYS, 'DAG');
      assert.equal(paused.body.isPaused, true);
      const unpaused = await api('PATCH', '/api/v1/dags/manual_only', { json: { isPaused: false } });
      assert.equal(unpaused.body.isPaused, false);
    });

    test('PATCH /dags/:dagId validates its body', async () => {
      assertError(await api('PATCH', '/api/v1/dags/etl', { json: { isPaused: 'yes' } }), 400, /"isPaused" must be true or false/);
      assertError(await api('PATCH', '/api/v1/dags/etl', { json: {} }), 400, /"isPaused" is required/);
      assertError(await api('PATCH', '/api/v1/dags/etl', { json: { isPaused: true, paused: true } }), 400, /unknown field "paused".*allowed: isPaused/);
      assertError(await api('PATCH', '/api/v1/dags/etl', { json: [true] }), 400, /must be a JSON object/);
      const bad = assertError(await api('PATCH', '/api/v1/dags/etl', { raw: '{"isPaused": tru' }), 400, /not valid JSON/);
      assert.equal((await api<ErrorBody>('PATCH', '/api/v1/dags/etl', { raw: '{"isPaused": tru' })).body.error.code, 'invalid_json');
      assert.ok(bad.length > 0);
      assertError(await api('PATCH', '/api/v1/dags/etl', { raw: 'isPaused=true', contentType: 'application/x-www-form-urlencoded' }), 400, /Content-Type: application\/json/);
      assertError(await api('PATCH', '/api/v1/dags/nope', { json: { isPaused: true } }), 404, /DAG "nope" not found/);
    });

    test('GET /importErrors lists files that failed to import', async () => {
      const reply = await api<ImportErrorList>('GET', '/api/v1/importErrors');
      assert.equal(reply.status, 200);
      assert.equal(reply.body.totalEntries, 1);
      assert.equal(reply.body.importErrors[0]!.filename, 'broken.ts');
      assert.match(String(reply.body.importErrors[0]!.message), /SyntaxError/);
    });
  });

  describe('DAG runs', () => {
    test('POST /dags/:dagId/dagRuns creates a manual run (201) with the contract fields', async () => {
      const reply = await api('POST', '/api/v1/dags/etl/dagRuns', {
        json: { logicalDate: '2026-03-01T06:00:00+02:00', conf: { limit: 5 } },
      });
      assert.equal(reply.status, 201, reply.text);
      assertKeys(reply.body, RUN_KEYS, 'DAG run');
      assert.equal(reply.body.dagId, 'etl');
      assert.equal(reply.body.dagRunId, 'manual__2026-03-01T04:00:00.000Z');
      assert.equal(reply.body.runType, 'manual');
      assert.equal(reply.body.state, 'queued');
      assert.equal(reply.body.logicalDate, '2026-03-01T04:00:00.000Z');
      assert.equal(reply.body.dataIntervalStart, '2026-03-01T04:00:00.000Z');
      assert.equal(reply.body.dataIntervalEnd, '2026-03-01T04:00:00.000Z');
      assert.deepEqual(reply.body.conf, { limit: 5 });
      assert.match(String(reply.body.queuedAt), ISO_UTC);
      assert.equal(reply.body.startDate, null);
      assert.equal(reply.body.endDate, null);
      assert.equal(reply.body.backfillId, null);
      assert.equal(reply.headers.get('location'), `/api/v1/dags/etl/dagRuns/${encodeURIComponent('manual__2026-03-01T04:00:00.000Z')}`);
    });

    test('POST /dags/:dagId/dagRuns with no body runs now', async () => {
      const reply = await api('POST', '/api/v1/dags/manual_only/dagRuns');
      assert.equal(reply.status, 201, reply.text);
      assert.ok(Math.abs(Date.parse(String(reply.body.logicalDate)) - Date.now()) < 60_000);
      assert.deepEqual(reply.body.conf, {});
      const empty = await api('POST', '/api/v1/dags/manual_only/dagRuns', { json: {} });
      assert.equal(empty.status, 201, empty.text);
    });

    test('a second run for the same logicalDate is a 409', async () => {
      const first = await api('POST', '/api/v1/dags/etl/dagRuns', { json: { logicalDate: '2026-03-02T00:00:00Z' } });
      assert.equal(first.status, 201);
      assertError(await api('POST', '/api/v1/dags/etl/dagRuns', { json: { logicalDate: '2026-03-02' } }), 409, /already has a run/);
    });

    test('POST /dags/:dagId/dagRuns validates its body', async () => {
      const post = (json: unknown) => api('POST', '/api/v1/dags/etl/dagRuns', { json });
      assertError(await post({ logicalDate: '2026-13-01' }), 400, /"logicalDate".*ISO 8601/);
      assertError(await post({ logicalDate: '2026-02-30T00:00:00Z' }), 400, /"logicalDate".*real date/);
      assertError(await post({ logicalDate: 'yesterday' }), 400, /"logicalDate"/);
      assertError(await post({ logicalDate: '2026-03-01T00:00:00' }), 400, /no UTC offset/);
      assertError(await post({ logicalDate: 1767225600000 }), 400, /"logicalDate" must be an ISO 8601 date string/);
      assertError(await post({ conf: [1, 2] }), 400, /"conf" must be a JSON object/);
      assertError(await post({ conf: 'x=1' }), 400, /"conf" must be a JSON object/);
      assertError(await post({ conf: null }), 400, /"conf" must be a JSON object/);
      assertError(await post({ logical_date: '2026-03-01T00:00:00Z' }), 400, /unknown field "logical_date".*allowed: logicalDate, conf/);
      assertError(await api('POST', '/api/v1/dags/etl/dagRuns', { raw: '{' }), 400, /not valid JSON/);
      assertError(await api('POST', '/api/v1/dags/etl/dagRuns', { raw: 'null' }), 400, /must be a JSON object \(got null\)/);
      assertError(await api('POST', '/api/v1/dags/etl/dagRuns', { raw: '"now"' }), 400, /must be a JSON object/);
      assertError(await api('POST', '/api/v1/dags/nope/dagRuns', { json: {} }), 404, /DAG "nope" not found/);
    });

    test('GET /dags/:dagId/dagRuns lists runs newest first, filtered and paged', async () => {
      await triggerDagRun(fx.db, 'paused_one', { logicalDate: new Date('2026-01-01T00:00:00Z') });
      await triggerDagRun(fx.db, 'paused_one', { logicalDate: new Date('2026-01-03T00:00:00Z') });
      await triggerDagRun(fx.db, 'paused_one', { logicalDate: new Date('2026-01-02T00:00:00Z') });
      await fx.db.query(`UPDATE dag_runs SET state = 'failed', end_date = now() WHERE dag_id = 'paused_one' AND logical_date = '2026-01-02T00:00:00Z'`);

      const all = await api<DagRunList>('GET', '/api/v1/dags/paused_one/dagRuns');
      assert.equal(all.status, 200);
      assert.equal(all.body.totalEntries, 3);
      assert.deepEqual(all.body.dagRuns.map((r) => r.logicalDate), [
        '2026-01-03T00:00:00.000Z',
        '2026-01-02T00:00:00.000Z',
        '2026-01-01T00:00:00.000Z',
      ]);
      for (const run of all.body.dagRuns) assertKeys(run, RUN_KEYS, 'DAG run');

      const failed = await api<DagRunList>('GET', '/api/v1/dags/paused_one/dagRuns?state=failed');
      assert.deepEqual(failed.body.dagRuns.map((r) => r.dagRunId), ['manual__2026-01-02T00:00:00.000Z']);
      assert.equal(failed.body.totalEntries, 1);
      assert.match(String(failed.body.dagRuns[0]!.endDate), ISO_UTC);

      const paged = await api<DagRunList>('GET', '/api/v1/dags/paused_one/dagRuns?limit=1&offset=1');
      assert.deepEqual(paged.body.dagRuns.map((r) => r.logicalDate), ['2026-01-02T00:00:00.000Z']);
      assert.equal(paged.body.totalEntries, 3);
    });

    test('GET /dags/:dagId/dagRuns rejects a bad state or limit, and unknown DAGs', async () => {
      assertError(await api('GET', '/api/v1/dags/etl/dagRuns?state=done'), 400, /state.*queued, running, success, failed/);
      assertError(await api('GET', '/api/v1/dags/etl/dagRuns?limit=5000'), 400, /limit/);
      assertError(await api('GET', '/api/v1/dags/etl/dagRuns?offset=x'), 400, /offset/);
      assertError(await api('GET', '/api/v1/dags/nope/dagRuns'), 404, /DAG "nope" not found/);
    });

    test('GET /dags/:dagId/dagRuns/:runId returns one run, or 404', async () => {
      const runId = 'manual__2026-01-01T00:00:00.000Z';
      const reply = await api('GET', `/api/v1/dags/paused_one/dagRuns/${encodeURIComponent(runId)}`);
      assert.equal(reply.status, 200);
      assertKeys(reply.body, RUN_KEYS, 'DAG run');
      assert.equal(reply.body.dagRunId, runId);
      // Unencoded, as people type it, works too.
      assert.equal((await api('GET', `/api/v1/dags/paused_one/dagRuns/${runId}`)).status, 200);
      assertError(await api('GET', '/api/v1/dags/paused_one/dagRuns/manual__nope'), 404, /has no run "manual__nope"/);
      assertError(await api('GET', `/api/v1/dags/nope/dagRuns/${runId}`), 404, /DAG "nope" not found/);
    });
  });

  describe('task instances', () => {
    let runId: string;
    let runPath: string;

    before(async () => {
      const run = await triggerDagRun(fx.db, 'etl', { logicalDate: new Date('2026-04-01T00:00:00Z') });
      runId = run.runId;
      runPath = `/api/v1/dags/etl/dagRuns/${encodeURIComponent(runId)}`;
      await fakeTry(fx.db, 'etl', runId, 'extract', 2, 'success');
      await fakeTry(fx.db, 'etl', runId, 'transform', 1, 'failed');
      await fx.db.query(`UPDATE task_instances SET error = 'Error: boom' WHERE run_id = $1 AND task_id = 'transform'`, [runId]);
      await fx.db.query(`UPDATE task_instances SET state = 'upstream_failed' WHERE run_id = $1 AND task_id = 'load'`, [runId]);
      await writeXcoms(fx.db, [{ dagId: 'etl', runId, taskId: 'extract', mapIndex: -1, json: JSON.stringify({ rows: 42 }) }]);
      const t = Date.parse('2026-04-01T00:00:01Z');
      await appendLogChunks(fx.db, [
        {
          dagId: 'etl', runId, taskId: 'extract', mapIndex: -1, tryNumber: 1,
          chunk: `${JSON.stringify({ level: 50, time: t, pid: 1, hostname: 'h', dagId: 'etl', msg: 'failed once', err: { type: 'Error', message: 'flaky', stack: 'Error: flaky\n    at extract (etl.ts:3:9)' } })}\n`,
        },
        {
          dagId: 'etl', runId, taskId: 'extract', mapIndex: -1, tryNumber: 2,
          chunk: `${JSON.stringify({ level: 30, time: t, pid: 1, hostname: 'h', dagId: 'etl', runId, taskId: 'extract', msg: 'loading', rows: 42, table: 'orders daily' })}\n` +
            `${JSON.stringify({ level: 40, time: t + 1000, msg: 'slow' })}\nplain output line\n`,
        },
      ]);
    });

    test('GET .../taskInstances lists them with the contract fields', async () => {
      const reply = await api<TaskInstanceList>('GET', `${runPath}/taskInstances`);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.totalEntries, 3);
      const byId = Object.fromEntries(reply.body.taskInstances.map((t) => [t.taskId, t]));
      for (const ti of reply.body.taskInstances) assertKeys(ti, TI_KEYS, 'task instance');
      const extract = byId.extract!;
      assert.equal(extract.dagId, 'etl');
      assert.equal(extract.dagRunId, runId);
      assert.equal(extract.state, 'success');
      assert.equal(extract.tryNumber, 2);
      assert.equal(extract.maxTries, 1);
      assert.match(String(extract.startDate), ISO_UTC);
      assert.match(String(extract.endDate), ISO_UTC);
      assert.equal(extract.durationMs, 1000);
      assert.equal(extract.pool, 'default_pool');
      assert.equal(extract.queue, 'default');
      assert.equal(extract.hostname, 'test-host');
      assert.equal(extract.error, null);
      assert.equal(byId.transform!.error, 'Error: boom');
      assert.equal(byId.load!.startDate, null);
      assertError(await api('GET', '/api/v1/dags/etl/dagRuns/nope/taskInstances'), 404, /has no run "nope"/);
    });

    test('GET .../logs/:tryNumber returns the try log as readable text', async () => {
      const second = await api('GET', `${runPath}/taskInstances/extract/logs/2`);
      assert.equal(second.status, 200);
      assert.match(second.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(
        second.text,
        '2026-04-01T00:00:01.000Z INFO loading rows=42 table="orders daily"\n' +
          '2026-04-01T00:00:02.000Z WARN slow\n' +
          'plain output line\n',
      );
      const first = await api('GET', `${runPath}/taskInstances/extract/logs/1`);
      assert.equal(first.text, '2026-04-01T00:00:01.000Z ERROR failed once\n    Error: flaky\n    at extract (etl.ts:3:9)\n');
    });

    test('GET .../logs/:tryNumber: 404 for a try that did not happen, 400 for a bad number', async () => {
      assertError(await api('GET', `${runPath}/taskInstances/extract/logs/3`), 404, /no try 3; its tries so far are 1 to 2/);
      assertError(await api('GET', `${runPath}/taskInstances/load/logs/1`), 404, /has not been tried yet/);
      assertError(await api('GET', `${runPath}/taskInstances/nope/logs/1`), 404, /has no task "nope"/);
      assertError(await api('GET', `/api/v1/dags/etl/dagRuns/nope/taskInstances/extract/logs/1`), 404, /has no run "nope"/);
      assertError(await api('GET', `/api/v1/dags/nope/dagRuns/x/taskInstances/extract/logs/1`), 404, /DAG "nope" not found/);
      assertError(await api('GET', `${runPath}/taskInstances/extract/logs/0`), 400, /"tryNumber" must be an integer >= 1/);
      assertError(await api('GET', `${runPath}/taskInstances/extract/logs/first`), 400, /"tryNumber"/);
      assertError(await api('GET', `${runPath}/taskInstances/extract/logs/1.5`), 400, /"tryNumber"/);
    });

    test('GET .../xcom returns the value, or 404 saying why there is none', async () => {
      const reply = await api('GET', `${runPath}/taskInstances/extract/xcom`);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, { value: { rows: 42 } });
      assertError(await api('GET', `${runPath}/taskInstances/transform/xcom`), 404, /no XCom value: its state is "failed"/);
      assertError(await api('GET', `${runPath}/taskInstances/nope/xcom`), 404, /has no task "nope"/);
    });

    test('PATCH .../taskInstances/:taskId marks a task instance', async () => {
      const reply = await api('PATCH', `${runPath}/taskInstances/transform`, { json: { state: 'success' } });
      assert.equal(reply.status, 200, reply.text);
      assertKeys(reply.body, TI_KEYS, 'task instance');
      assert.equal(reply.body.taskId, 'transform');
      assert.equal(reply.body.state, 'success');
      assert.equal(reply.body.error, null);
      const failed = await api('PATCH', `${runPath}/taskInstances/extract`, { json: { state: 'failed' } });
      assert.equal(failed.body.state, 'failed');
    });

    test('PATCH .../taskInstances/:taskId validates', async () => {
      assertError(await api('PATCH', `${runPath}/taskInstances/extract`, { json: { state: 'running' } }), 400, /"state" must be "success" or "failed"/);
      assertError(await api('PATCH', `${runPath}/taskInstances/extract`, { json: { state: 'success', note: 'x' } }), 400, /unknown field "note"/);
      assertError(await api('PATCH', `${runPath}/taskInstances/nope`, { json: { state: 'success' } }), 404, /has no task "nope"/);
    });

    test('POST /dags/:dagId/clearTaskInstances clears and returns the cleared ones', async () => {
      const reply = await api<TaskInstanceList>('POST', '/api/v1/dags/etl/clearTaskInstances', {
        json: { dagRunId: runId, taskIds: ['extract'], includeDownstream: true },
      });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.totalEntries, 3);
      assert.deepEqual(reply.body.taskInstances.map((t) => t.taskId).sort(), ['extract', 'load', 'transform']);
      for (const ti of reply.body.taskInstances) assertKeys(ti, TI_KEYS, 'task instance');
      // The try number goes on counting.
      assert.equal(reply.body.taskInstances.find((t) => t.taskId === 'extract')!.tryNumber, 2);
      const onlyFailed = await api<TaskInstanceList>('POST', '/api/v1/dags/etl/clearTaskInstances', {
        json: { dagRunId: runId, onlyFailed: true },
      });
      assert.equal(onlyFailed.status, 200);
      assert.equal(onlyFailed.body.totalEntries, 0);
    });

    test('POST /dags/:dagId/clearTaskInstances validates', async () => {
      const post = (json: unknown, dag = 'etl') => api('POST', `/api/v1/dags/${dag}/clearTaskInstances`, { json });
      assertError(await post({}), 400, /"dagRunId" is required/);
      assertError(await post({ dagRunId: runId, taskIds: 'extract' }), 400, /"taskIds" must be an array of task ids/);
      assertError(await post({ dagRunId: runId, taskIds: [1] }), 400, /"taskIds\[0\]" must be a string/);
      assertError(await post({ dagRunId: runId, onlyFailed: 'yes' }), 400, /"onlyFailed" must be true or false/);
      assertError(await post({ dagRunId: runId, dryRun: true }), 400, /unknown field "dryRun"/);
      assertError(await post({ dagRunId: runId, taskIds: ['nope'] }), 400, /no task "nope"/);
      assertError(await post({ dagRunId: 'nope' }), 404, /has no run "nope"/);
      assertError(await post({ dagRunId: runId }, 'nope'), 404, /DAG "nope" not found/);
    });
  });

  describe('backfills', () => {
    const body = { dagId: 'etl', fromDate: '2026-02-01T00:00:00Z', toDate: '2026-02-03T00:00:00Z' };

    test('a dry run plans the intervals (200) and creates nothing', async () => {
      const reply = await api<PlannedBackfill>('POST', '/api/v1/backfills', { json: { ...body, dryRun: true } });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.dryRun, true);
      assert.deepEqual(reply.body.dagRunIds, []);
      assert.deepEqual(
        reply.body.intervals.map((i) => [i.logicalDate, i.dataIntervalEnd, i.plan]),
        [
          ['2026-02-01T00:00:00.000Z', '2026-02-02T00:00:00.000Z', 'create'],
          ['2026-02-02T00:00:00.000Z', '2026-02-03T00:00:00.000Z', 'create'],
          ['2026-02-03T00:00:00.000Z', '2026-02-04T00:00:00.000Z', 'create'],
        ],
      );
      const list = await api<BackfillList>('GET', '/api/v1/backfills?dagId=etl');
      assert.equal(list.body.totalEntries, 0);
    });

    let id: number;

    test('POST /backfills creates one (201) with its runs', async () => {
      const reply = await api('POST', '/api/v1/backfills', { json: { ...body, maxActiveRuns: 2, dagRunConf: { full: true } } });
      assert.equal(reply.status, 201, reply.text);
      assertKeys(reply.body, BACKFILL_KEYS, 'backfill');
      id = Number(reply.body.id);
      assert.ok(id > 0);
      assert.equal(reply.body.dagId, 'etl');
      assert.equal(reply.body.fromDate, '2026-02-01T00:00:00.000Z');
      assert.equal(reply.body.toDate, '2026-02-03T00:00:00.000Z');
      assert.equal(reply.body.reprocessBehavior, 'none');
      assert.equal(reply.body.maxActiveRuns, 2);
      assert.equal(reply.body.runBackwards, false);
      assert.deepEqual(reply.body.dagRunConf, { full: true });
      assert.equal(reply.body.isCancelled, false);
      assert.match(String(reply.body.createdAt), ISO_UTC);
      assert.equal(reply.body.completedAt, null);
      assert.deepEqual(reply.body.dagRunIds, [
        'backfill__2026-02-01T00:00:00.000Z',
        'backfill__2026-02-02T00:00:00.000Z',
        'backfill__2026-02-03T00:00:00.000Z',
      ]);
      const run = await api('GET', `/api/v1/dags/etl/dagRuns/${encodeURIComponent('backfill__2026-02-01T00:00:00.000Z')}`);
      assert.equal(run.body.runType, 'backfill');
      assert.equal(run.body.backfillId, id);
    });

    test('GET /backfills and /backfills/:id', async () => {
      const list = await api<BackfillList>('GET', '/api/v1/backfills');
      assert.equal(list.status, 200);
      assert.equal(list.body.totalEntries, 1);
      assertKeys(list.body.backfills[0], BACKFILL_KEYS, 'backfill');
      const none = await api<BackfillList>('GET', '/api/v1/backfills?dagId=manual_only');
      assert.deepEqual(none.body, { backfills: [], totalEntries: 0 });
      const one = await api('GET', `/api/v1/backfills/${id}`);
      assert.equal(one.status, 200);
      assert.equal(one.body.id, id);
      assert.equal((one.body.dagRunIds as string[]).length, 3);
      assertError(await api('GET', '/api/v1/backfills/999999'), 404, /backfill 999999 not found/);
      assertError(await api('GET', '/api/v1/backfills/abc'), 400, /"id" must be an integer >= 1/);
    });

    test('a second backfill while one is going is a 409', async () => {
      assertError(await api('POST', '/api/v1/backfills', { json: body }), 409, /in progress/);
    });

    test('POST /backfills/:id/cancel cancels it', async () => {
      const reply = await api('POST', `/api/v1/backfills/${id}/cancel`);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.isCancelled, true);
      const runs = await api<DagRunList>('GET', '/api/v1/dags/etl/dagRuns?limit=1000');
      const backfillRuns = runs.body.dagRuns.filter((r) => r.backfillId === id);
      assert.equal(backfillRuns.length, 3);
      assert.ok(backfillRuns.every((r) => r.state === 'failed'));
      assertError(await api('POST', '/api/v1/backfills/999999/cancel'), 404, /not found/);
      assertError(await api('POST', `/api/v1/backfills/${id}/cancel`, { json: { force: true } }), 400, /unknown field "force"/);
    });

    test('POST /backfills validates', async () => {
      const post = (json: unknown) => api('POST', '/api/v1/backfills', { json });
      assertError(await post({ dagId: 'etl', fromDate: '2026-02-01T00:00:00Z' }), 400, /"toDate" is required/);
      assertError(await post({ ...body, fromDate: '02/01/2026' }), 400, /"fromDate" must be an ISO 8601 date/);
      assertError(await post({ ...body, reprocessBehavior: 'all' }), 400, /"reprocessBehavior" must be one of none, failed, completed/);
      assertError(await post({ ...body, maxActiveRuns: 0 }), 400, /"maxActiveRuns" must be a positive integer/);
      assertError(await post({ ...body, maxActiveRuns: 1.5 }), 400, /"maxActiveRuns" must be a positive integer/);
      assertError(await post({ ...body, runBackwards: 'no' }), 400, /"runBackwards" must be true or false/);
      assertError(await post({ ...body, dagRunConf: [] }), 400, /"dagRunConf" must be a JSON object/);
      assertError(await post({ ...body, from: 'x' }), 400, /unknown field "from"/);
      assertError(await post({ ...body, fromDate: '2026-03-01T00:00:00Z' }), 400, /starts .* after it ends/);
      assertError(await post({ ...body, dagId: 'manual_only' }), 400, /no schedule/);
      assertError(await post({ ...body, dagId: 'nope' }), 404, /not found/);
      assertError(await api('GET', '/api/v1/backfills?limit=0'), 400, /limit/);
    });
  });

  describe('everything else', () => {
    test('unknown routes under /api/v1 are a JSON 404', async () => {
      assertError(await api('GET', '/api/v1/nothing'), 404, /no endpoint GET \/api\/v1\/nothing/);
      assertError(await api('DELETE', '/api/v1/dags/etl'), 404, /no endpoint DELETE/);
      assertError(await api('GET', '/api/v1/DAGS'), 404);
    });

    test('a malformed percent-encoding in the path is a 400', async () => {
      assertError(await api('GET', '/api/v1/dags/%E0%A4%A'), 400, /percent-encoding/);
    });

    test('GET /metrics is Prometheus text', async () => {
      await fx.db.query(
        `UPDATE task_instances SET state = 'running', queued_at = now() - interval '3 seconds', start_date = now() - interval '1 second'
         WHERE dag_id = 'paused_one'`,
      );
      const reply = await api('GET', '/metrics');
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const lines = reply.text.trimEnd().split('\n');
      for (const line of lines) {
        assert.match(line, /^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? (-?[0-9.e+-]+|NaN|[+-]Inf))$/, line);
      }
      assert.match(reply.text, /^# TYPE sluice_dag_runs gauge$/m);
      assert.match(reply.text, /^sluice_dag_runs\{dag_id="paused_one",state="failed"\} 1$/m);
      assert.match(reply.text, /^sluice_dag_runs\{dag_id="paused_one",state="queued"\} 2$/m);
      assert.match(reply.text, /^sluice_task_instances\{state="running"\} 3$/m);
      assert.match(reply.text, /^sluice_task_instances_running 3$/m);
      assert.match(reply.text, /^sluice_task_instances_queued \d+$/m);
      assert.match(reply.text, /^sluice_import_errors 1$/m);
      assert.match(reply.text, /^sluice_scheduler_heartbeat_age_seconds\{scheduler_id="s1",hostname="test-host"\} [0-9.e+-]+$/m);
      assert.match(reply.text, /^# TYPE sluice_task_queued_to_start_seconds summary$/m);
      assert.match(reply.text, /^sluice_task_queued_to_start_seconds\{quantile="0.5"\} [0-9.]+$/m);
      const count = /^sluice_task_queued_to_start_seconds_count (\d+)$/m.exec(reply.text);
      assert.ok(count && Number(count[1]) >= 3, 'the three running tries are counted');
      assert.match(reply.text, /^sluice_task_upstream_to_start_seconds_count \d+$/m);
    });

    test('the UI is served at /', async () => {
      const reply = await api('GET', '/');
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /text\/html/);
      assert.match(reply.text, /<title>Sluice<\/title>/);
      assert.equal((await api('GET', '/app.js')).status, 200);
    });

    test('an unexpected error is a 500 without internals', async () => {
      const broken = {
        ...fx.services,
        db: { query: () => Promise.reject(new Error('password authentication failed for secret_user')) } as unknown as Db,
      };
      const app = createApp({ services: broken, redis: fx.redis, config: fx.config });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        const call = client(`http://127.0.0.1:${port}`);
        const reply = await call('GET', '/api/v1/dags');
        assertError(reply, 500);
        assert.equal((reply.body as ErrorBody).error.code, 'internal');
        assert.doesNotMatch(reply.text, /secret_user/);
        const health = await call('GET', '/api/v1/health');
        assert.equal(health.status, 200);
        assert.equal(health.body.status, 'unhealthy');
        assert.deepEqual(health.body.metadatabase, { status: 'unhealthy' });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('authentication', () => {
    const token = 's3cret-token';
    let secured: string;

    before(async () => {
      secured = (await fx.start({ apiToken: token })).url;
    });

    test('without a token or with a wrong one, every API call and /metrics is a 401', async () => {
      const anonymous = client(secured);
      for (const path of ['/api/v1/health', '/api/v1/dags', '/api/v1/importErrors', '/api/v1/nothing', '/metrics']) {
        const reply = await anonymous('GET', path);
        assertError(reply, 401, /API token/);
        assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer/);
      }
      assertError(await anonymous('PATCH', '/api/v1/dags/etl', { raw: '{bad json' }), 401);
      assertError(await client(secured, 'wrong')('GET', '/api/v1/dags'), 401, /wrong/);
      assertError(await client(secured, `${token}x`)('GET', '/api/v1/dags'), 401);
      assertError(await anonymous('GET', '/api/v1/dags', { headers: { authorization: `Basic ${token}` } }), 401, /Bearer/);
    });

    test('with the right token, calls go through', async () => {
      const authed = client(secured, token);
      assert.equal((await authed('GET', '/api/v1/dags')).status, 200);
      assert.equal((await authed('GET', '/api/v1/health')).status, 200);
      assert.equal((await authed('GET', '/metrics')).status, 200);
      const lower = await client(secured)('GET', '/api/v1/dags', { headers: { authorization: `bearer ${token}` } });
      assert.equal(lower.status, 200);
    });

    test('the UI page and its script need no token (the UI asks for one)', async () => {
      const call = client(secured);
      for (const path of ['/', '/dags/some_dag/grid', '/backfills']) {
        const page = await call('GET', path);
        assert.equal(page.status, 200, path);
        assert.match(page.text, /<div id="app">/, path);
      }
      const script = await call('GET', '/assets/app.js');
      assert.equal(script.status, 200);
      assert.match(script.headers.get('content-type') ?? '', /javascript/);
      assert.match(script.text, /API token/);
    });

    test('a host other machines can reach needs a token, unless allowed insecure', async () => {
      const deps = { services: fx.services, redis: fx.redis, config: { ...fx.config, apiToken: undefined, allowInsecure: false } };
      await assert.rejects(startWebserver(deps, { host: '0.0.0.0', port: 0 }), /refusing to serve on 0\.0\.0\.0.*SLUICE_API_TOKEN/);
      await assert.rejects(startWebserver(deps, { host: '::', port: 0 }), /refusing/);
      for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
        assert.equal(isLoopbackHost(host), true, host);
      }
      for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.10', 'example.com', '128.0.0.1']) {
        assert.equal(isLoopbackHost(host), false, host);
      }
      const insecure = await startWebserver({ ...deps, config: { ...deps.config, allowInsecure: true } }, { host: '0.0.0.0', port: 0 });
      await insecure.close();
      const withToken = await startWebserver({ ...deps, config: { ...deps.config, apiToken: token } }, { host: '0.0.0.0', port: 0 });
      await withToken.close();
      const withUsers = await startWebserver(
        { ...deps, config: { ...deps.config, apiTokens: [{ name: 'dash', token, role: 'viewer' }] } },
        { host: '0.0.0.0', port: 0 },
      );
      await withUsers.close();
    });
  });
});
