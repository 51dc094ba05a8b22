import type { Logger } from '../log.ts';
import { deactivateDagsNotIn, replaceImportErrors, upsertDag } from '../store/dags.ts';
import type { Db } from '../store/db.ts';
import { ensurePools } from '../store/pools.ts';
import type { DagFolder, FolderScan } from './dag-folder.ts';

/**
 * One pass of the DAG processor: scan the folder, write each DAG's structure and version to the
 * store (so the API and UI never import DAG code), record import errors, and retire DAGs whose
 * files are gone.
 */
export async function syncDagFolder(db: Db, folder: DagFolder, log: Logger): Promise<FolderScan> {
  const started = Date.now();
  const scan = await folder.scan();
  for (const { spec, versionHash, fileloc } of scan.dags.values()) {
    await upsertDag(db, spec, versionHash, fileloc);
  }
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
