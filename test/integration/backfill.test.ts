import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../support/harness.ts';
import { cancelBackfill, createBackfill, getBackfill, type BackfillRequest } from '../../src/engine/backfill.ts';
import { listRuns } from '../../src/store/runs.ts';
import { clearTaskInstances } from '../../src/engine/actions.ts';

const DAG = `
import { dag } from 'sluice';
const d = dag('bf', { schedule: '@daily', startDate: '2026-01-01T00:00:00Z', catchup: false, isPausedUponCreation: true });
d.task('extract', async (ctx) => {
  if (ctx.params.failOn === ctx.logicalDate.toISOString()) throw new Error('bad day');
  await new Promise((r) => setTimeout(r, 30));
  return ctx.dataIntervalStart.toISOString();
}).then(d.task('load', async () => 1));
export default d;
`;

const day = (n: number) => new Date(Date.UTC(2026, 0, n));

describe('backfills (Airflow 3 semantics)', () => {
  const h = new Harness({ dags: { 'bf.ts': DAG } });
  const request = (over: Partial<BackfillRequest>): BackfillRequest => ({
    dagId: 'bf',
    fromDate: day(1),
    toDate: day(5),
    reprocessBehavior: 'none',
    maxActiveRuns: 2,
    runBackwards: false,
    dryRun: false,
    ...over,
  });
  const waitDone = (id: number) =>
    h.waitFor(`backfill ${id} to complete`, async () => (await getBackfill(h.db, id))?.completedAt);

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('bf');
  });
  after(() => h.tearDown());

  test('a dry run lists the intervals whose start lies in [from, to] and creates nothing', async () => {
    const plan = await createBackfill(h.db, request({ dryRun: true }));
    assert.deepEqual(plan.intervals!.map((i) => [i.logicalDate.toISOString(), i.dataIntervalEnd.toISOString(), i.plan]),
      [1, 2, 3, 4, 5].map((n) => [day(n).toISOString(), day(n + 1).toISOString(), 'create']));
    assert.equal((await listRuns(h.db, 'bf')).total, 0);
  });

  test('runs every interval of a paused DAG, at most maxActiveRuns at once, and respects reprocess behaviours', async () => {
    const first = await createBackfill(h.db, request({ dagRunConf: { failOn: day(3).toISOString() } }));
    assert.equal(first.dagRunIds.length, 5);
    assert.ok(first.dagRunIds.every((id) => id.startsWith('backfill__')));
    await waitDone(first.id!);
    const { runs } = await listRuns(h.db, 'bf');
    assert.deepEqual(runs.map((r) => r.state).sort(), ['failed', 'success', 'success', 'success', 'success']);
    // Never more than 2 running at once.
    const events = runs.flatMap((r) => [[r.startDate!.getTime(), 1], [r.endDate!.getTime(), -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let active = 0;
    for (const [, delta] of events) {
      active += delta;
      assert.ok(active <= 2, 'more than maxActiveRuns runs at once');
    }
    // none: nothing to do for dates that have runs; one new date at the end.
    const none = await createBackfill(h.db, request({ toDate: day(6) }));
    assert.equal(none.dagRunIds.length, 1);
    await waitDone(none.id!);
    // failed: only the failed date runs again, as the same run.
    const failed = await createBackfill(h.db, request({ reprocessBehavior: 'failed' }));
    assert.deepEqual(failed.dagRunIds, [`backfill__${day(3).toISOString()}`]);
    await waitDone(failed.id!);
    assert.equal((await listRuns(h.db, 'bf', { state: 'failed' })).total, 0);
    // completed: all of them again.
    const completed = await createBackfill(h.db, request({ reprocessBehavior: 'completed', runBackwards: true, maxActiveRuns: 1 }));
    assert.equal(completed.dagRunIds.length, 5);
    await waitDone(completed.id!);
    const again = (await listRuns(h.db, 'bf')).runs.filter((r) => r.backfillId === completed.id);
    const byStart = [...again].sort((a, b) => a.startDate!.getTime() - b.startDate!.getTime());
    assert.deepEqual(byStart.map((r) => r.logicalDate.getTime()), [5, 4, 3, 2, 1].map((n) => day(n).getTime()), 'backwards order');
    assert.equal((await listRuns(h.db, 'bf')).total, 6, 'at most one run per logical date');
    // A run of a finished backfill, cleared by hand, runs again (it is no longer the backfill's to start).
    const done = again[0]!;
    const triesBefore = (await h.taskInstances('bf', done.runId)).load!.tryNumber;
    await clearTaskInstances(h.services, 'bf', done.runId, { taskIds: ['load'] });
    await h.waitFor('the cleared backfill run to run again', async () => {
      const run = (await listRuns(h.db, 'bf')).runs.find((r) => r.runId === done.runId);
      return run?.state === 'success' && (await h.taskInstances('bf', done.runId)).load!.tryNumber === triesBefore + 1;
    });
  });

  test('a second backfill while one is going is refused; cancel fails the runs not yet started', async () => {
    const big = await createBackfill(h.db, request({ fromDate: day(10), toDate: day(30), maxActiveRuns: 1 }));
    await assert.rejects(createBackfill(h.db, request({ fromDate: day(40), toDate: day(41) })), /already has backfill/);
    const cancelled = await cancelBackfill(h.db, big.id!);
    assert.equal(cancelled.isCancelled, true);
    await waitDone(big.id!);
    const runs = (await listRuns(h.db, 'bf', { limit: 100 })).runs.filter((r) => r.backfillId === big.id);
    assert.ok(runs.filter((r) => r.state === 'failed').length >= 19);
  });
});
