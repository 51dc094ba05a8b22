import type { DagSpec } from '../core/spec.ts';
import type { Db, Queryable } from './db.ts';

export interface DagRecord {
  dagId: string;
  fileloc: string;
  isPaused: boolean;
  isActive: boolean;
  versionHash: string;
  spec: DagSpec;
  nextDagrunDataIntervalStart: Date | null;
  nextDagrunDataIntervalEnd: Date | null;
  nextDagrunCreateAfter: Date | null;
  lastParsedAt: Date;
}

interface DagRow {
  dag_id: string;
  fileloc: string;
  is_paused: boolean;
  is_active: boolean;
  version_hash: string;
  spec: DagSpec;
  next_dagrun_data_interval_start: Date | null;
  next_dagrun_data_interval_end: Date | null;
  next_dagrun_create_after: Date | null;
  last_parsed_at: Date;
}

const toDag = (r: DagRow): DagRecord => ({
  dagId: r.dag_id,
  fileloc: r.fileloc,
  isPaused: r.is_paused,
  isActive: r.is_active,
  versionHash: r.version_hash,
  spec: r.spec,
  nextDagrunDataIntervalStart: r.next_dagrun_data_interval_start,
  nextDagrunDataIntervalEnd: r.next_dagrun_data_interval_end,
  nextDagrunCreateAfter: r.next_dagrun_create_after,
  lastParsedAt: r.last_parsed_at,
});

/** A version's code as the store keeps it (the loader's DagCode). */
export interface StoredCode {
  codeHash: string;
  code: string;
  sourceMap: string | null;
  sources: Record<string, string>;
}

/**
 * Records a DAG as parsed from its file. A new structure or code is kept as a new version (its
 * code once per content) and makes the scheduler recompute the next interval (the schedule may
 * have changed). The limits SQL decides with are written as columns beside the spec
 * (maxActiveRuns, maxActiveTasks on the DAG; the run timeout on the version its runs are judged
 * by), so no query reads the spec's JSON by key. `code` is left out only by tests and benchmarks
 * that store structures alone.
 */
export async function upsertDag(db: Queryable, spec: DagSpec, versionHash: string, fileloc: string, code?: StoredCode): Promise<void> {
  await db.query(
    `WITH code AS (
       INSERT INTO dag_code (code_hash, code, source_map, sources)
       SELECT $9, $10, $11, $12 WHERE $9::text IS NOT NULL
       ON CONFLICT DO NOTHING
     ), version AS (
       INSERT INTO dag_versions (dag_id, version_hash, spec, dagrun_timeout_ms, code_hash, fileloc) VALUES ($1, $2, $3, $8, $9, $4)
       ON CONFLICT DO NOTHING
     )
     INSERT INTO dags (dag_id, fileloc, is_paused, version_hash, spec, max_active_runs, max_active_tasks, schedule_assets, outlet_assets)
     VALUES ($1, $4, $5, $2, $3, $6, $7, $13, $14)
     ON CONFLICT (dag_id) DO UPDATE SET
       fileloc = EXCLUDED.fileloc,
       is_active = true,
       last_parsed_at = now(),
       spec = EXCLUDED.spec,
       max_active_runs = EXCLUDED.max_active_runs,
       max_active_tasks = EXCLUDED.max_active_tasks,
       schedule_assets = EXCLUDED.schedule_assets,
       outlet_assets = EXCLUDED.outlet_assets,
       version_hash = EXCLUDED.version_hash,
       next_dagrun_create_after = CASE WHEN dags.version_hash = EXCLUDED.version_hash AND dags.is_active
         THEN dags.next_dagrun_create_after ELSE NULL END`,
    [
      spec.dagId,
      versionHash,
      JSON.stringify(spec),
      fileloc,
      spec.isPausedUponCreation,
      spec.maxActiveRuns,
      spec.maxActiveTasks,
      spec.dagrunTimeoutMs,
      code?.codeHash ?? null,
      code?.code ?? null,
      code?.sourceMap ?? null,
      code ? JSON.stringify(code.sources) : null,
      // The DAG's assets (README, "Assets"), NULL when none: what the asset queue and GET /assets look up.
      spec.assetSchedule?.length ? spec.assetSchedule : null,
      outletUris(spec),
    ],
  );
}

/** Every URI the DAG's tasks update, each once, in task order; null when none. */
function outletUris(spec: DagSpec): string[] | null {
  const uris = new Set(spec.tasks.flatMap((t) => t.outlets ?? []));
  return uris.size ? [...uris] : null;
}

