/**
 * Backfills' own rows: created, completed once none of their runs is left to go, cancelled.
 * A backfill is in progress until `completed_at` is set or `is_cancelled`; each change is one
 * statement guarded by that, so a completed backfill is never cancelled and the reverse.
 * (Its runs' and task instances' transitions are in runs.ts and task-instances.ts.)
 */
import { ACTIVE_RUN_STATES, sqlList } from '../core/states.ts';
import type { Queryable } from './db.ts';
import { failCancelledBackfillRuns } from './runs.ts';
import { skipForCancelledBackfill } from './task-instances.ts';

export interface NewBackfill {
  dagId: string;
  fromDate: Date;
  toDate: Date;
  reprocessBehavior: string;
  maxActiveRuns: number;
  runBackwards: boolean;
  dagRunConf: Record<string, unknown>;
}

/** The id of the DAG's backfill in progress, if it has one. */
export async function backfillInProgress(db: Queryable, dagId: string): Promise<number | undefined> {
  const { rows } = await db.query<{ id: number }>(
    'SELECT id FROM backfills WHERE dag_id = $1 AND completed_at IS NULL AND NOT is_cancelled',
    [dagId],
  );
  return rows[0]?.id;
}

export async function insertBackfill(db: Queryable, b: NewBackfill): Promise<{ id: number; createdAt: Date }> {
  const { rows } = await db.query<{ id: number; created_at: Date }>(
    `INSERT INTO backfills (dag_id, from_date, to_date, reprocess_behavior, max_active_runs, run_backwards, dag_run_conf)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, created_at`,
    [b.dagId, b.fromDate, b.toDate, b.reprocessBehavior, b.maxActiveRuns, b.runBackwards, JSON.stringify(b.dagRunConf)],
  );
  return { id: rows[0]!.id, createdAt: rows[0]!.created_at };
}

/** In progress → completed for one backfill (one that made no runs). */
export async function completeBackfill(db: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE backfills SET completed_at = clock_timestamp() WHERE id = $1 AND completed_at IS NULL AND NOT is_cancelled',
    [id],
  );
  return rowCount === 1;
}

/** In progress → completed for every backfill none of whose runs is queued or running. */
export async function completeFinishedBackfills(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE backfills b SET completed_at = clock_timestamp()
     WHERE completed_at IS NULL AND NOT EXISTS (
       SELECT 1 FROM dag_runs r WHERE r.backfill_id = b.id AND r.state IN (${sqlList(ACTIVE_RUN_STATES)}))`,
  );
  return rowCount ?? 0;
}

/**
 * Cancels a backfill not completed yet: its runs not started are failed and their tasks skipped;
 * the ones already going carry on. Inside the caller's transaction. Returns false (and changes
 * nothing) for a completed backfill.
 */
export async function cancelBackfill(tx: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await tx.query('UPDATE backfills SET is_cancelled = true WHERE id = $1 AND completed_at IS NULL', [id]);
  if (!rowCount) return false;
  await skipForCancelledBackfill(tx, id);
  await failCancelledBackfillRuns(tx, id);
  return true;
}
