/**
 * Sensors end to end, with a real scheduler and worker: in reschedule mode a waiting sensor is
 * `up_for_reschedule` between checks, holding neither a worker slot nor its pool's slot, and
 * resumes as the same try; in poke mode it holds both; a timeout fails it without retries (or
 * skips it with softFail); an exception is retried like any task's; 200 sensors waiting at once
 * leave the worker free for other work. The state is visible through the API and /metrics.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { TaskInstance } from '../../src/api/schemas/index.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { setPool } from '../../src/store/pools.ts';
import { Harness } from '../support/harness.ts';

/** A check that passes once `file` exists, returning its text. */
const fileCheck = (file: string) => `async (ctx) => {
  ctx.log.info({ check: ctx.rescheduleCount + 1 }, 'looking for the file');
  return existsSync(${JSON.stringify(file)}) ? { found: readFileSync(${JSON.stringify(file)}, 'utf8') } : false;
}`;

const dags = (folder: string) => ({
  'reschedule.ts': `
import { existsSync, readFileSync } from 'node:fs';
import { dag } from 'sluice';
const d = dag('sense_reschedule');
const wait = d.sensor('wait', { pool: 'one', pokeInterval: '300ms' }, ${fileCheck(path.join(folder, 'reschedule.flag'))});
wait.then(d.task('after', async (ctx) => ctx.xcom('wait')));
export default d;
`,
  'other.ts': `
import { dag } from 'sluice';
const d = dag('sense_other');
d.task('quick', { pool: 'one' }, async () => 'ran');
export default d;
`,
  'poke.ts': `
import { existsSync, readFileSync } from 'node:fs';
import { dag } from 'sluice';
const d = dag('sense_poke');
d.sensor('wait', { pool: 'one', mode: 'poke', pokeInterval: '200ms' }, ${fileCheck(path.join(folder, 'poke.flag'))});
export default d;
`,
  'timeouts.ts': `
import { dag } from 'sluice';
const d = dag('sense_timeouts');
d.sensor('hard', { pokeInterval: '200ms', timeout: '1s', retries: 3 }, async () => false);
d.sensor('soft', { pokeInterval: '200ms', timeout: '1s', softFail: true }, async () => null);
d.sensor('poke_hard', { mode: 'poke', pokeInterval: '200ms', timeout: '1s', retries: 3 }, async () => 0);
export default d;
`,
  'flaky.ts': `
import { dag } from 'sluice';
const d = dag('sense_flaky');
d.sensor('flaky', { pokeInterval: '200ms', retries: 1, retryDelay: '0s' }, async (ctx) => {
  if (ctx.tryNumber === 1) throw new Error('the service answered 503');
  return ctx.rescheduleCount >= 1 ? 'ready' : false;
});
export default d;
`,
  'many.ts': `
import { existsSync } from 'node:fs';
import { dag } from 'sluice';
const d = dag('sense_many', { maxActiveTasks: 500 });
for (let i = 0; i < 200; i++) {
  d.sensor('s' + i, { pokeInterval: '1s' }, async () => existsSync(${JSON.stringify(path.join(folder, 'many.flag'))}));
}
export default d;
`,
  'plain.ts': `
import { dag } from 'sluice';
export default dag('sense_plain').task('work', async () => 'done').dag;
`,
});

