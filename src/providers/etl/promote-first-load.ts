/**
 * A collection's first load: its parent table is empty (so are its child tables, whose parent_id
 * must reference it), so nothing is upserted and nothing compared. The parents are inserted as
 * staged, the children joined to them by source key, and the tables' indexes and the foreign keys
 * between them are dropped before and rebuilt after (deferred-keys.ts): a sort per index and a
 * join per foreign key instead of per-row work.
 *
 * Rebuilding the unique keys checks what the upsert's DISTINCT ON would have sorted out: a source
 * key staged twice (a retried extract that overlapped, or a document that moved during a scan)
 * fails the rebuild, the savepoint undoes the first load and the caller upserts instead. So the
 * result is always the upsert path's, and the counts are exact: every staged parent is inserted.
 *
 * The locks: dropping keys takes ACCESS EXCLUSIVE on the parent and its child tables until the
 * promote commits, so a query of those tables waits for the load to commit instead of reading
 * them empty. Acceptable on a first load only, where there is nothing to read yet and the load
 * is over sooner than the per-row one it replaces; a table with rows never comes here, since
 * its readers would wait for the whole promote.
 */
import type pg from 'pg';
import { PARENT_SOURCE_ID_COLUMN, quoteIdent, SOURCE_ID_COLUMN } from './column-names.ts';
import { deferKeys } from './deferred-keys.ts';
import type { StagedTable } from './stage-load.ts';

/** Decided under the promote's lock: only promotes write these tables, one at a time. */
export async function isEmpty(client: pg.PoolClient, target: string): Promise<boolean> {
  const { rows } = await client.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${target}) AS empty`);
  return rows[0]!.empty;
}

export interface FirstLoad {
  /** Parents inserted. */
  inserted: number;
  /** Rows inserted per staged child table. */
  children: Map<string, number>;
}

/**
 * Loads `parent` into `target` and each staged child into its table (`childTargets`: every child
 * table of the parent, quoted and qualified, by name). Undefined when a unique key refused the
 * staged rows: nothing was changed, and the caller upserts them.
 */
export async function firstLoad(
  client: pg.PoolClient,
  target: string,
  parent: StagedTable,
  children: readonly StagedTable[],
  childTargets: ReadonlyMap<string, string>,
  runId: string,
): Promise<FirstLoad | undefined> {
  const key = quoteIdent(SOURCE_ID_COLUMN);
  const parentKey = quoteIdent(PARENT_SOURCE_ID_COLUMN);
  await client.query('SAVEPOINT first_load');
  try {
    const keys = await deferKeys(client, [target, ...childTargets.values()]);
    const columns = parent.columns.map(quoteIdent).join(', ');
    const inserted = await client.query(
      `INSERT INTO ${target} (${columns}, etl_run_id, etl_loaded_at) SELECT ${columns}, $1, now() FROM ${parent.staging} WHERE ${key} IS NOT NULL`,
      [runId],
    );
    const counts = new Map<string, number>();
    for (const child of children) {
      const childColumns = child.columns.map(quoteIdent);
      const { rowCount } = await client.query(
        `INSERT INTO ${childTargets.get(child.table)!} (parent_id, ${childColumns.join(', ')})
         SELECT p.id, ${childColumns.map((c) => `s.${c}`).join(', ')} FROM ${child.staging} s JOIN ${target} p ON p.${key} = s.${parentKey}`,
      );
      counts.set(child.table, rowCount ?? 0);
    }
    await keys.restore();
    await client.query('RELEASE SAVEPOINT first_load');
    return { inserted: inserted.rowCount ?? 0, children: counts };
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await client.query('ROLLBACK TO SAVEPOINT first_load');
    return undefined;
  }
}
