import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../support/harness.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';

const DAG = `
import { dag } from 'sluice';
const d = dag('many_short', { maxActiveTasks: 3 });
for (let i = 0; i < 6; i++) d.task('t' + i, async () => { await new Promise((r) => setTimeout(r, 15)); });
export default d;
`;

describe('races between heartbeats, claims and completions', () => {
  // Heartbeats every 200ms, so many of them land while tries are being claimed and finished.
  const h = new Harness({ dags: { 'many.ts': DAG }, env: { SLUICE_TASK_HEARTBEAT_TIMEOUT: '1200ms' } });

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.startWorker({ concurrency: 16 });
    await h.waitForDag('many_short');
  });
  after(() => h.tearDown());

  test('many short runs: no try is ever taken away from a live worker', async () => {
    const failures: string[] = [];
    for (let i = 0; i < 30; i++) {
      const run = await triggerDagRun(h.db, 'many_short', { logicalDate: new Date(Date.UTC(2026, 0, 1 + i)) });
      if ((await h.waitForRunEnd('many_short', run.runId)).state !== 'success') {
        const tis = Object.values(await h.taskInstances('many_short', run.runId)).filter((t) => t.state !== 'success');
        failures.push(...tis.map((t) => `${run.runId} ${t.taskId}: ${t.state} ${t.error}`));
      }
    }
    assert.deepEqual(failures, []);
  });
});
