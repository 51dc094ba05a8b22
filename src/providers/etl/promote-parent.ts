/**
 * A parent table's staging rows into the warehouse by source key, when the table already has
 * rows: the newest version of a row wins whichever run promotes first, and a row equal to the
 * staged one is not rewritten. What changed is left for the child tables in promote_changed.
 */
import type pg from 'pg';
import { quoteIdent, SOURCE_ID_COLUMN } from './column-names.ts';
import type { StagedTable } from './stage-load.ts';

export interface ParentCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** The temporary table of the parents a promote wrote: (id, source_id, inserted), dropped at commit. */
export const CHANGED_PARENTS = 'promote_changed';

export async function createChangedParents(client: pg.PoolClient): Promise<void> {
  await client.query(`CREATE TEMP TABLE ${CHANGED_PARENTS} (id bigint, source_id text, inserted boolean) ON COMMIT DROP`);
}

/** Upserts the parent's staging rows into `target` (quoted, qualified); the changed ones go to promote_changed. */
export async function upsertParent(client: pg.PoolClient, target: string, parent: StagedTable, modifiedColumn: string, runId: string): Promise<ParentCounts> {
  const columns = parent.columns.map(quoteIdent);
  const data = parent.columns.filter((c) => c !== SOURCE_ID_COLUMN).map(quoteIdent);
  const hasModified = parent.columns.includes(modifiedColumn);
  const modified = quoteIdent(modifiedColumn);
  const key = quoteIdent(SOURCE_ID_COLUMN);
  // The newest version of a row wins, whichever run promotes first; equal rows are left alone.
  const guard = [
    data.length > 0 ? `(${data.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${data.map((c) => `EXCLUDED.${c}`).join(', ')})` : 'false',
    hasModified ? `(t.${modified} IS NULL OR EXCLUDED.${modified} IS NULL OR EXCLUDED.${modified} >= t.${modified})` : 'true',
  ].join(' AND ');
  await createChangedParents(client);
  await client.query(
    `WITH source AS (
       SELECT DISTINCT ON (${key}) ${columns.join(', ')} FROM ${parent.staging}
       WHERE ${key} IS NOT NULL
       ORDER BY ${key}${hasModified ? `, ${modified} DESC NULLS LAST` : ''}
     ), upserted AS (
       INSERT INTO ${target} AS t (${columns.join(', ')}, etl_run_id, etl_loaded_at)
       SELECT ${columns.join(', ')}, $1, now() FROM source
       ON CONFLICT (${key}) DO UPDATE
         SET ${[...data.map((c) => `${c} = EXCLUDED.${c}`), 'etl_run_id = EXCLUDED.etl_run_id', 'etl_loaded_at = EXCLUDED.etl_loaded_at'].join(', ')}
         WHERE ${guard}
       RETURNING t.id, t.${key}, (xmax = 0) AS inserted
     )
     INSERT INTO ${CHANGED_PARENTS} SELECT * FROM upserted`,
    [runId],
  );
  // Temporary tables get no statistics on their own; without them the child statements guessed
  // a size and sorted all of a child table to join it (2.7 s, not 0.9 s, for 43,000 orders).
  await client.query(`ANALYZE ${CHANGED_PARENTS}`);
  const { rows } = await client.query<{ inserted: number; updated: number; staged: number }>(
    `SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated,
            (SELECT count(DISTINCT ${key}) FROM ${parent.staging})::int AS staged
       FROM ${CHANGED_PARENTS}`,
  );
  const { inserted, updated, staged } = rows[0]!;
  return { inserted, updated, unchanged: staged - inserted - updated };
}
