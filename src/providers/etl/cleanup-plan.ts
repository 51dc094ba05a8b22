/**
 * Which ETL objects in S3 may go (pure): every object of a run older than the retention, and the
 * parts of failed or retried extracts that no manifest names, once they are older than a grace
 * period (an extract may still be writing younger ones).
 */
import type { StoredObject } from '../s3/objects.ts';

export interface CleanupPolicy {
  now: Date;
  /** A run whose newest object is older than this is removed whole. */
  retentionMs: number;
  /** Unreferenced parts younger than this are left alone. */
  orphanGraceMs: number;
}

export interface RunObjects {
  /** `<prefix>/<dagId>/<run>/` */
  runPrefix: string;
  objects: StoredObject[];
  /** Collection → the part keys its manifest names (collections without a manifest are absent). */
  manifests: Map<string, Set<string>>;
}

export interface CleanupDecision {
  expiredRuns: string[];
  expired: StoredObject[];
  orphans: StoredObject[];
}

/** Groups listed keys by run: `<prefix>/<dagId>/<run>/...`. */
export function groupByRun(prefix: string, objects: readonly StoredObject[]): Map<string, StoredObject[]> {
  const base = prefix.replace(/^\/+|\/+$/g, '') + '/';
  const runs = new Map<string, StoredObject[]>();
  for (const object of objects) {
    if (!object.key.startsWith(base)) continue;
    const [dagId, run] = object.key.slice(base.length).split('/');
    if (!dagId || !run) continue;
    const key = `${base}${dagId}/${run}/`;
    let list = runs.get(key);
    if (!list) runs.set(key, (list = []));
    list.push(object);
  }
  return runs;
}

/** The collection a key of a run belongs to, and whether it is a part (not a manifest). */
export function describeKey(runPrefix: string, key: string): { collection: string; isPart: boolean } | undefined {
  const rest = key.slice(runPrefix.length).split('/');
  if (rest.length < 2 || !rest[0]) return undefined;
  return { collection: rest[0], isPart: rest[1]!.startsWith('try-') };
}

export function planCleanup(runs: readonly RunObjects[], policy: CleanupPolicy): CleanupDecision {
  const decision: CleanupDecision = { expiredRuns: [], expired: [], orphans: [] };
  const now = policy.now.getTime();
  for (const run of runs) {
    const newest = Math.max(...run.objects.map((o) => o.lastModified.getTime()));
    if (now - newest > policy.retentionMs) {
      decision.expiredRuns.push(run.runPrefix);
      decision.expired.push(...run.objects);
      continue;
    }
    for (const object of run.objects) {
      const where = describeKey(run.runPrefix, object.key);
      if (!where?.isPart || now - object.lastModified.getTime() <= policy.orphanGraceMs) continue;
      if (!run.manifests.get(where.collection)?.has(object.key)) decision.orphans.push(object);
    }
  }
  return decision;
}
