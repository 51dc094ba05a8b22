/**
 * DAG versions as the API lists them, and their code as workers load it. A version never changes
 * once stored (its hash is of its structure and code), so what is read here can be cached for
 * ever by its (DAG, version) key.
 */
import type { Queryable } from './db.ts';

export interface DagVersionRecord {
  version: string;
  createdAt: Date;
  fileloc: string | null;
}

export async function listDagVersions(
  db: Queryable,
  dagId: string,
  page: { limit: number; offset: number },
): Promise<{ versions: DagVersionRecord[]; total: number }> {
  const { rows } = await db.query<DagVersionRecord & { total: number }>(
    `SELECT version_hash AS version, created_at AS "createdAt", fileloc, count(*) OVER ()::int AS total
       FROM dag_versions WHERE dag_id = $1
      ORDER BY created_at DESC, version_hash LIMIT $2 OFFSET $3`,
    [dagId, page.limit, page.offset],
  );
  const total = rows[0]?.total ?? (page.offset > 0 ? await countVersions(db, dagId) : 0);
  return { versions: rows.map(({ total: _total, ...v }) => v), total };
}

async function countVersions(db: Queryable, dagId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dag_versions WHERE dag_id = $1', [dagId]);
  return rows[0]?.n ?? 0;
}

export interface VersionSource {
  fileloc: string | null;
  /** The files the version was built from, by path relative to the DAGs folder; null for a version stored before code was kept. */
  sources: Record<string, string> | null;
}

/** undefined: no such version. */
export async function getVersionSource(db: Queryable, dagId: string, version: string): Promise<VersionSource | undefined> {
  const { rows } = await db.query<VersionSource>(
    `SELECT v.fileloc, c.sources FROM dag_versions v LEFT JOIN dag_code c ON c.code_hash = v.code_hash
      WHERE v.dag_id = $1 AND v.version_hash = $2`,
    [dagId, version],
  );
  return rows[0];
}

export interface VersionCode {
  fileloc: string;
  codeHash: string;
  code: string;
  sourceMap: string | null;
}

/**
 * The code a run of `version` runs. A version stored before Sluice kept code has none: its runs
 * run the DAG's current version's code, as they did before. undefined: neither has code (the
 * DAG's current version is one of those too).
 */
export async function getVersionCode(db: Queryable, dagId: string, version: string): Promise<VersionCode | undefined> {
  const { rows } = await db.query<VersionCode>(
    `SELECT v.fileloc, c.code_hash AS "codeHash", c.code, c.source_map AS "sourceMap"
       FROM dag_versions v JOIN dag_code c ON c.code_hash = v.code_hash
      WHERE v.dag_id = $1 AND (v.version_hash = $2
        OR v.version_hash = (SELECT d.version_hash FROM dags d WHERE d.dag_id = $1
                              AND NOT EXISTS (SELECT 1 FROM dag_versions o WHERE o.dag_id = $1 AND o.version_hash = $2 AND o.code_hash IS NOT NULL)))
      ORDER BY v.version_hash = $2 DESC LIMIT 1`,
    [dagId, version],
  );
  return rows[0];
}
