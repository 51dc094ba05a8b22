/** The warehouse's upkeep tasks: migrate before every load, vacuum on its own schedule. */
import { fileURLToPath } from 'node:url';
import type { TaskContext } from '../../sdk/context.ts';
import { applyMigrations } from '../postgres/migrations.ts';
import { vacuumTables, type VacuumReport } from '../postgres/vacuum.ts';
import { ensureBookkeeping } from './bookkeeping.ts';
import type { EtlResources } from './resources.ts';
import { etlResourcesOf } from './connections.ts';

export type MigrateOptions = (
  | {
      /**
       * The migrations by file name (`NNNN_name.sql`), their SQL imported as text
       * (`import shop from './migrations/0001_shop.sql'`): bundled with the DAG's code, so workers
       * need no DAGs folder.
       */
      files: Record<string, string>;
      directory?: undefined;
    }
  | {
      /**
       * A folder of `NNNN_name.sql` files on the worker's disk. Every worker then needs it: prefer
       * `files`, which travel with the DAG's code.
       */
      directory: string | URL;
      files?: undefined;
    }
) & { resources?: EtlResources };

/** migrate: the ETL's own tables, then the repo's migrations, in order, each once. */
export async function migrateWarehouse(ctx: TaskContext, options: MigrateOptions): Promise<{ applied: string[]; alreadyApplied: number }> {
  const pool = await (options.resources ?? (await etlResourcesOf(ctx, ['warehouse']))).warehouse();
  await ensureBookkeeping(pool);
  const source = options.files
    ? { files: options.files }
    : { directory: options.directory instanceof URL ? fileURLToPath(options.directory) : options.directory };
  const report = await applyMigrations(pool, { ...source, log: ctx.log, appliedBy: `${ctx.dagId}/${ctx.runId}` });
  ctx.log.info({ applied: report.applied.length, alreadyApplied: report.alreadyApplied }, report.applied.length ? 'warehouse migrated' : 'warehouse up to date');
  return { applied: report.applied.map((m) => m.name), alreadyApplied: report.alreadyApplied };
}

export interface VacuumTaskOptions {
  /** Tables to vacuum, schema-qualified or not. */
  tables: string[];
  resources?: EtlResources;
}

/** VACUUM (ANALYZE) of the tables, never while a promote runs; sizes before and after in the log and the result. */
export async function vacuumWarehouse(ctx: TaskContext, options: VacuumTaskOptions): Promise<VacuumReport[]> {
  const pool = await (options.resources ?? (await etlResourcesOf(ctx, ['warehouse']))).warehouse();
  return vacuumTables(pool, { tables: options.tables, log: ctx.log, signal: ctx.signal });
}
