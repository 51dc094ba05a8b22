/**
 * GET /api/v1/openapi.json: the document is valid OpenAPI 3.1, it describes exactly the routes
 * Express serves, and real answers of a running webserver (every GET route, and the state changes
 * with their errors) match the schemas it gives for their path, method and status.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { createApp } from '../../../src/api/app.ts';
import { triggerDagRun } from '../../../src/engine/actions.ts';
import { replaceImportErrors } from '../../../src/store/dags.ts';
import { appendLogChunks } from '../../../src/store/logs.ts';
import { writeXcoms } from '../../../src/store/xcom.ts';
import { registerWorker } from '../../../src/store/workers.ts';
import { ApiFixture, client, dagSpec, type Reply } from '../../support/api-fixture.ts';

type Json = Record<string, unknown>;
type Operation = { responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }> };
type Document = Json & { paths: Record<string, Record<string, Operation>> };

const METHODS = ['get', 'post', 'patch', 'put', 'delete'];

/** `/dags/{dagId}` filled in with encoded values. */
function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    assert.ok(name in params, `no value for {${name}} in ${template}`);
    return encodeURIComponent(String(params[name]));
  });
}

/** A JSON pointer into the document as a URI fragment ajv resolves. */
function pointer(...tokens: string[]): string {
  return '#/' + tokens.map((t) => encodeURIComponent(t.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
}

/**
 * (method, path) of every route Express would answer, by walking its router stack: routes on the
 * app itself, and routes of routers mounted under a prefix (found by asking the mount's matcher).
 */
function expressRoutes(app: ReturnType<typeof createApp>): string[] {
  type Layer = {
    route?: { path: string; methods: Record<string, boolean> };
    handle?: { stack?: Layer[] };
    matchers?: ((path: string) => unknown)[];
  };
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') found.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      } else if (layer.handle?.stack) {
        // The one router mounted with a prefix is the API's; a router mounted at the root would match ''.
        const mountedAtApi = layer.matchers?.some((match) => match('/api/v1') && !match('/other'));
        walk(layer.handle.stack, mountedAtApi ? '/api/v1' : prefix);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found.sort();
}

describe('OpenAPI document', () => {
  const fx = new ApiFixture();
  let api: ReturnType<typeof client>;
  let doc: Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const validators = new Map<string, ValidateFunction>();
  /** `GET /dags/{dagId} 200`: every answer the test checked. */
  const checked = new Set<string>();
  let runId: string;

  before(async () => {
    await fx.setUp();
    await fx.addDag(dagSpec('etl', ['extract', 'load'], [['extract', 'load']], { tags: ['daily'], params: { limit: 100 } }));
    await fx.addDag(dagSpec('manual_only', ['only'], [], { schedule: null }));
    await fx.addDag(dagSpec('on_orders', ['report'], [], { schedule: null, startDate: null, assetSchedule: ['db://orders'] }));
    await replaceImportErrors(fx.db, [{ filename: 'broken.ts', message: 'broken.ts: SyntaxError: Unexpected token' }]);
    const run = await triggerDagRun(fx.db, 'etl', { logicalDate: new Date('2026-04-01T00:00:00Z'), conf: { rows: 3 } });
    runId = run.runId;
    // extract: tried twice (the first try in history), succeeded, returned a value, logged a line.
    await fx.db.query(
      `UPDATE task_instances SET try_number = 2, state = 'success', queued_at = now() - interval '2 seconds',
         start_date = now() - interval '1 second', end_date = now(), duration_ms = 1000, hostname = 'test-host'
       WHERE dag_id = 'etl' AND run_id = $1 AND task_id = 'extract'`,
      [runId],
    );
    await fx.db.query(
      `INSERT INTO task_tries (dag_id, run_id, task_id, try_number, state, start_date, end_date, duration_ms, hostname, error)
       VALUES ('etl', $1, 'extract', 1, 'failed', now() - interval '5 seconds', now() - interval '4 seconds', 1000, 'test-host', 'Error: flaky')`,
      [runId],
    );
    await writeXcoms(fx.db, [{ dagId: 'etl', runId, taskId: 'extract', mapIndex: -1, json: JSON.stringify({ rows: 42 }) }]);
    await appendLogChunks(fx.db, [
      { dagId: 'etl', runId, taskId: 'extract', mapIndex: -1, tryNumber: 2, chunk: `${JSON.stringify({ level: 30, time: Date.now(), msg: 'loaded' })}\n` },
    ]);
    // A key, so that connections with passwords and secret variables can be stored (README, "Secrets").
    api = client((await fx.start({ secretKeys: { current: randomBytes(32), previous: [] } })).url);
    const reply = await api<Document>('GET', '/api/v1/openapi.json');
    assert.equal(reply.status, 200, reply.text);
    doc = reply.body;
    ajv.addSchema(doc, 'openapi.json');
  });

  after(async () => {
    await fx.tearDown();
  });

  /** Calls `method template` and checks the answer against what the document says of that status. */
  async function check<T = Json>(
    method: string,
    template: string,
    options: { params?: Record<string, string | number>; query?: string; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const path = fill(template, options.params ?? {});
    const outside = template === '/metrics';
    const reply = await api<T>(method, `${outside ? '' : '/api/v1'}${path}${options.query ?? ''}`, { json: options.json, headers: options.headers });
    const operation = doc.paths[template]?.[method.toLowerCase()];
    assert.ok(operation, `the document has no ${method} ${template}`);
    const answer = operation.responses[String(reply.status)];
    assert.ok(answer, `${method} ${path} answered ${reply.status}, which the document does not list for it: ${reply.text}`);
    const contentType = (reply.headers.get('content-type') ?? '').split(';')[0]!;
    for (const header of Object.keys(answer.headers ?? {})) {
      assert.ok(reply.headers.has(header), `${method} ${path}: the document promises header ${header}`);
    }
    if (!answer.content) {
      assert.equal(reply.text, '', `${method} ${path} ${reply.status} has no body in the document`);
    } else {
      assert.ok(contentType in answer.content, `${method} ${path} ${reply.status} answered ${contentType}; the document says ${Object.keys(answer.content).join(', ')}`);
      if (contentType === 'application/json') {
        const ref = 'openapi.json' + pointer('paths', template, method.toLowerCase(), 'responses', String(reply.status), 'content', 'application/json', 'schema');
        let validate = validators.get(ref);
        if (!validate) {
          validate = ajv.compile({ $ref: ref });
          validators.set(ref, validate);
        }
        assert.ok(validate(reply.body), `${method} ${path} ${reply.status} does not match the document: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
      }
    }
    checked.add(`${method.toUpperCase()} ${template} ${reply.status}`);
    return reply;
  }

  test('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    // A copy: the validator may annotate what it is given.
    const result = await validator.validate(structuredClone(doc));
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');
    // Every schema the document holds compiles as JSON Schema 2020-12.
    for (const name of Object.keys((doc.components as { schemas: Json }).schemas)) ajv.compile({ $ref: `openapi.json${pointer('components', 'schemas', name)}` });
  });

  test('describes every route Express serves, and only those', () => {
    const app = createApp({ services: fx.services, redis: fx.redis, config: fx.config });
    const described = Object.entries(doc.paths)
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((key) => METHODS.includes(key))
          .map((method) => `${method.toUpperCase()} ${path === '/metrics' ? '' : '/api/v1'}${path.replace(/\{(\w+)\}/g, ':$1')}`),
      )
      .sort();
    const served = expressRoutes(app);
    assert.ok(served.length > 10, `found only ${served.length} routes in Express's stack: ${served.join(', ')}`);
    assert.deepEqual(served, described);
  });

  test('every GET route answers what the document says', async () => {
    const run = { dagId: 'etl', runId };
    const ti = { ...run, taskId: 'extract' };
    await check('GET', '/health');
    await check('GET', '/dags');
    await check('GET', '/dags', { query: '?paused=false&tags=daily&limit=1' });
    await check('GET', '/dags/{dagId}', { params: { dagId: 'etl' } });
    const versions = await check<{ versions: { version: string }[] }>('GET', '/dags/{dagId}/versions', { params: { dagId: 'etl' } });
    const source = await check('GET', '/dags/{dagId}/versions/{version}/source', { params: { dagId: 'etl', version: versions.body.versions[0]!.version } });
    assert.equal(source.text, '// the DAG file of etl\n');
    await check('GET', '/importErrors');
    await check('GET', '/dags/{dagId}/dagRuns', { params: run, query: '?state=queued' });
    await check('GET', '/dags/{dagId}/dagRuns/{runId}', { params: run });
    // A run a task of that run triggered (triggerDag of sluice/operators): both sides of the link.
    const kicked = await triggerDagRun(fx.db, 'manual_only', { triggeredBy: { dagId: 'etl', runId, taskId: 'load', mapIndex: -1 } });
    const triggered = await check<{ dagRuns: Json[] }>('GET', '/dags/{dagId}/dagRuns/{runId}/triggeredRuns', { params: run });
    assert.deepEqual(triggered.body.dagRuns.map((r) => r.triggeredBy), [{ dagId: 'etl', dagRunId: runId, taskId: 'load' }]);
    const kickedRun = await check<Json>('GET', '/dags/{dagId}/dagRuns/{runId}', { params: { dagId: 'manual_only', runId: kicked.runId } });
    assert.deepEqual(kickedRun.body.triggeredBy, { dagId: 'etl', dagRunId: runId, taskId: 'load' });
    await check('GET', '/dags/{dagId}/grid', { params: run });
    await check('GET', '/dags/{dagId}/dagRuns/{runId}/taskInstances', { params: run });
    await check('GET', '/dags/{dagId}/dagRuns/{runId}/taskInstances/{taskId}', { params: ti });
    const tries = await check<{ taskInstanceTries: Json[] }>('GET', '/dags/{dagId}/dagRuns/{runId}/taskInstances/{taskId}/tries', { params: ti });
    assert.equal(tries.body.taskInstanceTries.length, 1);
    const runTries = await check<{ taskInstanceTries: Json[] }>('GET', '/dags/{dagId}/dagRuns/{runId}/taskInstanceTries', { params: run });
    assert.equal(runTries.body.taskInstanceTries.length, 1);
    const durations = await check<{ taskDurations: Json[] }>('GET', '/dags/{dagId}/taskDurations', { params: { dagId: 'etl' }, query: '?limit=50' });
    assert.equal(durations.body.taskDurations.length, 1);
    const log = await check('GET', '/dags/{dagId}/dagRuns/{runId}/taskInstances/{taskId}/logs/{tryNumber}', { params: { ...ti, tryNumber: 2 } });
    assert.match(log.text, /loaded/);
    await check('GET', '/dags/{dagId}/dagRuns/{runId}/taskInstances/{taskId}/logs/{tryNumber}', { params: { ...ti, tryNumber: 2 }, query: '?offset=0&limit=100' });
    await check('GET', '/dags/{dagId}/dagRuns/{runId}/taskInstances/{taskId}/xcom', { params: ti });
    // The same with the map index (-1: a task that is not mapped).
    const mapped = '/dags/{dagId}/dagRuns/{runId}/taskInstances/{taskId}/{mapIndex}';
    const instance = { ...ti, mapIndex: -1 };
    assert.equal((await check<{ mapIndex: number }>('GET', mapped, { params: instance })).body.mapIndex, -1);
    await check('GET', `${mapped}/tries`, { params: instance });
    await check('GET', `${mapped}/logs/{tryNumber}`, { params: { ...instance, tryNumber: 2 } });
    await check('GET', `${mapped}/xcom`, { params: instance });
    assert.equal((await check('GET', mapped, { params: { ...ti, mapIndex: 3 } })).status, 404);
    // A callback as the triggers record one (src/store/functions/run_record_callbacks.sql), already run.
    const { rows: inserted } = await fx.db.query<{ id: number }>(
      `INSERT INTO callbacks (dag_id, run_id, event, event_state, state, tries, end_date, log)
       VALUES ($1, $2, 'dag_success', 'success', 'success', 1, now(), $3) RETURNING id::int AS id`,
      [run.dagId, run.runId, `${JSON.stringify({ level: 30, time: Date.now(), msg: 'notified' })}\n`],
    );
    const callbacks = await check<{ callbacks: Json[] }>('GET', '/dags/{dagId}/dagRuns/{runId}/callbacks', { params: run });
    assert.equal(callbacks.body.callbacks.length, 1);
    const callbackLog = await check('GET', '/dags/{dagId}/dagRuns/{runId}/callbacks/{callbackId}/log', { params: { ...run, callbackId: inserted[0]!.id } });
    assert.match(callbackLog.text, /notified/);
    await registerWorker(fx.db, { workerId: 'w1', hostname: 'host-1', pools: null, queues: ['default', 'gpu'], concurrency: 4 });
    const workers = await check<{ workers: Json[] }>('GET', '/workers');
    assert.equal(workers.body.workers.length, 1);
    await check('GET', '/queues');
    await check('GET', '/queues', { query: '?dagId=etl' });
    await check('GET', '/openapi.json');
    await check('GET', '/metrics');
    const assets = await check<{ assets: { uri: string }[] }>('GET', '/assets');
    assert.deepEqual(assets.body.assets.map((a) => a.uri), ['db://orders']);
    await check('GET', '/assets/events', { query: '?uri=db%3A%2F%2Forders&limit=5' });
    const pools = await check<{ pools: { name: string }[] }>('GET', '/pools');
    assert.ok(pools.body.pools.some((p) => p.name === 'default_pool'));
    await check('GET', '/pools/{name}', { params: { name: 'default_pool' } });
    assert.equal((await check('GET', '/pools/{name}', { params: { name: 'nowhere' } })).status, 404);
    await check('GET', '/me');
  });

  test('pools answer what the document says, an empty answer and errors included', async () => {
    assert.equal((await check('POST', '/pools', { json: { name: 'doc_pool', slots: 2 } })).status, 201);
    assert.equal((await check('POST', '/pools', { json: { name: 'doc_pool', slots: 2 } })).status, 409);
    assert.equal((await check('PATCH', '/pools/{name}', { params: { name: 'doc_pool' }, json: { slots: 3 } })).status, 200);
    assert.equal((await check('PATCH', '/pools/{name}', { params: { name: 'doc_pool' }, json: {} })).status, 400);
    assert.equal((await check('DELETE', '/pools/{name}', { params: { name: 'doc_pool' } })).status, 204);
    assert.equal((await check('DELETE', '/pools/{name}', { params: { name: 'default_pool' } })).status, 409);
  });

  test('connections and variables answer what the document says, errors included', async () => {
    const conn = { params: { connectionId: 'doc_conn' } };
    assert.equal((await check('POST', '/connections', { json: { connectionId: 'doc_conn', uri: 'postgres://u:pw@db:5432/wh?sslmode=require' } })).status, 201);
    assert.equal((await check('POST', '/connections', { json: { connectionId: 'doc_conn', connType: 'postgres' } })).status, 409);
    assert.equal((await check('POST', '/connections', { json: { connectionId: 'bad uri', uri: 'nope' } })).status, 400);
    assert.equal((await check('GET', '/connections')).status, 200);
    assert.equal((await check('GET', '/connections/{connectionId}', conn)).status, 200);
    assert.equal((await check('PATCH', '/connections/{connectionId}', { ...conn, json: { host: 'db2' } })).status, 200);
    assert.equal((await check('DELETE', '/connections/{connectionId}', conn)).status, 204);
    assert.equal((await check('GET', '/connections/{connectionId}', conn)).status, 404);
    const secret = { params: { key: 'doc_token' } };
    assert.equal((await check('POST', '/variables', { json: { key: 'doc_token', value: 'tok-123456' } })).status, 201);
    assert.equal((await check('POST', '/variables', { json: { key: 'doc_token', value: 'x' } })).status, 409);
    assert.equal((await check('GET', '/variables')).status, 200);
    assert.equal((await check('GET', '/variables/{key}', secret)).status, 200);
    assert.equal((await check('PATCH', '/variables/{key}', { ...secret, json: { value: 42 } })).status, 400);
    assert.equal((await check('PATCH', '/variables/{key}', { ...secret, json: { description: 'd' } })).status, 200);
    assert.equal((await check('DELETE', '/variables/{key}', secret)).status, 204);
    assert.equal((await check('DELETE', '/variables/{key}', secret)).status, 404);
  });

  test('a conditional GET of an unchanged answer is a 304 the document lists', async () => {
    const first = await check('GET', '/dags/{dagId}', { params: { dagId: 'etl' } });
    const etag = first.headers.get('etag');
    assert.ok(etag);
    const again = await check('GET', '/dags/{dagId}', { params: { dagId: 'etl' }, headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
  });

  test('state changes and backfills answer what the document says, errors included', async () => {
    assert.equal((await check('PATCH', '/dags/{dagId}', { params: { dagId: 'etl' }, json: { isPaused: true } })).status, 200);
    assert.equal((await check('PATCH', '/dags/{dagId}', { params: { dagId: 'etl' }, json: { isPaused: 'yes' } })).status, 400);
    assert.equal((await check('PATCH', '/dags/{dagId}', { params: { dagId: 'nope' }, json: { isPaused: true } })).status, 404);

    const triggered = await check<{ dagRunId: string }>('POST', '/dags/{dagId}/dagRuns', {
      params: { dagId: 'etl' },
      json: { logicalDate: '2026-05-01T00:00:00Z', conf: { a: 1 } },
    });
    assert.equal(triggered.status, 201);
    const again = { params: { dagId: 'etl' }, json: { logicalDate: '2026-05-01T00:00:00Z' } };
    assert.equal((await check('POST', '/dags/{dagId}/dagRuns', again)).status, 409);
    assert.equal((await check('POST', '/dags/{dagId}/dagRuns', { params: { dagId: 'etl' }, json: { conf: [] } })).status, 400);
    const large = { params: { dagId: 'etl' }, json: { conf: { blob: 'x'.repeat(1_100_000) } } };
    assert.equal((await check('POST', '/dags/{dagId}/dagRuns', large)).status, 413);

    const newRun = { dagId: 'etl', runId: triggered.body.dagRunId, taskId: 'extract' };
    const ti = '/dags/{dagId}/dagRuns/{runId}/taskInstances/{taskId}';
    assert.equal((await check('PATCH', ti, { params: newRun, json: { state: 'success' } })).status, 200);
    assert.equal((await check('PATCH', ti, { params: newRun, json: { state: 'running' } })).status, 400);
    assert.equal((await check('PATCH', ti, { params: { ...newRun, taskId: 'nope' }, json: { state: 'failed' } })).status, 404);

    const clear = '/dags/{dagId}/clearTaskInstances';
    assert.equal((await check('POST', clear, { params: { dagId: 'etl' }, json: { dagRunId: newRun.runId, taskIds: ['extract'] } })).status, 200);
    assert.equal((await check('POST', clear, { params: { dagId: 'etl' }, json: { dagRunId: 'nope' } })).status, 404);

    const range = { dagId: 'etl', fromDate: '2026-02-01', toDate: '2026-02-03' };
    assert.equal((await check('POST', '/backfills', { json: { ...range, dryRun: true }, query: '?limit=2' })).status, 200);
    const created = await check<{ id: number }>('POST', '/backfills', { json: range });
    assert.equal(created.status, 201);
    assert.equal((await check('POST', '/backfills', { json: range })).status, 409);
    assert.equal((await check('POST', '/backfills', { json: { ...range, dagId: 'manual_only' } })).status, 400);
    assert.equal((await check('GET', '/backfills')).status, 200);
    assert.equal((await check('GET', '/backfills/{id}', { params: { id: created.body.id } })).status, 200);
    assert.equal((await check('GET', '/backfills/{id}', { params: { id: 999 } })).status, 404);
    assert.equal((await check('POST', '/backfills/{id}/cancel', { params: { id: created.body.id } })).status, 200);
    assert.equal((await check('POST', '/backfills/{id}/cancel', { params: { id: 999 } })).status, 404);

    assert.equal((await check('POST', '/assets/events', { json: { uri: 'db://orders', extra: { rows: 1 } } })).status, 201);
    assert.equal((await check('POST', '/assets/events', { json: { uri: 'db://orders', extra: [] } })).status, 400);
    assert.equal((await check('POST', '/assets/events', { json: { uri: 'db://nope' } })).status, 404);
    const withEvent = await check<{ assets: { lastEvent: { extra: unknown } | null }[] }>('GET', '/assets');
    assert.deepEqual(withEvent.body.assets[0]!.lastEvent?.extra, { rows: 1 });
    // The changes above are in the audit log, by the anonymous caller of a webserver without tokens.
    const audit = await check<{ entries: { actor: string }[] }>('GET', '/auditLog', { query: '?limit=5' });
    assert.ok(audit.body.entries.length > 0 && audit.body.entries.every((e) => e.actor === 'anonymous'));

    assert.equal((await check('GET', '/dags/{dagId}/grid', { params: { dagId: 'etl' }, query: '?limit=0' })).status, 400);
    assert.equal((await check('GET', '/dags/{dagId}/dagRuns/{runId}', { params: { dagId: 'etl', runId: 'nope' } })).status, 404);
  });

  test('a token and a foreign Host are refused as the document says', async () => {
    const guarded = client((await fx.start({ apiToken: 'secret' })).url);
    const refused = await guarded<Json>('GET', '/api/v1/dags');
    assert.equal(refused.status, 401);
    assert.ok(doc.paths['/dags']!.get!.responses['401']);
    assert.ok(ajv.compile({ $ref: `openapi.json${pointer('components', 'schemas', 'Error')}` })(refused.body));
    // fetch() will not send another Host; node:http will.
    const url = new URL(`${(await fx.start()).url}/api/v1/dags`);
    const foreign = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const req = httpRequest(url, { headers: { host: 'evil.example' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', reject).end();
    });
    assert.equal(foreign.status, 403);
    assert.ok(doc.paths['/dags']!.get!.responses['403']);
    assert.ok(ajv.compile({ $ref: `openapi.json${pointer('components', 'schemas', 'Error')}` })(foreign.body));
  });

  test('every GET operation was checked with a success', () => {
    const gets = Object.entries(doc.paths).flatMap(([path, item]) => ('get' in item ? [path] : []));
    const missing = gets.filter((path) => ![...checked].some((c) => c.startsWith(`GET ${path} 2`)));
    assert.deepEqual(missing, []);
  });
});
