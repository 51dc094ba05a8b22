/**
 * Where a task becomes ready. Two steps, both inside the caller's transaction:
 *
 * 1. `resolveWaitingTasks`: a waiting task (`none`) whose trigger rule is decided becomes
 *    `scheduled` (may run), `skipped` or `upstream_failed`. The upstream counts it is judged on
 *    are kept by a database trigger, so this never scans upstream tasks. Skips and upstream
 *    failures cascade downstream in the same call.
 * 2. `admitScheduledTasks`: `scheduled` tasks take a slot (the DAG's maxActiveTasks, their pool's
 *    slots) in priority order and become `queued` with a new try number; the caller sends their
 *    messages after commit. Admission is serialised per DAG and per pool with advisory locks, so
 *    concurrent deciders (workers on the fast path, schedulers) never over-commit a limit. It is
 *    one SQL function (migration 002) because it runs after every try.
 *
 * Waiting rows are read without locking: in normal progress the counts only grow and every verdict
 * on them is final, and each state change is guarded by `state = 'none'`. A try's end updates its
 * downstream counts through the trigger, which row-locks them until commit, so of two upstream
 * tasks ending at once the second always sees the first.
 *
 * Workers call both as soon as a try ends (the fast path); the scheduler's sweep calls them for
 * every active run as a safety net.
 */
import { evaluateTriggerRule, type TriggerRule } from '../core/trigger-rules.ts';
import type { QueuedTry } from '../queue/jobs.ts';
import type { Queryable } from '../store/db.ts';

interface WaitingRow {
  task_id: string;
  trigger_rule: TriggerRule;
  downstream: string[];
  upstream_total: number;
  upstream_success: number;
  upstream_failed: number;
  upstream_upstream_failed: number;
  upstream_skipped: number;
}

export interface ResolveResult {
  scheduled: string[];
  skipped: string[];
  upstreamFailed: string[];
}

/** Judges the waiting tasks of one run (all of them, or only `taskIds` and what their outcome cascades to). */
export async function resolveWaitingTasks(
  tx: Queryable,
  dagId: string,
  runId: string,
  taskIds?: string[],
): Promise<ResolveResult> {
  const result: ResolveResult = { scheduled: [], skipped: [], upstreamFailed: [] };
  let only = taskIds;
  for (;;) {
    if (only && only.length === 0) break;
    const { rows } = await tx.query<WaitingRow>(
      `SELECT task_id, trigger_rule, downstream, upstream_total, upstream_success, upstream_failed,
         upstream_upstream_failed, upstream_skipped
       FROM task_instances
       WHERE dag_id = $1 AND run_id = $2 AND state = 'none' ${only ? 'AND task_id = ANY ($3::text[])' : ''}
       ORDER BY task_id`,
      only ? [dagId, runId, only] : [dagId, runId],
    );
    const decided = { run: [] as string[], skip: [] as string[], upstream_failed: [] as string[] };
    const cascade: string[] = [];
    for (const row of rows) {
      const decision = evaluateTriggerRule(row.trigger_rule, {
        total: row.upstream_total,
        success: row.upstream_success,
        failed: row.upstream_failed,
        upstreamFailed: row.upstream_upstream_failed,
        skipped: row.upstream_skipped,
      });
      if (decision === 'wait') continue;
      decided[decision].push(row.task_id);
      if (decision !== 'run') cascade.push(...row.downstream);
    }
    if (decided.run.length) {
      await setWaitingState(tx, dagId, runId, decided.run, 'scheduled');
      result.scheduled.push(...decided.run);
    }
    if (decided.skip.length) {
      await setWaitingState(tx, dagId, runId, decided.skip, 'skipped');
      result.skipped.push(...decided.skip);
    }
    if (decided.upstream_failed.length) {
      await setWaitingState(tx, dagId, runId, decided.upstream_failed, 'upstream_failed');
      result.upstreamFailed.push(...decided.upstream_failed);
    }
    // A full pass already saw every waiting task; only a cascade can have changed a verdict.
    if (cascade.length === 0) break;
    only = [...new Set(cascade)];
  }
  return result;
}

async function setWaitingState(
  tx: Queryable,
  dagId: string,
  runId: string,
  taskIds: string[],
  state: 'scheduled' | 'skipped' | 'upstream_failed',
): Promise<void> {
  const ends = state === 'scheduled' ? '' : ', start_date = clock_timestamp(), end_date = clock_timestamp(), duration_ms = 0';
  await tx.query(
    `UPDATE task_instances SET state = $4 ${ends}
     WHERE dag_id = $1 AND run_id = $2 AND task_id = ANY ($3::text[]) AND state = 'none'`,
    [dagId, runId, taskIds, state],
  );
}

/**
 * Gives free slots to this DAG's scheduled tasks; returns the tries to send once committed.
 * The decision is `sluice_admit_scheduled` (migration 002): one round trip on the fast path.
 */
export async function admitScheduledTasks(tx: Queryable, dagId: string): Promise<QueuedTry[]> {
  const { rows } = await tx.query<{ run_id: string; task_id: string; try_number: number; pool: string; priority_weight: number }>(
    'SELECT * FROM sluice_admit_scheduled($1)',
    [dagId],
  );
  return rows.map((r) => ({
    dagId,
    runId: r.run_id,
    taskId: r.task_id,
    tryNumber: r.try_number,
    pool: r.pool,
    priorityWeight: r.priority_weight,
  }));
}
