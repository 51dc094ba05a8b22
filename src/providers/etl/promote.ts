/**
 * promote: every collection's staging tables into the warehouse in ONE transaction: all tables
 * change or none. Per collection (promote-collection.ts): into empty tables a first load, else
 * rows upserted by source key (a row never goes back to an older version, and an unchanged row
 * is not rewritten) and the differing child rows of changed parents written; then the watermarks
 * advance and the audit table records what happened. Safe to re-run: the same staging gives the
 * same warehouse.
 */
import type pg from 'pg';
import type { TaskContext } from '../../sdk/context.ts';
import { FailTask } from '../../sdk/errors.ts';
import { withTransaction } from '../../store/db.ts';
import { WAREHOUSE_LOAD_LOCK } from '../postgres/locks.ts';
import { ETL_SCHEMA } from './layout.ts';
import type { EtlResources } from './resources.ts';
import { etlResourcesOf } from './connections.ts';
import { loadCollection, writtenRows } from './promote-collection.ts';
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
  /**
   * Rows this promote inserted, updated or deleted in the table: for a parent, its inserted and
   * updated; for a child table, the rows of changed parents that differed from the staged ones.
   */
  written: number;
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
    // A first load sorts and hashes a million staged rows and builds indexes over them: in memory
    // rather than in temporary files (the defaults, 4 MB and 64 MB, spill). Only this transaction.
    await client.query(`SET LOCAL work_mem = '128MB'`);
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    // JIT compiled these statements in 0.15 to 0.3 s each (EXPLAIN ANALYZE), for plans whose time
    // goes into writing rows and index entries, not into evaluating expressions.
    await client.query('SET LOCAL jit = off');
    for (const stage of stages) {
      const parent = stage.tables.find((t) => t.parent);
      if (!parent) throw new FailTask(`"${stage.collection}" staged no parent table; clear its stage_load task`);
      await requireStaging(client, [parent, ...stage.tables.filter((t) => !t.parent)], stage.collection);
      const loaded = await loadCollection(client, settings.warehouseSchema, stage, parent, ctx.runId);
      ctx.log.info({ collection: stage.collection, firstLoad: loaded.firstLoad, rows: Object.fromEntries(loaded.children) }, 'promoted collection');
      for (const table of stage.tables) {
        const row: PromotedTable = table.parent
          ? { collection: stage.collection, table: table.table, staged: table.rows, ...loaded.parent, rejected: table.rejected, written: loaded.parent.inserted + loaded.parent.updated }
          : { collection: stage.collection, table: table.table, staged: table.rows, inserted: 0, updated: 0, unchanged: 0, rejected: table.rejected, written: writtenRows(loaded.children.get(table.table)) };
        promoted.push(row);
        await client.query(
          `INSERT INTO ${ETL_SCHEMA}.load_audit
             (dag_id, run_id, collection, table_name, window_from, window_until, staged, inserted, updated, unchanged, repaired, rejected, unknown_fields, written)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
          [
            ctx.dagId, ctx.runId, stage.collection, table.table, stage.from, stage.until, table.rows, row.inserted, row.updated, row.unchanged,
            JSON.stringify(table.repaired), table.rejected, table.parent ? stage.unknownFields : [], row.written,
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

async function requireStaging(client: pg.PoolClient, tables: readonly StagedTable[], collection: string): Promise<void> {
  for (const table of tables) {
    const { rows } = await client.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [table.staging]);
    if (!rows[0]?.found) {
      throw new FailTask(`staging table ${table.staging} of "${collection}" is gone (cleaned up?); clear its stage_load task together with promote`);
    }
  }
}

