/**
 * The run state machine as the store performs it: every transition, driven on a real database
 * from every run state, moves only along its declared edges (each one in ALLOWED_TRANSITIONS)
 * and leaves a run in a state it may not leave exactly as it was.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ALLOWED_TRANSITIONS, DAG_RUN_STATES, isAllowedTransition, type DagRunState } from '../../../src/core/states.ts';
import type { Db } from '../../../src/store/db.ts';
import {
  RUN_TRANSITIONS,
  failCancelledBackfillRuns,
  finalizeRun,
  joinBackfill,
  requeueRun,
  resumeRun,
  runsWithNothingUnfinished,
  startRuns,
  timeoutRun,
  markRun,
} from '../../../src/store/runs.ts';
import { dagSpec } from '../../support/specs.ts';
import { openStoreDb, seedRunningRun, type StoreDb } from '../../support/store-db.ts';

type Name = keyof typeof RUN_TRANSITIONS;
type RunKey = { dagId: string; runId: string };

async function newBackfill(db: Db, dagId: string): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO backfills (dag_id, from_date, to_date, reprocess_behavior, max_active_runs) VALUES ($1, now(), now(), 'none', 1) RETURNING id`,
    [dagId],
  );
  return rows[0]!.id;
}

const DRIVERS: Record<Name, { prepare?: (db: Db, run: RunKey) => Promise<void>; run: (db: Db, run: RunKey) => Promise<unknown> }> = {
  startRuns: { run: (db, r) => startRuns(db, [r.dagId]) },
  finalizeRun: {
    prepare: async (db, r) => {
      await db.query(`UPDATE task_instances SET state = 'success' WHERE dag_id = $1`, [r.dagId]);
    },
    run: (db, r) => finalizeRun(db, r.dagId, r.runId),
  },
  timeoutRun: { run: (db, r) => timeoutRun(db, r.dagId, r.runId) },
  markRunSuccess: { run: (db, r) => markRun(db, r.dagId, r.runId, 'success') },
  markRunFailed: { run: (db, r) => markRun(db, r.dagId, r.runId, 'failed') },
  requeueRun: { run: (db, r) => requeueRun(db, r.dagId, r.runId) },
  resumeRun: { run: (db, r) => resumeRun(db, r.dagId, r.runId) },
  joinBackfill: { run: async (db, r) => joinBackfill(db, r.dagId, r.runId, await newBackfill(db, r.dagId), { from: 'backfill' }) },
  failCancelledBackfillRuns: {
    prepare: async (db, r) => {
      await db.query('UPDATE dag_runs SET backfill_id = $2 WHERE dag_id = $1', [r.dagId, await newBackfill(db, r.dagId)]);
    },
    run: async (db, r) => {
      const { rows } = await db.query<{ backfill_id: number }>('SELECT backfill_id FROM dag_runs WHERE dag_id = $1', [r.dagId]);
      return failCancelledBackfillRuns(db, rows[0]!.backfill_id);
    },
  },
};

async function runRow(db: Db, r: RunKey): Promise<Record<string, unknown>> {
  const { rows } = await db.query('SELECT * FROM dag_runs WHERE dag_id = $1 AND run_id = $2', [r.dagId, r.runId]);
  return rows[0]!;
}

let store: StoreDb;
let dags = 0;

before(async () => {
  store = await openStoreDb('runs');
});
after(async () => store.close());

describe('run transitions', () => {
  test('every edge the store declares is in ALLOWED_TRANSITIONS, and every allowed edge is taken', () => {
    const declared = new Set<string>();
    for (const [name, t] of Object.entries(RUN_TRANSITIONS)) {
      for (const from of t.from) {
        for (const to of t.to) {
          assert.ok(isAllowedTransition('run', from, to), `${name}: ${from} → ${to} is not in ALLOWED_TRANSITIONS`);
          declared.add(`${from}→${to}`);
        }
      }
    }
    for (const [from, tos] of Object.entries(ALLOWED_TRANSITIONS.run)) {
      for (const to of tos) assert.ok(declared.has(`${from}→${to}`), `${from} → ${to} is allowed but nothing takes it`);
    }
  });

  for (const name of Object.keys(DRIVERS) as Name[]) {
    const declared = RUN_TRANSITIONS[name];
    test(`${name}: from every state, only its declared edges; a state it may not leave is left unchanged`, async () => {
      for (const from of DAG_RUN_STATES) {
        const run = await seedRunningRun(store.db, dagSpec(`run${++dags}`, ['t'], [], { dagrunTimeoutMs: 1 }));
        await store.db.query('UPDATE dag_runs SET state = $3 WHERE dag_id = $1 AND run_id = $2', [run.dagId, run.runId, from]);
        await DRIVERS[name].prepare?.(store.db, run);
        const before = await runRow(store.db, run);
        await DRIVERS[name].run(store.db, run);
        const afterRow = await runRow(store.db, run);
        const to = afterRow.state as DagRunState;
        const where = `${name} from ${from}`;
        if (!(declared.from as readonly DagRunState[]).includes(from)) {
          assert.deepEqual(afterRow, before, `${where}: the guard leaves the run unchanged`);
          continue;
        }
        assert.ok((declared.to as readonly DagRunState[]).includes(to), `${where}: went to ${to}, not one of ${declared.to.join(', ')}`);
        assert.ok(isAllowedTransition('run', from, to), `${where} → ${to}`);
      }
    });
  }
});

describe('runs the sweep must end', () => {
  test('runsWithNothingUnfinished lists running runs whose task instances are all finished, and no other run', async () => {
    const done = await seedRunningRun(store.db, dagSpec(`sweep${++dags}`, ['a', 'b'], [['a', 'b']]));
    await store.db.query(`UPDATE task_instances SET state = 'success' WHERE dag_id = $1`, [done.dagId]);
    const going = await seedRunningRun(store.db, dagSpec(`sweep${++dags}`, ['a', 'b'], [['a', 'b']]));
    await store.db.query(`UPDATE task_instances SET state = 'success' WHERE dag_id = $1 AND task_id = 'a'`, [going.dagId]);
    const queued = await seedRunningRun(store.db, dagSpec(`sweep${++dags}`, ['a']));
    await store.db.query(`UPDATE task_instances SET state = 'skipped' WHERE dag_id = $1`, [queued.dagId]);
    await store.db.query(`UPDATE dag_runs SET state = 'queued' WHERE dag_id = $1`, [queued.dagId]);
    const listed = (await runsWithNothingUnfinished(store.db)).filter((r) => r.dagId.startsWith('sweep'));
    assert.deepEqual(listed, [done]);
  });
});

describe('starting runs', () => {
  /** A DAG with `queued` runs waiting (a day apart, oldest first) and `running` ones going. */
  async function dagWithRuns(maxActiveRuns: number, queued: number, running = 0) {
    const spec = dagSpec(`start${++dags}`, ['a'], [], { maxActiveRuns });
    const ids: string[] = [];
    for (let i = 0; i < queued + running; i++) {
      const run = await seedRunningRun(store.db, spec, `manual__${i}`, new Date(Date.UTC(2026, 0, 1 + i)));
      if (i >= running) await store.db.query(`UPDATE dag_runs SET state = 'queued' WHERE dag_id = $1 AND run_id = $2`, [run.dagId, run.runId]);
      ids.push(run.runId);
    }
    return { dagId: spec.dagId, ids };
  }

  test('startRuns starts the queued runs of several DAGs in one call, each within its own maxActiveRuns, oldest first', async () => {
    const two = await dagWithRuns(2, 3);
    const full = await dagWithRuns(1, 2, 1);
    const one = await dagWithRuns(5, 1);
    const started = await startRuns(store.db, [one.dagId, two.dagId, full.dagId, two.dagId, 'no_such_dag']);
    assert.deepEqual(
      started.map((r) => `${r.dagId}/${r.runId}`).sort(),
      [`${one.dagId}/manual__0`, `${two.dagId}/manual__0`, `${two.dagId}/manual__1`].sort(),
    );
    assert.deepEqual(await startRuns(store.db, [one.dagId, two.dagId, full.dagId]), [], 'every DAG is at its limit or has nothing queued');
  });

  test("startRuns leaves a paused DAG's scheduled runs queued and starts its manual ones", async () => {
    const paused = await dagWithRuns(5, 2);
    await store.db.query('UPDATE dags SET is_paused = true WHERE dag_id = $1', [paused.dagId]);
    await store.db.query(`UPDATE dag_runs SET run_type = 'scheduled' WHERE dag_id = $1 AND run_id = 'manual__0'`, [paused.dagId]);
    assert.deepEqual(await startRuns(store.db, [paused.dagId]), [{ dagId: paused.dagId, runId: 'manual__1' }]);
  });
});
