/**
 * The scheduler's LISTEN connection comes back after Postgres drops it, so manual runs still
 * start through NOTIFY. The scheduler loop is set to 10 minutes here: within the test, only a
 * notification can make the scheduler start a run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { LISTEN_APPLICATION_NAME } from '../../src/engine/notify-listener.ts';
import { Scheduler } from '../../src/engine/scheduler.ts';
import { getRun } from '../../src/store/runs.ts';
import { Harness } from '../support/harness.ts';

const DAG = `
import { dag } from 'sluice';
const d = dag('listen_probe', {});
d.task('only', async () => 1);
export default d;
`;

interface LogLine {
  level: number;
  msg: string;
}

describe('the scheduler LISTEN connection', () => {
  const h = new Harness({ dags: { 'probe.ts': DAG }, env: { SLUICE_SCHEDULER_LOOP_INTERVAL: '10m' } });
  const logLines: LogLine[] = [];
  let scheduler: Scheduler;
  let runs = 0;

  before(async () => {
    await h.setUp();
    const log = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(JSON.parse(line) as LogLine) });
    scheduler = new Scheduler(h.config, log);
    await scheduler.start();
    await h.waitForDag('listen_probe');
  });
  after(async () => {
    await scheduler.stop();
    await h.tearDown();
  });

  /** The backends of this test's database whose last statement was a LISTEN. */
  async function listenBackends(): Promise<{ pid: number; application_name: string }[]> {
    const { rows } = await h.db.query<{ pid: number; application_name: string }>(
      `SELECT pid, application_name FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
    );
    return rows;
  }

  /** Triggers a manual run and waits until the scheduler has started it (no worker runs it). */
  async function triggerAndWaitForStart(): Promise<void> {
    const run = await triggerDagRun(h.db, 'listen_probe', { logicalDate: new Date(Date.UTC(2026, 0, 1, 0, ++runs)) });
    await h.waitFor(`run ${run.runId} to be started through NOTIFY`, async () => (await getRun(h.db, 'listen_probe', run.runId))?.state === 'running');
  }

  test('after pg_terminate_backend, the scheduler LISTENs again and runs start through NOTIFY', async () => {
    const [first] = await h.waitFor('the LISTEN connection', async () => {
      const found = await listenBackends();
      return found.length === 1 && found;
    });
    assert.equal(first!.application_name, LISTEN_APPLICATION_NAME);
    await triggerAndWaitForStart();

    await h.db.query('SELECT pg_terminate_backend($1)', [first!.pid]);
    const [second] = await h.waitFor('a new LISTEN connection', async () => {
      const found = await listenBackends();
      return found.length === 1 && found[0]!.pid !== first!.pid && found;
    });
    assert.equal(second!.application_name, LISTEN_APPLICATION_NAME);
    // Listening again wakes the scheduler once (to catch up); the second run can only start through a notification.
    await triggerAndWaitForStart();
    await triggerAndWaitForStart();

    const warned = logLines.find((l) => /lost the LISTEN connection/.test(l.msg));
    const relistened = logLines.find((l) => /listening to PostgreSQL notifications again/.test(l.msg));
    assert.equal(warned?.level, 40, 'a warning when the connection is lost');
    assert.equal(relistened?.level, 30, 'an info line when listening again');
  });
});
