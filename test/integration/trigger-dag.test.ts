/**
 * triggerDag of sluice/operators. First its task function called directly, as a worker calls
 * it, against a metadata database: the run it makes and records, the run a later try finds again,
 * the waiting; then end to end, a scheduler and a worker running DAG files that trigger one another.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { DagRun, DagRunList } from '../../src/api/schemas/index.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { triggerDag } from '../../src/operators/index.ts';
import { isFailTask, isRescheduleTask } from '../../src/sdk/errors.ts';
import { closeMetadataDb } from '../../src/sensors/metadata-db.ts';
import { upsertDag } from '../../src/store/dags.ts';
import { getRun, runsTriggeredBy } from '../../src/store/runs.ts';
import { readXcom } from '../../src/store/xcom.ts';
import { sluice } from '../support/cli.ts';
import { Harness } from '../support/harness.ts';
import { dagSpec } from '../support/specs.ts';
import { openStoreDb, seedRunningRun, type StoreDb } from '../support/store-db.ts';
import { taskContext } from '../support/task-context.ts';

/** Points the process's metadata pool (and the operator) at `url` until the returned function restores it. */
function useMetadataDb(url: string): () => Promise<void> {
  const saved = process.env.SLUICE_DATABASE_URL;
  process.env.SLUICE_DATABASE_URL = url;
  return async () => {
    await closeMetadataDb();
    if (saved === undefined) delete process.env.SLUICE_DATABASE_URL;
    else process.env.SLUICE_DATABASE_URL = saved;
  };
}

