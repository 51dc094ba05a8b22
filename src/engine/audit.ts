/**
 * The audit log from the engine's side: an action that changes something takes the actor (who
 * asked: a token's user, `anonymous`, or `cli:<os user>`) and writes its entry with recordAudit
 * (store/audit-log.ts) inside the transaction of the change. That way a change is never without
 * its entry (the two commit together) and an entry never without its change (a change that fails
 * or rolls back takes its entry with it). An action Sluice takes itself has no actor and no entry.
 */
import { recordAudit, type Actor, type AuditAction } from '../store/audit-log.ts';
import { withTransaction, type Db, type Queryable } from '../store/db.ts';

export type { Actor, AuditAction } from '../store/audit-log.ts';

/**
 * For a change that is one call saying whether it changed anything (a pool, a connection, a
 * variable set or deleted): runs it and, if it did and someone asked, its entry, in one transaction.
 */
export async function auditedChange(
  db: Db,
  actor: Actor | undefined,
  entry: { action: AuditAction; dagId?: string; details: Record<string, unknown> },
  change: (tx: Queryable) => Promise<boolean>,
): Promise<boolean> {
  if (!actor) return change(db);
  return withTransaction(db, async (tx) => {
    const changed = await change(tx);
    if (changed) await recordAudit(tx, actor, entry);
    return changed;
  });
}