describe('sensors', () => {
  let h: Harness;
  let base: string;

  before(async () => {
    h = new Harness();
    await h.setUp();
    for (const [name, source] of Object.entries(dags(h.dagsFolder))) await h.writeDag(name, source);
    await setPool(h.db, 'one', 1);
    await h.startScheduler();
    await h.startWorker({ concurrency: 4 });
    await Promise.all(['sense_reschedule', 'sense_other', 'sense_poke', 'sense_timeouts', 'sense_flaky', 'sense_many', 'sense_plain'].map((id) => h.waitForDag(id)));
    base = `${(await h.startWebserver()).url}/api/v1`;
  });
  after(() => h.tearDown());

  const instance = async (dagId: string, runId: string, taskId: string) => (await h.taskInstances(dagId, runId))[taskId]!;
  const waitForState = (dagId: string, runId: string, taskId: string, state: string) =>
    h.waitFor(`${dagId}.${taskId} to be ${state}`, async () => ((await instance(dagId, runId, taskId)).state === state ? true : undefined), 30_000);

  test('reschedule mode frees its pool slot between checks and resumes as the same try', async () => {
    const run = await triggerDagRun(h.db, 'sense_reschedule', {});
    await waitForState('sense_reschedule', run.runId, 'wait', 'up_for_reschedule');
    // The sensor's pool has one slot; while it waits, another DAG's task of that pool runs.
    const other = await triggerDagRun(h.db, 'sense_other', {});
    assert.equal((await h.waitForRunEnd('sense_other', other.runId, 30_000)).state, 'success');
    const api = (await (await fetch(`${base}/dags/sense_reschedule/dagRuns/${encodeURIComponent(run.runId)}/taskInstances/wait`)).json()) as TaskInstance;
    assert.ok(['up_for_reschedule', 'scheduled', 'queued', 'running'].includes(api.state), api.state);
    const detail = (await (await fetch(`${base}/dags/sense_reschedule`)).json()) as { tasks: { taskId: string; sensor: unknown }[] };
    assert.deepEqual(
      detail.tasks.map((t) => [t.taskId, t.sensor]),
      [
        ['wait', { mode: 'reschedule', pokeIntervalMs: 300, timeoutMs: 7 * 24 * 3600_000, softFail: false, exponentialBackoff: false }],
        ['after', null],
      ],
    );
    const metrics = await (await fetch(`${base.replace('/api/v1', '')}/metrics`)).text();
    assert.match(metrics, /sluice_task_instances\{state="up_for_reschedule"\} \d+/);

    await h.writeDag('reschedule.flag', 'hello');
    assert.equal((await h.waitForRunEnd('sense_reschedule', run.runId, 30_000)).state, 'success');
    const wait = await instance('sense_reschedule', run.runId, 'wait');
    assert.equal(wait.tryNumber, 1, 'every check was the same try');
    const { rows: tries } = await h.db.query(`SELECT try_number, state FROM task_tries WHERE dag_id = 'sense_reschedule' AND run_id = $1 AND task_id = 'wait'`, [run.runId]);
    assert.deepEqual(tries, [{ try_number: 1, state: 'success' }], 'one try in the history, not one per check');
    const after = (await (await fetch(`${base}/dags/sense_reschedule/dagRuns/${encodeURIComponent(run.runId)}/taskInstances/after/xcom`)).json()) as { value: unknown };
    assert.deepEqual(after.value, { found: 'hello' }, "the check's answer is the sensor's XCom");
    const log = await (await fetch(`${base}/dags/sense_reschedule/dagRuns/${encodeURIComponent(run.runId)}/taskInstances/wait/logs/1`)).text();
    const checks = [...log.matchAll(/looking for the file/g)].length;
    assert.ok(checks >= 2, `every check logs into the one try's log (${checks} checks)`);
    assert.match(log, /check=1\b/);
    assert.match(log, /not yet \(check 1\); checking again in 300ms/);
  });

  test('poke mode holds its slot: the pool stays full until the sensor is done', async () => {
    const run = await triggerDagRun(h.db, 'sense_poke', {});
    await waitForState('sense_poke', run.runId, 'wait', 'running');
    const other = await triggerDagRun(h.db, 'sense_other', {});
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.notEqual((await instance('sense_other', other.runId, 'quick')).state, 'success', 'the one slot is held by the poking sensor');
    assert.equal((await instance('sense_poke', run.runId, 'wait')).state, 'running', 'a poking sensor is never up_for_reschedule');
    await h.writeDag('poke.flag', 'poked');
    assert.equal((await h.waitForRunEnd('sense_poke', run.runId, 30_000)).state, 'success');
    assert.equal((await h.waitForRunEnd('sense_other', other.runId, 30_000)).state, 'success');
    const sensor = await instance('sense_poke', run.runId, 'wait');
    const quick = await instance('sense_other', other.runId, 'quick');
    assert.ok(quick.startDate! >= sensor.endDate!, 'the other task started only once the sensor had ended');
  });

  test('a timeout fails the sensor without retries, or skips it with softFail, in either mode', async () => {
    const run = await triggerDagRun(h.db, 'sense_timeouts', {});
    assert.equal((await h.waitForRunEnd('sense_timeouts', run.runId, 30_000)).state, 'failed');
    const tis = await h.taskInstances('sense_timeouts', run.runId);
    assert.equal(tis.hard!.state, 'failed');
    assert.equal(tis.hard!.tryNumber, 1, 'no retry after a timeout, whatever its retries');
    assert.match(tis.hard!.error ?? '', /sensor "hard" timed out: its check did not pass in .* \(timeout 1s\)/);
    assert.equal(tis.soft!.state, 'skipped');
    assert.match(tis.soft!.error ?? '', /timed out/);
    assert.equal(tis.poke_hard!.state, 'failed');
    assert.equal(tis.poke_hard!.tryNumber, 1);
  });

  test('an exception is an ordinary failure, retried as a new try with its own checks', async () => {
    const run = await triggerDagRun(h.db, 'sense_flaky', {});
    assert.equal((await h.waitForRunEnd('sense_flaky', run.runId, 30_000)).state, 'success');
    const flaky = await instance('sense_flaky', run.runId, 'flaky');
    assert.equal(flaky.tryNumber, 2);
    const { rows } = await h.db.query(`SELECT try_number, state FROM task_tries WHERE dag_id = 'sense_flaky' AND run_id = $1 ORDER BY try_number`, [run.runId]);
    assert.deepEqual(rows, [{ try_number: 1, state: 'failed' }, { try_number: 2, state: 'success' }]);
  });

  test('200 sensors waiting at once hold no worker slot', async () => {
    const run = await triggerDagRun(h.db, 'sense_many', {});
    await h.waitFor(
      'every sensor to have been checked once',
      async () => {
        const { rows } = await h.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM task_instances WHERE dag_id = 'sense_many' AND run_id = $1 AND reschedule_count > 0`,
          [run.runId],
        );
        return rows[0]!.n === 200 ? true : undefined;
      },
      60_000,
    );
    // The worker has 4 slots and 200 sensors wait: a plain task still runs at once.
    const plain = await triggerDagRun(h.db, 'sense_plain', {});
    assert.equal((await h.waitForRunEnd('sense_plain', plain.runId, 10_000)).state, 'success');
    const { rows } = await h.db.query<{ running: number; paused: number }>(
      `SELECT count(*) FILTER (WHERE state = 'running')::int AS running,
              count(*) FILTER (WHERE state = 'up_for_reschedule')::int AS paused
       FROM task_instances WHERE dag_id = 'sense_many' AND run_id = $1`,
      [run.runId],
    );
    assert.ok(rows[0]!.running <= 4, `only sensors being checked hold a slot (${rows[0]!.running} running)`);
    assert.ok(rows[0]!.paused > 0, 'the others wait between checks');
    await h.writeDag('many.flag', '');
    assert.equal((await h.waitForRunEnd('sense_many', run.runId, 60_000)).state, 'success');
    const { rows: done } = await h.db.query<{ n: number; tries: number }>(
      `SELECT count(*)::int AS n, max(try_number)::int AS tries FROM task_instances WHERE dag_id = 'sense_many' AND run_id = $1 AND state = 'success'`,
      [run.runId],
    );
    assert.deepEqual(done[0], { n: 200, tries: 1 });
  });
});
