/**
 * Typed params end to end: DAG files with param()s are parsed (a bad one is an import error naming
 * the DAG and the param), the API describes each param, and a conf that breaks any rule is refused
 * wherever a run is made with one (the API's trigger, `sluice dags trigger`, backfills through the
 * API and the CLI, `sluice dags test`) with no run created, while a valid conf runs with the params
 * the task sees being the defaults merged with the conf.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DagDetail, DagRun, ImportErrorList } from '../../src/api/schemas/index.ts';
import { sluice } from '../support/cli.ts';
import { Harness } from '../support/harness.ts';

/** A DAG whose task returns the params it sees; `typed` has every rule, `typed_daily` all but required (it has a schedule). */
function typedDag(dagId: string, scheduled: boolean): string {
  return `
import { dag, param } from 'sluice';
const d = dag('${dagId}', {
  ${scheduled ? "schedule: '@daily', startDate: '2026-01-01T00:00:00Z'," : 'schedule: null,'}
  params: {
    limit: param({ type: 'integer', default: 100, minimum: 1, maximum: 1000, description: 'rows per batch' }),
    mode: param({ type: 'string', enum: ['fast', 'safe'], default: 'fast' }),
    name: param({ type: 'string', default: 'abc', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' }),
    day: param({ type: 'string', format: 'date', default: '2026-01-01' }),
    at: param({ type: 'string', format: 'date-time', default: '2026-01-01T00:00:00Z' }),
    ${scheduled ? '' : "region: param({ type: 'string', required: true }),"}
    plain: 1,
  },
});
d.task('echo', async (ctx) => ctx.params);
export default d;
`;
}

const REQUIRED_WITH_SCHEDULE = `
import { dag, param } from 'sluice';
export default dag('required_scheduled', { schedule: '@daily', startDate: '2026-01-01', params: { region: param({ type: 'string', required: true }) } });
`;

const BAD_PARAM = `
import { dag, param } from 'sluice';
export default dag('bad_param', { params: { limit: param({ type: 'integer', default: 0, minimum: 1 }) } });
`;

/** Each rule, a conf that breaks it, and the message that names the param and the rule. */
const BROKEN: [rule: string, conf: Record<string, unknown>, message: (dagId: string) => string][] = [
  ['type', { limit: 'many' }, (dag) => `conf.limit must be an integer, got "many" (param "limit" of DAG "${dag}": type integer)`],
  ['enum', { mode: 'slow' }, (dag) => `conf.mode must be one of "fast", "safe", got "slow" (param "mode" of DAG "${dag}": enum ["fast","safe"])`],
  ['minimum', { limit: 0 }, (dag) => `conf.limit must be >= 1, got 0 (param "limit" of DAG "${dag}": minimum 1)`],
  ['maximum', { limit: 1001 }, (dag) => `conf.limit must be <= 1000, got 1001 (param "limit" of DAG "${dag}": maximum 1000)`],
  ['minLength', { name: 'a' }, (dag) => `conf.name must be at least 2 characters long, got "a" (param "name" of DAG "${dag}": minLength 2)`],
  ['maxLength', { name: 'abcdef' }, (dag) => `conf.name must be at most 5 characters long, got "abcdef" (param "name" of DAG "${dag}": maxLength 5)`],
  ['pattern', { name: 'ab1' }, (dag) => `conf.name must match the pattern /^[a-z]+$/, got "ab1" (param "name" of DAG "${dag}": pattern "^[a-z]+$")`],
  ['format date', { day: '2026-02-30' }, (dag) => `conf.day must be a date as YYYY-MM-DD, like "2026-01-31", got "2026-02-30" (param "day" of DAG "${dag}": format date)`],
  [
    'format date-time',
    { at: '2026-01-01T00:00:00' },
    (dag) =>
      `conf.at must be a date and time with its zone, like "2026-01-31T09:30:00Z" or "2026-01-31T10:30:00+01:00", got "2026-01-01T00:00:00" (param "at" of DAG "${dag}": format date-time)`,
  ],
];
const REQUIRED_MESSAGE = 'conf.region is missing (param "region" of DAG "typed": required, it has no default); add it to the conf';

const DEFAULTS = { limit: 100, mode: 'fast', name: 'abc', day: '2026-01-01', at: '2026-01-01T00:00:00Z', plain: 1 };