describe('triggerDag, its task function against a metadata database', { timeout: 60_000 }, () => {
  let store: StoreDb;
  let restore: () => Promise<void>;
  const kick = taskContext({ dagId: 'kicker', runId: 'manual__2026-12-07T00:00:00.000Z', taskId: 'kick' });

  before(async () => {
    store = await openStoreDb('trigger_dag');
    restore = useMetadataDb(store.url);
    await seedRunningRun(store.db, dagSpec('kicker', ['kick'], [], { schedule: null }), kick.runId, kick.logicalDate);
    await upsertDag(store.db, dagSpec('target', ['work'], [], { schedule: null }), 'v1', 'target.ts');
  });
  after(async () => {
    await restore();
    await store.close();
  });

  it('creates a manual run recording the task that made it, and a later try finds that run again', async () => {
    const first = await triggerDag('target', { conf: { day: '2026-12-07' }, logicalDate: () => new Date('2026-12-01T00:00:00Z') })(kick);
    assert.deepEqual(first, { dagRunId: 'manual__2026-12-01T00:00:00.000Z' });
    const run = await getRun(store.db, 'target', first.dagRunId);
    assert.equal(run?.runType, 'manual');
    assert.deepEqual(run?.conf, { day: '2026-12-07' });
    assert.deepEqual(run?.triggeredBy, { dagId: 'kicker', runId: kick.runId, taskId: 'kick', mapIndex: -1 });
    // A retry: the same task instance, a later try. Another logical date would be another run:
    // the retry finds its run by what the first try recorded, not by guessing the date again.
    const retry = await triggerDag('target', { logicalDate: () => new Date() })({ ...kick, tryNumber: 2 });
    assert.deepEqual(retry, first);
    assert.equal((await runsTriggeredBy(store.db, 'kicker', kick.runId)).length, 1);
    // Another instance of a mapped task is another trigger.
    const mapped = await triggerDag('target')({ ...kick, mapIndex: 3 });
    assert.notEqual(mapped.dagRunId, first.dagRunId);
    assert.deepEqual((await getRun(store.db, 'target', mapped.dagRunId))?.triggeredBy?.mapIndex, 3);
  });

  it('triggers "now" from many task instances at once without colliding on a logical date', async () => {
    const instances = Array.from({ length: 20 }, (_, i) => ({ ...kick, taskId: 'fan_out', mapIndex: i }));
    const made = await Promise.all(instances.map((ctx) => triggerDag('target')(ctx)));
    assert.equal(new Set(made.map((m) => m.dagRunId)).size, 20);
    const recorded = await runsTriggeredBy(store.db, 'kicker', kick.runId);
    assert.deepEqual(recorded.filter((r) => r.triggeredBy!.taskId === 'fan_out').map((r) => r.triggeredBy!.mapIndex).sort((a, b) => a - b), [...Array(20).keys()]);
  });

  it('waits: reschedules while the run goes on, returns its state when it succeeded, fails when it failed', async () => {
    const ctx = { ...kick, taskId: 'kick_and_wait' };
    const wait = triggerDag('target', { waitForCompletion: true, pokeInterval: '2s' });
    await assert.rejects(wait(ctx), (error: Error) => {
      assert.ok(isRescheduleTask(error), `a RescheduleTask, not ${error.name}: ${error.message}`);
      assert.equal((error as unknown as { delayMs: number }).delayMs, 2_000);
      assert.match(error.message, /^run "manual__[^"]+" of DAG "target" is queued; looking again in 2s$/);
      return true;
    });
    const [run] = await runsTriggeredBy(store.db, 'kicker', kick.runId, { taskId: 'kick_and_wait', mapIndex: -1 });
    assert.ok(run);
    await store.db.query(`UPDATE dag_runs SET state = 'success' WHERE dag_id = 'target' AND run_id = $1`, [run.runId]);
    assert.deepEqual(await wait(ctx), { dagRunId: run.runId, state: 'success' });
    await store.db.query(`UPDATE dag_runs SET state = 'failed' WHERE dag_id = 'target' AND run_id = $1`, [run.runId]);
    await assert.rejects(wait(ctx), (error: Error) => isFailTask(error) && new RegExp(`run "${run.runId}" of DAG "target" ended failed, one of failedStates \\[failed\\]`).test(error.message));
    // Without failed among failedStates, a failed run is an outcome like another.
    assert.deepEqual(await triggerDag('target', { waitForCompletion: true, failedStates: [] })(ctx), { dagRunId: run.runId, state: 'failed' });
  });

  it('fails at once, naming the DAG and the fix, when the DAG does not exist or the logical date is taken', async () => {
    await assert.rejects(triggerDag('no_such_dag')(kick), (error: Error) => {
      assert.ok(isFailTask(error), 'no retry would make the DAG appear');
      assert.match(error.message, /^triggerDag\("no_such_dag"\) could not trigger DAG "no_such_dag": DAG "no_such_dag" not found.*; check the DAG id given to triggerDag\("no_such_dag"\)/);
      return true;
    });
    const taken = triggerDag('target', { logicalDate: () => new Date('2026-12-01T00:00:00Z') });
    await assert.rejects(taken({ ...kick, taskId: 'other' }), (error: Error) => isFailTask(error) && /already has a run with logical date 2026-12-01T00:00:00\.000Z; give triggerDag\("target"\) another logicalDate/.test(error.message));
  });
});

const TARGET = `
import { dag, param } from 'sluice';
const d = dag('target', { schedule: null, params: { n: param({ type: 'integer', default: 1, minimum: 1 }), fail: false } });
d.task('work', async (ctx) => {
  if (ctx.params.fail) throw new Error('told to fail');
  return ctx.params.n;
});
export default d;
`;

const KICKER = `
import { dag } from 'sluice';
import { triggerDag } from 'sluice/operators';
const d = dag('kicker', { schedule: null });
d.task('kick', triggerDag('target', { conf: { n: 5 } }));
// A try that fails after triggering: its retry must reuse the run, not make a second one.
const trigger = triggerDag('target', { conf: { n: 7 } });
d.task('flaky', { retries: 1, retryDelay: '100ms' }, async (ctx) => {
  const made = await trigger(ctx);
  if (ctx.tryNumber === 1) throw new Error('lost after triggering');
  return made;
});
d.task('bad_conf', { retries: 2 }, triggerDag('target', { conf: { n: 0 } }));
d.task('unknown', { retries: 2 }, triggerDag('targte'));
export default d;
`;

