import type { Logger } from '../log.ts';
import { deactivateDagsNotIn, replaceImportErrors, upsertDag } from '../store/dags.ts';
import type { Db } from '../store/db.ts';
import { ensurePools } from '../store/pools.ts';
import type { DagFolder, FolderScan } from './dag-folder.ts';

/**
 * One pass of the DAG processor: scan the folder, write each DAG's structure and version, with
 * its code, to the store (so the API and UI never import DAG code, and workers need no DAGs
 * folder), record import errors, and retire DAGs whose files are gone.
 */
export async function syncDagFolder(db: Db, folder: DagFolder, log: Logger): Promise<FolderScan> {
  const started = Date.now();
  const scan = await folder.scan();
  // Every rescan sees every DAG; only new or changed ones are written (500 upserts every 5 s
  // would keep a core busy), the rest are only marked as seen.
  const stored = await db.query<{ dag_id: string; version_hash: string; fileloc: string; is_active: boolean }>(
    'SELECT dag_id, version_hash, fileloc, is_active FROM dags WHERE dag_id = ANY ($1::text[])',
    [[...scan.dags.keys()]],
  );
  const current = new Map(stored.rows.map((r) => [r.dag_id, r]));
  const unchanged: string[] = [];
  for (const { spec, versionHash, fileloc, code } of scan.dags.values()) {
    const row = current.get(spec.dagId);
    if (row && row.is_active && row.version_hash === versionHash && row.fileloc === fileloc) unchanged.push(spec.dagId);
    else await upsertDag(db, spec, versionHash, fileloc, code);
  }
  await db.query('UPDATE dags SET last_parsed_at = now() WHERE dag_id = ANY ($1::text[])', [unchanged]);
  await ensurePools(db, [...new Set([...scan.dags.values()].flatMap((d) => d.spec.tasks.map((t) => t.pool)))]);
  // A DAG whose file now fails to import keeps its last good structure and stays scheduled.
  const failing = new Set(scan.errors.map((e) => e.filename));
  const kept = await db.query<{ dag_id: string }>('SELECT dag_id FROM dags WHERE is_active AND fileloc = ANY ($1::text[])', [
    [...failing],
  ]);
  const retired = await deactivateDagsNotIn(db, [...scan.dags.keys(), ...kept.rows.map((r) => r.dag_id)]);
  await replaceImportErrors(db, scan.errors);
  if (scan.importedFiles > 0 || retired.length > 0) {
    log.info(
      { dags: scan.dags.size, importErrors: scan.errors.length, imported: scan.importedFiles, retired, ms: Date.now() - started },
      'DAG folder synced',
    );
  }
  for (const e of scan.errors) log.debug({ filename: e.filename }, e.message);
  return scan;
}
