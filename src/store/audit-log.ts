/**
 * The audit log (README, "Audit log"): one row per change someone made through the API, the UI or
 * the CLI. The engine's actions write it with recordAudit inside the transaction of the change, so
 * a change is never without its entry and an entry never without its change (a rolled-back change
 * takes its entry with it). Changes Sluice makes itself (the scheduler, a task's triggerDag) are
 * not in it: they have no actor.
 */
import type { AuditAction } from '../core/audit-actions.ts';
import type { Queryable } from './db.ts';

export type { AuditAction } from '../core/audit-actions.ts';

/** Who asked for a change: a token's user name, `anonymous`, or `cli:<os user>`. */
export type Actor = string;

/** What one change records besides its actor and time; `details` is what a reader needs to know of it. */
export interface AuditChange {
  action: AuditAction;
  dagId?: string | null;
  dagRunId?: string | null;
  taskId?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  id: number;
  when: Date;
  actor: Actor;
  action: string;
  dagId: string | null;
  dagRunId: string | null;
  taskId: string | null;
  details: Record<string, unknown>;
}

/** One INSERT, in the caller's transaction (the one making the change). */
export async function recordAudit(tx: Queryable, actor: Actor, change: AuditChange): Promise<void> {
  await tx.query('INSERT INTO audit_log (actor, action, dag_id, dag_run_id, task_id, details) VALUES ($1, $2, $3, $4, $5, $6)', [
    actor,
    change.action,
    change.dagId ?? null,
    change.dagRunId ?? null,
    change.taskId ?? null,
    JSON.stringify(change.details ?? {}),
  ]);
}

export interface AuditFilter {
  dagId?: string;
  action?: string;
  limit: number;
  offset: number;
}

/** A page of entries, newest first, with how many match the filter in all. */
export async function listAuditLog(db: Queryable, filter: AuditFilter): Promise<{ entries: AuditEntry[]; total: number }> {
  const where = `($1::text IS NULL OR dag_id = $1) AND ($2::text IS NULL OR action = $2)`;
  const params = [filter.dagId ?? null, filter.action ?? null];
  const [page, count] = await Promise.all([
    db.query<AuditEntry>(
      `SELECT id, at AS "when", actor, action, dag_id AS "dagId", dag_run_id AS "dagRunId", task_id AS "taskId", details
       FROM audit_log WHERE ${where} ORDER BY id DESC LIMIT $3 OFFSET $4`,
      [...params, filter.limit, filter.offset],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE ${where}`, params),
  ]);
  return { entries: page.rows, total: count.rows[0]?.n ?? 0 };
}
