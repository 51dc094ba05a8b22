/**
 * The API in front of a real scheduler and worker: a run triggered over HTTP is executed, and what
 * it leaves behind (states, tries, XCom, health, latency metrics) reads back through the API.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Webserver } from '../../src/api/server.ts';
import { Harness } from '../support/harness.ts';
import { client } from '../support/api-fixture.ts';

const DAG = `
import { dag } from 'sluice';
const d = dag('api_e2e', {});
const first = d.task('first', { retries: 1, retryDelay: '10ms' }, async (ctx) => {
  if (ctx.tryNumber === 1) throw new Error('first try fails');
  return { n: Number(ctx.params.n) };
});
const second = d.task('second', async (ctx) => ({ doubled: (await ctx.xcom<{ n: number }>('first'))!.n * 2 }));
first.then(second);
export default d;
`;

type Json = Record<string, unknown>;

describe('REST API with a scheduler and a worker', () => {
  const h = new Harness({ dags: { 'api_e2e.ts': DAG } });
  let server: Webserver;
  let api: ReturnType<typeof client>;

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('api_e2e');
    server = await h.startWebserver();
    api = client(server.url);
  });

  after(async () => {
    await h.tearDown();
  });

  test('a run triggered over HTTP runs, and its results read back', async () => {
    const created = await api('POST', '/api/v1/dags/api_e2e/dagRuns', { json: { conf: { n: 21 } } });
    assert.equal(created.status, 201, created.text);
    const runId = String(created.body.dagRunId);
    const runPath = `/api/v1/dags/api_e2e/dagRuns/${encodeURIComponent(runId)}`;

    const run = await h.waitFor('the run to finish', async () => {
      const reply = await api('GET', runPath);
      return reply.body.state === 'success' || reply.body.state === 'failed' ? reply.body : undefined;
    });
    assert.equal(run.state, 'success');
    assert.ok(run.startDate && run.endDate);

    const tis = await api<{ taskInstances: Json[] }>('GET', `${runPath}/taskInstances`);
    const first = tis.body.taskInstances.find((t) => t.taskId === 'first')!;
    assert.equal(first.state, 'success');
    assert.equal(first.tryNumber, 2);
    assert.equal(first.maxTries, 2);

    const tries = await api<{ taskInstanceTries: Json[] }>('GET', `${runPath}/taskInstances/first/tries`);
    assert.deepEqual(tries.body.taskInstanceTries.map((t) => [t.tryNumber, t.state]), [[1, 'failed'], [2, 'success']]);

    const xcom = await api('GET', `${runPath}/taskInstances/second/xcom`);
    assert.deepEqual(xcom.body, { value: { doubled: 42 } });

    const log = await api('GET', `${runPath}/taskInstances/first/logs/1`);
    assert.equal(log.status, 200);
    assert.match(log.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal((await api('GET', `${runPath}/taskInstances/first/logs/3`)).status, 404);

    const health = await api('GET', '/api/v1/health');
    assert.equal(health.body.status, 'healthy', health.text);

    const metrics = await api('GET', '/metrics');
    const count = (name: string) => Number(new RegExp(`^${name}_count (\\d+)$`, 'm').exec(metrics.text)?.[1]);
    assert.ok(count('sluice_task_queued_to_start_seconds') >= 2, metrics.text);
    assert.ok(count('sluice_task_upstream_to_start_seconds') >= 1, metrics.text);
    assert.match(metrics.text, /^sluice_dag_runs\{dag_id="api_e2e",state="success"\} 1$/m);
  });
});