/** DAGs whose files no longer define them stop being scheduled (their history stays). */
export async function deactivateDagsNotIn(db: Queryable, activeDagIds: string[]): Promise<string[]> {
  const { rows } = await db.query<{ dag_id: string }>(
    `UPDATE dags SET is_active = false WHERE is_active AND NOT (dag_id = ANY ($1::text[])) RETURNING dag_id`,
    [activeDagIds],
  );
  return rows.map((r) => r.dag_id);
}

export async function getDag(db: Queryable, dagId: string): Promise<DagRecord | undefined> {
  const { rows } = await db.query<DagRow>('SELECT * FROM dags WHERE dag_id = $1', [dagId]);
  return rows[0] && toDag(rows[0]);
}

export interface DagListFilter {
  tags?: string[];
  paused?: boolean;
  search?: string;
  limit?: number;
  offset?: number;
}

export async function listDags(db: Queryable, filter: DagListFilter = {}): Promise<{ dags: DagRecord[]; total: number }> {
  const where = ['is_active'];
  const params: unknown[] = [];
  if (filter.paused !== undefined) {
    params.push(filter.paused);
    where.push(`is_paused = $${params.length}`);
  }
  if (filter.search) {
    params.push(`%${filter.search.replace(/[%_\\]/g, '\\$&')}%`);
    where.push(`dag_id ILIKE $${params.length}`);
  }
  if (filter.tags?.length) {
    params.push(JSON.stringify(filter.tags));
    where.push(`(spec->'tags') ?| ARRAY(SELECT jsonb_array_elements_text($${params.length}::jsonb))`);
  }
  const whereSql = where.join(' AND ');
  const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dags WHERE ${whereSql}`, params);
  params.push(filter.limit ?? 1000, filter.offset ?? 0);
  const { rows } = await db.query<DagRow>(
    `SELECT * FROM dags WHERE ${whereSql} ORDER BY dag_id LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return { dags: rows.map(toDag), total: count.rows[0]?.n ?? 0 };
}

/** Pausing or unpausing; unpausing makes the scheduler recompute the next interval from now. */
export async function setPaused(db: Queryable, dagId: string, isPaused: boolean): Promise<DagRecord | undefined> {
  const { rows } = await db.query<DagRow>(
    `UPDATE dags SET is_paused = $2,
       next_dagrun_create_after = CASE WHEN is_paused = $2 THEN next_dagrun_create_after ELSE NULL END
     WHERE dag_id = $1 RETURNING *`,
    [dagId, isPaused],
  );
  return rows[0] && toDag(rows[0]);
}

const versionCache = new Map<string, DagSpec>();

/** The structure a run was created with. Versions never change, so they are cached forever. */
export async function getDagVersion(db: Queryable, dagId: string, versionHash: string): Promise<DagSpec | undefined> {
  const key = `${dagId}\u0000${versionHash}`;
  const cached = versionCache.get(key);
  if (cached) return cached;
  const { rows } = await db.query<{ spec: DagSpec }>(
    'SELECT spec FROM dag_versions WHERE dag_id = $1 AND version_hash = $2',
    [dagId, versionHash],
  );
  const spec = rows[0]?.spec;
  if (spec) versionCache.set(key, spec);
  return spec;
}

export async function setNextDagrun(
  db: Queryable,
  dagId: string,
  next: { start: Date; end: Date } | null,
): Promise<void> {
  await db.query(
    `UPDATE dags SET next_dagrun_data_interval_start = $2, next_dagrun_data_interval_end = $3,
       next_dagrun_create_after = COALESCE($3, 'infinity'::timestamptz) WHERE dag_id = $1`,
    [dagId, next?.start ?? null, next?.end ?? null],
  );
}

export interface ImportErrorRecord {
  filename: string;
  message: string;
  timestamp: Date;
}

/** Replaces the import errors of the files just scanned: errors of fixed files disappear. */
export async function replaceImportErrors(
  db: Db,
  errors: { filename: string; message: string }[],
): Promise<void> {
  const filenames = errors.map((e) => e.filename);
  await db.query(
    `WITH gone AS (DELETE FROM import_errors WHERE NOT (filename = ANY ($1::text[])))
     INSERT INTO import_errors (filename, message)
     SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (filename) DO UPDATE SET message = EXCLUDED.message,
       timestamp = CASE WHEN import_errors.message = EXCLUDED.message THEN import_errors.timestamp ELSE now() END`,
    [filenames, errors.map((e) => e.message)],
  );
}

export async function listImportErrors(db: Queryable): Promise<ImportErrorRecord[]> {
  const { rows } = await db.query<ImportErrorRecord>(
    'SELECT filename, message, timestamp FROM import_errors ORDER BY filename',
  );
  return rows;
}
