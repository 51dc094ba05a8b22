/**
 * The rules the database applies in SQL are the rules of src/core: the upstream counts the
 * ti_upstream_counts trigger keeps are countUpstreamStates of the upstream states, and
 * sluice_finalize_run ends a run as runOutcome says. Checked over many state combinations.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TASK_STATES, runOutcome, type TaskState } from '../../../../src/core/states.ts';
import { countUpstreamStates } from '../../../../src/core/trigger-rules.ts';
import { finalizeRun } from '../../../../src/store/runs.ts';
import { dagSpec } from '../../../support/specs.ts';
import { openStoreDb, seedRunningRun, type StoreDb } from '../../../support/store-db.ts';

let store: StoreDb;
before(async () => {
  store = await openStoreDb('rules');
});
after(async () => store.close());

async function setState(dagId: string, taskId: string, state: TaskState): Promise<void> {
  await store.db.query('UPDATE task_instances SET state = $3 WHERE dag_id = $1 AND task_id = $2', [dagId, taskId, state]);
}

describe('the SQL rules match src/core', () => {
  test('the trigger keeps the counts countUpstreamStates gives, through any sequence of state changes', async () => {
    const ups = ['u1', 'u2', 'u3', 'u4'];
    const spec = dagSpec('fan_in', [...ups, 'down'], ups.map((u) => [u, 'down'] as [string, string]));
    await seedRunningRun(store.db, spec);
    const states = new Map<string, TaskState>(ups.map((u) => [u, 'none']));
    // Every upstream passes through every state, in a different order each, so every pair of
    // (old, new) states is a change of some upstream, including back to unfinished states (a clear).
    for (let step = 0; step < TASK_STATES.length * ups.length * 2; step++) {
      const u = ups[step % ups.length]!;
      const state = TASK_STATES[(step * (ups.indexOf(u) + 2) + 1) % TASK_STATES.length]!;
      await setState('fan_in', u, state);
      states.set(u, state);
      const { rows } = await store.db.query<{ total: number; success: number; failed: number; upstreamFailed: number; skipped: number }>(
        `SELECT upstream_total AS total, upstream_success AS success, upstream_failed AS failed,
           upstream_upstream_failed AS "upstreamFailed", upstream_skipped AS skipped
         FROM task_instances WHERE dag_id = 'fan_in' AND task_id = 'down'`,
      );
      assert.deepEqual(rows[0], countUpstreamStates(states.values()), `after ${u} → ${state}: ${[...states.values()].join(', ')}`);
    }
  });

  test('sluice_finalize_run ends a run exactly when runOutcome does, with the same state', async () => {
    // inner → leaf1, inner → leaf2: every combination of the three tasks' states.
    let n = 0;
    for (const inner of TASK_STATES) {
      for (const leaf1 of TASK_STATES) {
        for (const leaf2 of ['success', 'failed', 'skipped', 'running'] as const) {
          const dagId = `end${++n}`;
          const { runId } = await seedRunningRun(store.db, dagSpec(dagId, ['inner', 'leaf1', 'leaf2'], [['inner', 'leaf1'], ['inner', 'leaf2']]));
          await setState(dagId, 'inner', inner);
          await setState(dagId, 'leaf1', leaf1);
          await setState(dagId, 'leaf2', leaf2);
          const expected = runOutcome([
            { state: inner, isLeaf: false },
            { state: leaf1, isLeaf: true },
            { state: leaf2, isLeaf: true },
          ]);
          assert.equal(await finalizeRun(store.db, dagId, runId), expected, `${inner}, ${leaf1}, ${leaf2}`);
        }
      }
    }
  });
});
