/**
 * etl_cleanup's work on the ETL's own leftovers: S3 objects of runs past the retention, parts no
 * manifest names (failed or retried extracts), multipart uploads a crashed extract never
 * finished, staging tables and rejects of old runs. Reports what it removed (or would remove,
 * with `dryRun`).
 */
import type { TaskContext } from '../../sdk/context.ts';
import { parseDuration } from '../../core/durations.ts';
import { abortStaleUploads, deleteObjects, listObjects, readText, type StoredObject } from '../s3/objects.ts';
import { ensureBookkeeping } from './bookkeeping.ts';
import { groupByRun, planCleanup, type RunObjects } from './cleanup-plan.ts';
import { ETL_SCHEMA } from './layout.ts';
import { parseManifest } from './manifest.ts';
import type { EtlResources } from './resources.ts';
import { etlResourcesOf } from './connections.ts';
import { etlSettings, type EtlSettings } from './settings.ts';

export interface EtlCleanupOptions extends Partial<EtlSettings> {
  /** Runs older than this lose their S3 objects, staging tables and rejects. Default `7d`. */
  retention?: string | number;
  /** Parts no manifest names are removed once older than this. Default `6h`. */
  orphanGrace?: string | number;
  /** Staging tables older than this are dropped. Default `1d`. */
  stagingRetention?: string | number;
  dryRun?: boolean;
  resources?: EtlResources;
}

export interface EtlCleanupReport {
  dryRun: boolean;
  expiredRuns: number;
  objectsRemoved: number;
  bytesRemoved: number;
  orphanPartsRemoved: number;
  unfinishedUploadsAborted: number;
  stagingTablesDropped: string[];
  rejectsRemoved: number;
}

export async function cleanupEtl(ctx: TaskContext, options: EtlCleanupOptions = {}): Promise<EtlCleanupReport> {
  const settings = etlSettings(options);
  const resources = options.resources ?? (await etlResourcesOf(ctx, ['store', 'warehouse']));
  const store = resources.store();
  const retentionMs = parseDuration(options.retention ?? '7d', 'retention');
  const orphanGraceMs = parseDuration(options.orphanGrace ?? '6h', 'orphanGrace');
  const stagingMs = parseDuration(options.stagingRetention ?? '1d', 'stagingRetention');
  const dryRun = options.dryRun === true || ctx.params.dryRun === true;
  const now = new Date();
  const prefix = settings.prefix.replace(/^\/+|\/+$/g, '') + '/';

  const listed: StoredObject[] = [];
  for await (const object of listObjects(store, prefix)) listed.push(object);
  const runs: RunObjects[] = [];
  for (const [runPrefix, objects] of groupByRun(prefix, listed)) {
    const manifests = new Map<string, Set<string>>();
    for (const object of objects.filter((o) => o.key.endsWith('/manifest.json'))) {
      const text = await readText(store, object.key);
      if (text === undefined) continue;
      const manifest = parseManifest(text, object.key);
      manifests.set(manifest.collection, new Set(Object.values(manifest.tables).flatMap((t) => t.parts.map((p) => p.key))));
    }
    runs.push({ runPrefix, objects, manifests });
  }
  const decision = planCleanup(runs, { now, retentionMs, orphanGraceMs });
  const doomed = [...decision.expired, ...decision.orphans];
  if (!dryRun) await deleteObjects(store, doomed.map((o) => o.key));
  const aborted = await abortStaleUploads(store, prefix, new Date(now.getTime() - orphanGraceMs), { dryRun }).catch((error: unknown) => {
    // Some S3-compatible stores do not list multipart uploads; that is no reason to fail the cleanup.
    ctx.log.warn({ error: (error as Error).message }, 'could not list unfinished multipart uploads; skipped');
    return [];
  });

  const pool = await resources.warehouse();
  await ensureBookkeeping(pool);
  const { rows: staging } = await pool.query<{ name: string }>(
    `SELECT name FROM ${ETL_SCHEMA}.staging_tables WHERE created_at < $1 ORDER BY name`,
    [new Date(now.getTime() - stagingMs)],
  );
  const rejectsBefore = new Date(now.getTime() - retentionMs);
  let rejectsRemoved: number;
  if (dryRun) {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ETL_SCHEMA}.load_rejects WHERE rejected_at < $1`, [rejectsBefore]);
    rejectsRemoved = rows[0]?.n ?? 0;
  } else {
    for (const { name } of staging) {
      // The name was made by stagingTable() and is already quoted and schema-qualified.
      await pool.query(`DROP TABLE IF EXISTS ${name}`);
      await pool.query(`DELETE FROM ${ETL_SCHEMA}.staging_tables WHERE name = $1`, [name]);
    }
    const removed = await pool.query(`DELETE FROM ${ETL_SCHEMA}.load_rejects WHERE rejected_at < $1`, [rejectsBefore]);
    rejectsRemoved = removed.rowCount ?? 0;
  }

  const report: EtlCleanupReport = {
    dryRun,
    expiredRuns: decision.expiredRuns.length,
    objectsRemoved: doomed.length,
    bytesRemoved: doomed.reduce((sum, o) => sum + o.bytes, 0),
    orphanPartsRemoved: decision.orphans.length,
    unfinishedUploadsAborted: aborted.length,
    stagingTablesDropped: staging.map((s) => s.name),
    rejectsRemoved,
  };
  ctx.log.info(report, dryRun ? 'cleanup (dry run): would remove' : 'cleanup removed');
  return report;
}