/** Runs until the test lets it finish (a flag file), then fails or succeeds as its conf says. */
const SLOW_TARGET = (flag: string) => `
import { existsSync } from 'node:fs';
import { dag } from 'sluice';
const d = dag('slow_target', { schedule: null, params: { fail: false } });
d.task('work', async (ctx) => {
  while (!existsSync(${JSON.stringify(flag)})) await new Promise((r) => setTimeout(r, 50));
  if (ctx.params.fail) throw new Error('told to fail');
  return 'worked';
});
export default d;
`;

const WAITER = `
import { dag } from 'sluice';
import { triggerDag } from 'sluice/operators';
const d = dag('waiter', { schedule: null });
d.task('wait_ok', { retries: 2 }, triggerDag('slow_target', { waitForCompletion: true, pokeInterval: '300ms' }));
d.task('wait_fail', { retries: 2 }, triggerDag('slow_target', { waitForCompletion: true, pokeInterval: '300ms', conf: { fail: true } }));
export default d;
`;

describe('triggerDag end to end', { timeout: 120_000 }, () => {
  const h = new Harness({ dags: { 'target.ts': TARGET, 'kicker.ts': KICKER } });
  const flag = `${h.dagsFolder}/slow_target.flag`;
  let base = '';
  let restore: () => Promise<void>;

  before(async () => {
    await h.setUp();
    restore = useMetadataDb(h.config.databaseUrl);
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('target');
    await h.writeDag('slow_target.ts', SLOW_TARGET(flag));
    await h.writeDag('waiter.ts', WAITER);
    await h.waitForDag('kicker');
    await h.waitForDag('slow_target');
    await h.waitForDag('waiter');
    base = `${(await h.startWebserver()).url}/api/v1`;
  });
  after(async () => {
    await h.tearDown();
    await restore();
  });

  it('triggers runs that record their trigger, reuses the run on a retry, and fails at once on a bad conf or an unknown DAG', async () => {
    const reply = await fetch(`${base}/dags/kicker/dagRuns`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const kicker = (await reply.json()) as DagRun;
    assert.equal(kicker.triggeredBy, null, 'a run someone asked for has no trigger');
    const ended = await h.waitForRunEnd('kicker', kicker.dagRunId, 60_000);
    assert.equal(ended.state, 'failed', 'bad_conf and unknown fail the run');
    const tis = await h.taskInstances('kicker', kicker.dagRunId);
    assert.deepEqual(
      Object.fromEntries(Object.entries(tis).map(([id, ti]) => [id, [ti.state, ti.tryNumber]])),
      { kick: ['success', 1], flaky: ['success', 2], bad_conf: ['failed', 1], unknown: ['failed', 1] },
    );
    assert.match(tis.bad_conf!.error ?? '', /triggerDag\("target"\) could not trigger DAG "target": conf\.n must be >= 1, got 0 .*; fix the conf given to triggerDag\("target"\)/);
    assert.match(tis.unknown!.error ?? '', /triggerDag\("targte"\) could not trigger DAG "targte": DAG "targte" not found/);

    // Each triggering task made one run; the runs ran with the conf given.
    const triggered = (await (await fetch(`${base}/dags/kicker/dagRuns/${encodeURIComponent(kicker.dagRunId)}/triggeredRuns`)).json()) as DagRunList;
    assert.equal(triggered.totalEntries, 2);
    const byTask = Object.fromEntries(triggered.dagRuns.map((r) => [r.triggeredBy!.taskId, r]));
    for (const [taskId, n] of [['kick', 5], ['flaky', 7]] as const) {
      const run = byTask[taskId]!;
      assert.deepEqual(run.triggeredBy, { dagId: 'kicker', dagRunId: kicker.dagRunId, taskId });
      assert.equal(run.runType, 'manual');
      assert.deepEqual((await readXcom(h.db, 'kicker', kicker.dagRunId, taskId)).value, { dagRunId: run.dagRunId });
      assert.equal((await h.waitForRunEnd('target', run.dagRunId, 30_000)).state, 'success');
      assert.equal((await readXcom(h.db, 'target', run.dagRunId, 'work')).value, n);
      const one = (await (await fetch(`${base}/dags/target/dagRuns/${encodeURIComponent(run.dagRunId)}`)).json()) as DagRun;
      assert.deepEqual(one.triggeredBy, run.triggeredBy);
    }
    // One task's, or one instance's, triggered runs; a map index alone names no instance.
    const ofTask = async (query: string) => fetch(`${base}/dags/kicker/dagRuns/${encodeURIComponent(kicker.dagRunId)}/triggeredRuns?${query}`);
    assert.deepEqual(((await (await ofTask('taskId=flaky')).json()) as DagRunList).dagRuns.map((r) => r.dagRunId), [byTask.flaky!.dagRunId]);
    assert.deepEqual(((await (await ofTask('taskId=kick&mapIndex=-1')).json()) as DagRunList).dagRuns.map((r) => r.dagRunId), [byTask.kick!.dagRunId]);
    assert.equal(((await (await ofTask('taskId=kick&mapIndex=0')).json()) as DagRunList).totalEntries, 0);
    const bad = await ofTask('mapIndex=0');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /mapIndex needs taskId/);

    // The CLI shows both sides of each link.
    const kickRun = byTask.kick!.dagRunId;
    const shown = await sluice(['runs', 'show', 'target', kickRun], h.childEnv());
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^triggered by kicker/${kicker.dagRunId.replace(/[.]/g, '\\.')}/kick$`, 'm'));
    const shownKicker = await sluice(['runs', 'show', 'kicker', kicker.dagRunId, '--json'], h.childEnv());
    const parsed = JSON.parse(shownKicker.stdout) as { triggeredBy: unknown; triggeredRuns: { dagId: string; dagRunId: string; taskId: string }[] };
    assert.equal(parsed.triggeredBy, null);
    assert.deepEqual(parsed.triggeredRuns.map((r) => [r.taskId, r.dagId, r.dagRunId]).sort(), [['flaky', 'target', byTask.flaky!.dagRunId], ['kick', 'target', kickRun]]);

    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    assert.ok(doc.components.schemas.DagRun!.properties.triggeredBy, 'the OpenAPI document describes triggeredBy');
  });

  it('waits for the run as a sensor in reschedule mode: up_for_reschedule between looks, the same try, failing without retries when the run fails', async () => {
    const waiter = await triggerDagRun(h.db, 'waiter', {});
    // While the triggered runs go on, each waiting task rests in up_for_reschedule: no worker slot held.
    await h.waitFor('both waiting tasks to be rescheduled', async () => {
      const states = await h.taskStates('waiter', waiter.runId);
      return states.wait_ok === 'up_for_reschedule' && states.wait_fail === 'up_for_reschedule';
    });
    const waited = await runsTriggeredBy(h.db, 'waiter', waiter.runId);
    assert.equal(waited.length, 2, 'one run each, however often they looked');
    assert.ok(waited.every((r) => r.state === 'queued' || r.state === 'running'), 'neither triggered run can finish before the flag');
    await writeFile(flag, '');
    const ended = await h.waitForRunEnd('waiter', waiter.runId, 60_000);
    assert.equal(ended.state, 'failed');
    const tis = await h.taskInstances('waiter', waiter.runId);
    assert.deepEqual([tis.wait_ok!.state, tis.wait_ok!.tryNumber], ['success', 1]);
    assert.deepEqual([tis.wait_fail!.state, tis.wait_fail!.tryNumber], ['failed', 1], 'a failed run fails the task without its retries');
    const byTask = Object.fromEntries(waited.map((r) => [r.triggeredBy!.taskId, r.runId]));
    assert.deepEqual((await readXcom(h.db, 'waiter', waiter.runId, 'wait_ok')).value, { dagRunId: byTask.wait_ok, state: 'success' });
    assert.match(tis.wait_fail!.error ?? '', new RegExp(`run "${byTask.wait_fail}" of DAG "slow_target" ended failed, one of failedStates \\[failed\\]`));
    assert.equal((await runsTriggeredBy(h.db, 'waiter', waiter.runId)).length, 2, 'no look after a reschedule triggered again');
  });
});
