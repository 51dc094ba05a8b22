/** Pausing and unpausing a DAG by hand (API, UI, CLI): the change and its audit entry, together. */
import { recordAudit, type Actor } from '../store/audit-log.ts';
import { setPaused, type DagRecord } from '../store/dags.ts';
import { withTransaction, type Db } from '../store/db.ts';

/**
 * Pauses or unpauses a DAG; undefined when there is no such DAG (each caller says so in its own
 * words). The audit entry (pause or unpause) is written in the same transaction, also when the
 * DAG was in that state already: it records what was asked, and by whom.
 */
export async function pauseDag(db: Db, dagId: string, isPaused: boolean, actor?: Actor): Promise<DagRecord | undefined> {
  return withTransaction(db, async (tx) => {
    const dag = await setPaused(tx, dagId, isPaused);
    if (dag && actor) await recordAudit(tx, actor, { action: isPaused ? 'pause' : 'unpause', dagId });
    return dag;
  });
}
