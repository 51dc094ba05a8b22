/**
 * The child tables of the parents a promote changed (promote_changed), brought to what was
 * staged by writing only the difference: a staged row whose (parent_id, idx) exists with equal
 * values is left alone, a differing one is updated, a new one inserted, and rows past what was
 * staged are deleted, in every child table of the parent, staged this run or not. Unchanged child
 * rows get no new version and no index entry, so an hour that changed 5% of the documents writes
 * 5% of the rows (or fewer: an order whose status changed keeps its items).
 */
import type pg from 'pg';
import { FailTask } from '../../sdk/errors.ts';
import { INDEX_COLUMN, PARENT_SOURCE_ID_COLUMN, quoteIdent, quoteQualified } from './column-names.ts';
import { CHANGED_PARENTS } from './promote-parent.ts';
import type { StagedTable } from './stage-load.ts';

/** Child rows a promote wrote in one table. */
export interface ChildCounts {
  inserted: number;
  updated: number;
  deleted: number;
}

/** The tables whose parent_id references the parent table: its child tables, staged this run or not. */
export async function childTablesOf(client: pg.PoolClient, schema: string, parent: string): Promise<string[]> {
  const { rows } = await client.query<{ child: string }>(
    `SELECT c.relname AS child
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
      WHERE k.contype = 'f' AND k.confrelid = to_regclass($1) AND n.nspname = $2 AND a.attname = 'parent_id'
      ORDER BY 1`,
    [quoteQualified(`${schema}.${parent}`), schema],
  );
  return rows.map((row) => row.child);
}

/** A staged child table is matched to the warehouse's rows by (parent_id, idx): its unique key. */
export async function requireChildKey(client: pg.PoolClient, target: string): Promise<void> {
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_index i
        WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL AND i.indnatts = 2
          AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey::int2[]))
              = ARRAY['${INDEX_COLUMN}', 'parent_id']) AS found`,
    [target],
  );
  if (!rows[0]!.found) {
    throw new FailTask(`child table ${target} has no unique key on (parent_id, ${INDEX_COLUMN}), which promote matches its rows by: add UNIQUE (parent_id, ${INDEX_COLUMN}) with a migration`);
  }
}

/** Brings a staged child table's rows of the changed parents to the staged ones. */
export async function replaceStagedChildren(client: pg.PoolClient, target: string, child: StagedTable): Promise<ChildCounts> {
  const columns = child.columns.map(quoteIdent);
  const data = child.columns.filter((c) => c !== INDEX_COLUMN).map(quoteIdent);
  const parentKey = quoteIdent(PARENT_SOURCE_ID_COLUMN);
  const index = quoteIdent(INDEX_COLUMN);
  const onConflict = data.length === 0
    ? 'DO NOTHING'
    : `DO UPDATE SET ${data.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
         WHERE (${data.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${data.map((c) => `EXCLUDED.${c}`).join(', ')})`;
  // An INSERT ... ON CONFLICT, not an UPDATE and an INSERT of what is missing: every staged row
  // of a changed parent is offered to the table, so its BEFORE INSERT triggers see all of them,
  // as they did when children were deleted and inserted again.
  const { rows } = await client.query<{ inserted: number; updated: number }>(
    `WITH written AS (
       INSERT INTO ${target} AS t (parent_id, ${columns.join(', ')})
       SELECT ch.id, ${columns.map((c) => `s.${c}`).join(', ')}
         FROM (SELECT DISTINCT ON (${parentKey}, ${index}) * FROM ${child.staging} ORDER BY ${parentKey}, ${index}) s
         JOIN ${CHANGED_PARENTS} ch ON ch.source_id = s.${parentKey}
       ON CONFLICT (parent_id, ${index}) ${onConflict}
       RETURNING (xmax = 0) AS inserted
     )
     SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM written`,
  );
  const surplus = await client.query(
    `DELETE FROM ${target} t USING ${CHANGED_PARENTS} ch
      WHERE t.parent_id = ch.id AND NOT ch.inserted
        AND NOT EXISTS (SELECT 1 FROM ${child.staging} s WHERE s.${parentKey} = ch.source_id AND s.${index} = t.${index})`,
  );
  return { ...rows[0]!, deleted: surplus.rowCount ?? 0 };
}

/** A child table this run staged nothing for: the changed parents' rows in it are gone from the source. */
export async function deleteUnstagedChildren(client: pg.PoolClient, target: string): Promise<number> {
  const { rowCount } = await client.query(`DELETE FROM ${target} t USING ${CHANGED_PARENTS} ch WHERE t.parent_id = ch.id AND NOT ch.inserted`);
  return rowCount ?? 0;
}
