/**
 * promote: every collection's staging tables into the warehouse in ONE transaction: all tables
 * change or none. Rows are upserted by source key (a row never goes back to an older version,
 * and an unchanged row is not rewritten), the child rows of changed parents are replaced, the
 * watermarks advance and the audit table records what happened. Safe to re-run: the same
 * staging gives the same warehouse.
 */
import type pg from 'pg';
import type { TaskContext } from '../../sdk/context.ts';
import { FailTask } from '../../sdk/errors.ts';
import { withTransaction } from '../../store/db.ts';
import { WAREHOUSE_LOAD_LOCK } from '../postgres/locks.ts';
import { INDEX_COLUMN, PARENT_SOURCE_ID_COLUMN, quoteIdent, SOURCE_ID_COLUMN } from './column-names.ts';
import { ETL_SCHEMA } from './layout.ts';
import type { EtlResources } from './resources.ts';
import { etlResourcesOf } from './connections.ts';
import { etlSettings, type EtlSettings } from './settings.ts';
import type { StagedTable, StageResult } from './stage-load.ts';

export interface PromoteOptions extends Partial<EtlSettings> {
  /** The stage_load tasks whose staging tables this promote moves into the warehouse. */
  stageTasks: string[];
  resources?: EtlResources;
}

export interface PromotedTable {
  collection: string;
  table: string;
  staged: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface PromoteResult {
  tables: PromotedTable[];
}

export async function promote(ctx: TaskContext, options: PromoteOptions): Promise<PromoteResult> {
  const settings = etlSettings(options);
  const pool = await (options.resources ?? (await etlResourcesOf(ctx, ['warehouse']))).warehouse();
  const stages: StageResult[] = [];
  for (const task of options.stageTasks) {
    const stage = await ctx.xcom<StageResult>(task);
    if (!stage?.tables) throw new FailTask(`task "${task}" left no result in this run; clear it so that it stages again before promote`);
    stages.push(stage);
  }

  // Retried whole if Postgres aborts it for a deadlock: every count is made afresh inside.
  const promoted = await withTransaction(pool, async (client) => {
    const promoted: PromotedTable[] = [];
    // One promote at a time, and never during a vacuum of the warehouse.
    await client.query('SELECT pg_advisory_xact_lock($1)', [WAREHOUSE_LOAD_LOCK]);
    for (const stage of stages) {
      const parent = stage.tables.find((t) => t.parent);
      if (!parent) throw new FailTask(`"${stage.collection}" staged no parent table; clear its stage_load task`);
      await requireStaging(client, [parent, ...stage.tables.filter((t) => !t.parent)], stage.collection);
      const counts = await upsertParent(client, settings.warehouseSchema, parent, stage.modifiedColumn, ctx.runId);
      const children = await childTablesOf(client, settings.warehouseSchema, parent.table);
      // A changed parent's children are replaced whole: also in child tables this run staged nothing for.
      for (const child of children) {
        await client.query(
          `DELETE FROM ${qualified(settings.warehouseSchema, child)} c USING promote_changed ch WHERE c.parent_id = ch.id AND NOT ch.inserted`,
        );
      }
      for (const child of stage.tables.filter((t) => !t.parent && children.includes(t.table))) {
        await insertChildren(client, settings.warehouseSchema, child);
      }
      await client.query('DROP TABLE promote_changed');
      for (const table of stage.tables) {
        const row: PromotedTable = table.parent
          ? { collection: stage.collection, table: table.table, staged: table.rows, ...counts, rejected: table.rejected }
          : { collection: stage.collection, table: table.table, staged: table.rows, inserted: 0, updated: 0, unchanged: 0, rejected: table.rejected };
        promoted.push(row);
        await client.query(
          `INSERT INTO ${ETL_SCHEMA}.load_audit
             (dag_id, run_id, collection, table_name, window_from, window_until, staged, inserted, updated, unchanged, repaired, rejected, unknown_fields)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
          [
            ctx.dagId, ctx.runId, stage.collection, table.table, stage.from, stage.until, table.rows, row.inserted, row.updated, row.unchanged,
            JSON.stringify(table.repaired), table.rejected, table.parent ? stage.unknownFields : [],
          ],
        );
      }
      await client.query(
        `INSERT INTO ${ETL_SCHEMA}.watermarks (dag_id, collection, loaded_until, last_run_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (dag_id, collection) DO UPDATE
           SET loaded_until = GREATEST(watermarks.loaded_until, EXCLUDED.loaded_until), last_run_id = EXCLUDED.last_run_id, updated_at = now()`,
        [ctx.dagId, stage.collection, stage.until, ctx.runId],
      );
    }
    return promoted;
  });
  for (const row of promoted) ctx.log.info(row, 'promoted');
  return { tables: promoted };
}

function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

async function requireStaging(client: pg.PoolClient, tables: readonly StagedTable[], collection: string): Promise<void> {
  for (const table of tables) {
    const { rows } = await client.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [table.staging]);
    if (!rows[0]?.found) {
      throw new FailTask(`staging table ${table.staging} of "${collection}" is gone (cleaned up?); clear its stage_load task together with promote`);
    }
  }
}

/**
 * Upserts the parent's staging rows; leaves the changed rows (id, source_id, inserted) in the
 * temporary table promote_changed for the child tables.
 */
async function upsertParent(
  client: pg.PoolClient,
  schema: string,
  parent: StagedTable,
  modifiedColumn: string,
  runId: string,
): Promise<{ inserted: number; updated: number; unchanged: number }> {
  const target = qualified(schema, parent.table);
  const columns = parent.columns.map(quoteIdent);
  const data = parent.columns.filter((c) => c !== SOURCE_ID_COLUMN).map(quoteIdent);
  const hasModified = parent.columns.includes(modifiedColumn);
  const modified = quoteIdent(modifiedColumn);
  // The newest version of a row wins, whichever run promotes first; equal rows are left alone.
  const guard = [
    data.length > 0 ? `(${data.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${data.map((c) => `EXCLUDED.${c}`).join(', ')})` : 'false',
    hasModified ? `(t.${modified} IS NULL OR EXCLUDED.${modified} IS NULL OR EXCLUDED.${modified} >= t.${modified})` : 'true',
  ].join(' AND ');
  await client.query('CREATE TEMP TABLE promote_changed (id bigint, source_id text, inserted boolean) ON COMMIT DROP');
  await client.query(
    `WITH source AS (
       SELECT DISTINCT ON (${quoteIdent(SOURCE_ID_COLUMN)}) ${columns.join(', ')} FROM ${parent.staging}
       WHERE ${quoteIdent(SOURCE_ID_COLUMN)} IS NOT NULL
       ORDER BY ${quoteIdent(SOURCE_ID_COLUMN)}${hasModified ? `, ${modified} DESC NULLS LAST` : ''}
     ), upserted AS (
       INSERT INTO ${target} AS t (${columns.join(', ')}, etl_run_id, etl_loaded_at)
       SELECT ${columns.join(', ')}, $1, now() FROM source
       ON CONFLICT (${quoteIdent(SOURCE_ID_COLUMN)}) DO UPDATE
         SET ${[...data.map((c) => `${c} = EXCLUDED.${c}`), 'etl_run_id = EXCLUDED.etl_run_id', 'etl_loaded_at = EXCLUDED.etl_loaded_at'].join(', ')}
         WHERE ${guard}
       RETURNING t.id, t.${quoteIdent(SOURCE_ID_COLUMN)}, (xmax = 0) AS inserted
     )
     INSERT INTO promote_changed SELECT * FROM upserted`,
    [runId],
  );
  const { rows } = await client.query<{ inserted: number; updated: number; staged: number }>(
    `SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated,
            (SELECT count(DISTINCT ${quoteIdent(SOURCE_ID_COLUMN)}) FROM ${parent.staging})::int AS staged
       FROM promote_changed`,
  );
  const { inserted, updated, staged } = rows[0]!;
  return { inserted, updated, unchanged: staged - inserted - updated };
}

/** The tables whose parent_id references the parent table: its child tables, staged this run or not. */
async function childTablesOf(client: pg.PoolClient, schema: string, parent: string): Promise<string[]> {
  const { rows } = await client.query<{ child: string }>(
    `SELECT c.relname AS child
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
      WHERE k.contype = 'f' AND k.confrelid = to_regclass($1) AND n.nspname = $2 AND a.attname = 'parent_id'
      ORDER BY 1`,
    [qualified(schema, parent), schema],
  );
  return rows.map((row) => row.child);
}

async function insertChildren(client: pg.PoolClient, schema: string, child: StagedTable): Promise<void> {
  const columns = child.columns.map(quoteIdent);
  const parentKey = quoteIdent(PARENT_SOURCE_ID_COLUMN);
  const index = quoteIdent(INDEX_COLUMN);
  await client.query(
    `INSERT INTO ${qualified(schema, child.table)} (parent_id, ${columns.join(', ')})
     SELECT ch.id, ${columns.map((c) => `s.${c}`).join(', ')}
       FROM (SELECT DISTINCT ON (${parentKey}, ${index}) * FROM ${child.staging} ORDER BY ${parentKey}, ${index}) s
       JOIN promote_changed ch ON ch.source_id = s.${parentKey}`,
  );
}