describe('typed params', () => {
  const h = new Harness({
    dags: {
      'typed.ts': typedDag('typed', false),
      'typed_daily.ts': typedDag('typed_daily', true),
      'required_scheduled.ts': REQUIRED_WITH_SCHEDULE,
      'bad_param.ts': BAD_PARAM,
    },
  });
  let base: string;

  const post = async (path: string, body: unknown) => {
    const reply = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: reply.status, body: (await reply.json()) as Record<string, unknown> };
  };
  /** Backfills, or runs made with a conf (typed_daily's scheduler makes scheduled runs besides). */
  const count = async (table: 'dag_runs' | 'backfills', dagId: string) => {
    const where = table === 'dag_runs' ? "dag_id = $1 AND run_type <> 'scheduled'" : 'dag_id = $1';
    return Number((await h.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, [dagId])).rows[0]!.n);
  };
  const echoed = async (dagId: string, runId: string) => {
    const reply = await fetch(`${base}/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}/taskInstances/echo/xcom`);
    return ((await reply.json()) as { value: unknown }).value;
  };

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('typed');
    await h.waitForDag('typed_daily');
    base = `${(await h.startWebserver()).url}/api/v1`;
  });
  after(async () => {
    await h.tearDown();
  });

  test('a bad param() and a required param in a scheduled DAG are import errors naming the DAG and the param', async () => {
    const errors = await h.waitFor('both import errors', async () => {
      const list = (await (await fetch(`${base}/importErrors`)).json()) as ImportErrorList;
      return list.importErrors.length === 2 ? list.importErrors : undefined;
    });
    const byFile = Object.fromEntries(errors.map((e) => [e.filename.replace(/^.*\//, ''), e.message]));
    assert.match(byFile['bad_param.ts'] ?? '', /DAG "bad_param": param "limit": its default 0 breaks its own rule minimum 1 \(it must be >= 1\); change the default or the rule/);
    assert.match(byFile['required_scheduled.ts'] ?? '', /DAG "required_scheduled": param "region" is required \(it has no default\), but the DAG has schedule "@daily"/);
  });

  test('the API gives each param its rules and default, in declaration order', async () => {
    const reply = (await (await fetch(`${base}/dags/typed`)).json()) as DagDetail;
    assert.deepEqual(Object.keys(reply.params), ['limit', 'mode', 'name', 'day', 'at', 'region', 'plain']);
    assert.deepEqual(reply.params.limit, { schema: { type: 'integer', minimum: 1, maximum: 1000, description: 'rows per batch' }, default: 100 });
    assert.deepEqual(reply.params.region, { schema: { type: 'string', required: true } });
    assert.deepEqual(reply.params.plain, { schema: {}, default: 1 });
  });

  test('the OpenAPI document names invalid_conf where a conf is taken', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    };
    assert.match(doc.paths['/dags/{dagId}/dagRuns']!.post!.responses['400']!.description, /invalid_conf/);
    assert.match(doc.paths['/backfills']!.post!.responses['400']!.description, /invalid_conf/);
  });

  test('the API refuses a conf that breaks any rule with 400 invalid_conf, and makes no run', async () => {
    for (const [rule, conf, message] of BROKEN) {
      const reply = await post('/dags/typed/dagRuns', { conf: { region: 'eu', ...conf } });
      assert.equal(reply.status, 400, rule);
      assert.deepEqual(reply.body, { error: { code: 'invalid_conf', message: message('typed') } }, rule);
    }
    const missing = await post('/dags/typed/dagRuns', { conf: {} });
    assert.deepEqual([missing.status, missing.body], [400, { error: { code: 'invalid_conf', message: REQUIRED_MESSAGE } }]);
    // No body at all is no conf: the required param is missing all the same.
    const bare = await fetch(`${base}/dags/typed/dagRuns`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    assert.equal(bare.status, 400);
    // Several problems at once are all named.
    const both = await post('/dags/typed/dagRuns', { conf: { limit: 0, mode: 'slow' } });
    assert.equal(both.body.error && (both.body.error as { message: string }).message, [BROKEN[2]![2]('typed'), BROKEN[1]![2]('typed'), REQUIRED_MESSAGE].join('; '));
    assert.equal(await count('dag_runs', 'typed'), 0);
  });

  test('a valid conf runs, and the task sees the defaults merged with the conf, extra keys too', async () => {
    const conf = { region: 'eu', limit: 5, at: '2026-03-01T10:00:00+01:00', extra: { any: ['thing'] } };
    const reply = await post('/dags/typed/dagRuns', { conf });
    assert.equal(reply.status, 201);
    const run = reply.body as unknown as DagRun;
    assert.equal((await h.waitForRunEnd('typed', run.dagRunId)).state, 'success');
    assert.deepEqual(await echoed('typed', run.dagRunId), { ...DEFAULTS, ...conf });
  });

  test('sluice dags trigger refuses a conf that breaks any rule with exit 2 and the message, and makes no run', async () => {
    const before = await count('dag_runs', 'typed');
    const cases: [string, Record<string, unknown>, string][] = [
      ...BROKEN.map(([rule, conf, message]): [string, Record<string, unknown>, string] => [rule, { region: 'eu', ...conf }, message('typed')]),
      ['required', {}, REQUIRED_MESSAGE],
    ];
    // Each refused by a process of its own, independently of the others: run side by side.
    const results = await Promise.all(cases.map(([, conf]) => sluice(['dags', 'trigger', 'typed', '--conf', JSON.stringify(conf)], h.childEnv())));
    cases.forEach(([rule, , message], i) => {
      assert.equal(results[i]!.code, 2, `${rule}: ${results[i]!.stderr}`);
      assert.equal(results[i]!.stderr.trim(), `sluice dags trigger: ${message}`, rule);
    });
    assert.equal(await count('dag_runs', 'typed'), before);
    const ok = await sluice(['dags', 'trigger', 'typed', '--conf', '{"region": "us", "mode": "safe"}', '--wait', '--json'], h.childEnv());
    assert.equal(ok.code, 0, ok.stderr);
    const runId = (JSON.parse(ok.stdout) as { dagRunId: string }).dagRunId;
    assert.deepEqual(await echoed('typed', runId), { ...DEFAULTS, region: 'us', mode: 'safe' });
  });

  test('a backfill through the API refuses a dagRunConf that breaks any rule, a dry run too, and makes nothing', async () => {
    for (const [rule, conf, message] of BROKEN) {
      for (const dryRun of [false, true]) {
        const reply = await post('/backfills', { dagId: 'typed_daily', fromDate: '2026-01-01', toDate: '2026-01-02', dryRun, dagRunConf: conf });
        assert.equal(reply.status, 400, `${rule}, dryRun ${dryRun}`);
        assert.deepEqual(reply.body, { error: { code: 'invalid_conf', message: message('typed_daily') } }, rule);
      }
    }
    assert.equal(await count('backfills', 'typed_daily'), 0);
    assert.equal(await count('dag_runs', 'typed_daily'), 0);
  });

  test('sluice dags backfill refuses a bad --conf with exit 2; a valid one runs with the conf over the defaults', async () => {
    const bad = await sluice(['dags', 'backfill', 'typed_daily', '--from', '2026-01-01', '--to', '2026-01-02', '--conf', '{"limit": 0}'], h.childEnv());
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal(bad.stderr.trim(), `sluice dags backfill: ${BROKEN[2]![2]('typed_daily')}`);
    assert.equal(await count('backfills', 'typed_daily'), 0);

    const reply = await post('/backfills', { dagId: 'typed_daily', fromDate: '2026-01-01', toDate: '2026-01-02', dagRunConf: { limit: 7, note: 'extra' } });
    assert.equal(reply.status, 201);
    const runIds = reply.body.dagRunIds as string[];
    assert.equal(runIds.length, 2);
    for (const runId of runIds) {
      assert.equal((await h.waitForRunEnd('typed_daily', runId)).state, 'success');
      assert.deepEqual(await echoed('typed_daily', runId), { ...DEFAULTS, limit: 7, note: 'extra' });
    }
  });

  test('a scheduled run takes the defaults', async () => {
    const run = await h.waitFor('a scheduled run of typed_daily', async () => {
      const { rows } = await h.db.query<{ run_id: string }>(`SELECT run_id FROM dag_runs WHERE dag_id = 'typed_daily' AND run_type = 'scheduled'`);
      return rows[0]?.run_id;
    });
    assert.equal((await h.waitForRunEnd('typed_daily', run)).state, 'success');
    assert.deepEqual(await echoed('typed_daily', run), DEFAULTS);
  });

  test('sluice dags test checks its --conf the same way, and runs a valid one with it', async () => {
    // Three independent processes (a dags test runs in the process that runs it): side by side.
    const [bad, missing, ok] = await Promise.all([
      sluice(['dags', 'test', 'typed', '--conf', '{"region": "eu", "day": "01/02/2026"}'], h.childEnv()),
      sluice(['dags', 'test', 'typed'], h.childEnv()),
      sluice(['dags', 'test', 'typed', '--conf', '{"region": "eu", "name": "xyz"}', '--json'], h.childEnv()),
    ]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal(bad.stderr.trim(), `sluice dags test: ${BROKEN[7]![2]('typed').replace('"2026-02-30"', '"01/02/2026"')}`);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.trim(), `sluice dags test: ${REQUIRED_MESSAGE}`);
    assert.equal(ok.code, 0, ok.stderr);
    const result = JSON.parse(ok.stdout) as { state: string; tasks: { taskId: string; xcom?: unknown }[] };
    assert.equal(result.state, 'success');
    assert.deepEqual(result.tasks[0]?.xcom, { ...DEFAULTS, region: 'eu', name: 'xyz' });
  });
});
