import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../support/harness.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { setPaused } from '../../src/store/dags.ts';
import { listRuns } from '../../src/store/runs.ts';

const DAY = 86_400_000;
const today = new Date(Math.floor(Date.now() / DAY) * DAY);
const daysAgo = (n: number) => new Date(today.getTime() - n * DAY);

const scheduled = (id: string, options: string) => `
import { dag } from 'sluice';
const d = dag('${id}', { schedule: '@daily', startDate: '${daysAgo(3).toISOString()}', ${options} });
const a = d.task('a', async (ctx) => ({ start: ctx.dataIntervalStart.toISOString(), end: ctx.dataIntervalEnd.toISOString() }));
a.then(d.task('b', async () => { await new Promise((r) => setTimeout(r, 50)); }));
export default d;
`;

describe('scheduling (cron, catchup, pause, maxActiveRuns, several schedulers)', () => {
  const h = new Harness({
    dags: {
      'catchup.ts': scheduled('catchup_on', 'catchup: true, maxActiveRuns: 1'),
      'nocatchup.ts': scheduled('catchup_off', 'catchup: false'),
      'paused.ts': scheduled('born_paused', 'catchup: true, isPausedUponCreation: true'),
    },
  });

  before(async () => {
    await h.setUp();
    // Two schedulers at once: neither may create a run twice or run a try twice.
    await h.startScheduler();
    await h.startScheduler();
    await h.startWorker();
  });
  after(() => h.tearDown());

  test('catchup creates a run for every missed interval, with Airflow data intervals, one at a time', async () => {
    await h.waitForDag('catchup_on');
    const runs = await h.waitFor('3 successful catchup runs', async () => {
      const { runs } = await listRuns(h.db, 'catchup_on', { state: 'success' });
      return runs.length === 3 ? runs : undefined;
    });
    assert.deepEqual(
      runs.map((r) => [r.runId, r.dataIntervalStart.toISOString(), r.dataIntervalEnd.toISOString()]).reverse(),
      [3, 2, 1].map((n) => [`scheduled__${daysAgo(n).toISOString()}`, daysAgo(n).toISOString(), daysAgo(n - 1).toISOString()]),
    );
    // maxActiveRuns 1: no two runs overlapped.
    const ordered = [...runs].sort((a, b) => a.startDate!.getTime() - b.startDate!.getTime());
    for (let i = 1; i < ordered.length; i++) {
      assert.ok(ordered[i]!.startDate!.getTime() >= ordered[i - 1]!.endDate!.getTime(), 'runs overlapped');
    }
    const { rows } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM task_tries WHERE dag_id = 'catchup_on'`,
    );
    assert.equal(rows[0]!.n, 6, 'every task ran exactly one try despite two schedulers');
    const { rows: ti } = await h.db.query<{ max: number }>(`SELECT max(try_number) AS max FROM task_instances WHERE dag_id = 'catchup_on'`);
    assert.equal(ti[0]!.max, 1);
  });

  test('without catchup only the latest complete interval runs', async () => {
    await h.waitForDag('catchup_off');
    const run = await h.waitFor('the one run', async () => (await listRuns(h.db, 'catchup_off')).runs[0]);
    await new Promise((r) => setTimeout(r, 500));
    const { runs } = await listRuns(h.db, 'catchup_off');
    assert.equal(runs.length, 1);
    assert.equal(run.logicalDate.toISOString(), daysAgo(1).toISOString());
  });

  test('a paused DAG gets no scheduled runs, but a manual run still runs; unpausing catches up', async () => {
    await h.waitForDag('born_paused');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await listRuns(h.db, 'born_paused')).total, 0);
    const manual = await triggerDagRun(h.db, 'born_paused', {});
    assert.equal((await h.waitForRunEnd('born_paused', manual.runId)).state, 'success');
    assert.equal((await listRuns(h.db, 'born_paused')).total, 1);
    await setPaused(h.db, 'born_paused', false);
    await h.waitFor('3 scheduled runs after unpausing', async () => {
      const { runs } = await listRuns(h.db, 'born_paused');
      return runs.filter((r) => r.runType === 'scheduled').length === 3;
    });
  });
});
