/**
 * The fast path's admission across DAGs: a slot that a finished try frees in a shared pool goes to
 * another DAG's scheduled task at once (sluice_admit_pool), not at the scheduler's next loop.
 * The scheduler is stopped before the completion, so only the completion can have admitted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../../support/harness.ts';
import { triggerDagRun } from '../../../src/engine/actions.ts';
import { completeTries, type CompletedTry } from '../../../src/engine/complete-try.ts';
import { requireVersion } from '../../../src/engine/run-lifecycle.ts';
import { setPool } from '../../../src/store/pools.ts';
import { claimTries, type TryKey } from '../../../src/store/task-instances.ts';

const single = (dagId: string, options: string, tasks: string[]) => `
import { dag } from 'sluice';
const d = dag('${dagId}', { ${options} });
for (const id of ${JSON.stringify(tasks)}) d.task(id, { pool: 'shared' }, async () => id);
export default d;
`;

describe("a finished try's slot in a shared pool", () => {
  const h = new Harness({
    dags: {
      'first.ts': single('first', '', ['a']),
      'second.ts': single('second', '', ['b']),
      'capped.ts': single('capped', 'maxActiveTasks: 1', ['c1', 'c2']),
    },
    env: { SLUICE_TASK_HEARTBEAT_TIMEOUT: '10m' },
  });

  before(async () => {
    await h.setUp();
    await setPool(h.db, 'shared', 1, 'one slot for three DAGs');
  });
  after(() => h.tearDown());

  async function finish(dagId: string, runId: string, taskId: string): Promise<void> {
    const key: TryKey = { dagId, runId, taskId, mapIndex: -1, tryNumber: 1 };
    const claimed = await claimTries(h.db, [key], 'test-worker', 'test-host');
    assert.equal(claimed.size, 1, `${dagId}.${taskId} claimed`);
    const spec = await requireVersion(h.db, dagId, [...claimed.values()][0]!.versionHash);
    const done: CompletedTry = { key, maxTries: 1, task: spec.tasks.find((t) => t.taskId === taskId)!, result: { kind: 'success' } };
    const [result] = await completeTries(h.services, [done]);
    assert.equal(result!.outcome?.state, 'success');
  }

  test("goes to another DAG's scheduled task by the completion itself, within that DAG's maxActiveTasks", async () => {
    const scheduler = await h.startScheduler();
    for (const id of ['first', 'second', 'capped']) await h.waitForDag(id);
    const first = await triggerDagRun(h.db, 'first', {});
    await h.waitFor('first.a queued', async () => (await h.taskStates('first', first.runId)).a === 'queued');
    const second = await triggerDagRun(h.db, 'second', {});
    const capped = await triggerDagRun(h.db, 'capped', {});
    await h.waitFor('the other DAGs waiting for the slot', async () => {
      const states = { ...(await h.taskStates('second', second.runId)), ...(await h.taskStates('capped', capped.runId)) };
      return Object.values(states).every((s) => s === 'scheduled');
    });
    await scheduler.stop();

    await finish('first', first.runId, 'a');
    // One slot: exactly one of the waiting tasks took it (second.b, whose run is older).
    assert.equal((await h.taskStates('second', second.runId)).b, 'queued');
    assert.deepEqual(await h.taskStates('capped', capped.runId), { c1: 'scheduled', c2: 'scheduled' });

    await setPool(h.db, 'shared', 3, 'room for both of capped');
    await finish('second', second.runId, 'b');
    // Room in the pool for both, but capped runs one task at a time.
    const states = Object.values(await h.taskStates('capped', capped.runId)).sort();
    assert.deepEqual(states, ['queued', 'scheduled']);
  });
});
