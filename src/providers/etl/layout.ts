/**
 * Where the ETL keeps things (pure): S3 keys of parts and manifests, names of staging tables.
 * Every key of a run lives under one prefix, so cleanup can remove a run with one listing.
 *
 *   <prefix>/<dagId>/<run>/<collection>/manifest.json
 *   <prefix>/<dagId>/<run>/<collection>/try-<n>/<table>/part-00001.ndjson.gz
 *   <prefix>/<dagId>/<run>/<collection>/try-<n>/<table>/part-r2-00001.ndjson.gz   (range 2 of a ranged extract)
 *
 * Parts are gzip COPY text since manifest version 2; their names kept `.ndjson.gz` so that keys,
 * cleanup rules and what users grep for stayed the same. The manifest says a part's format.
 */
import { createHash } from 'node:crypto';
import { quoteIdent } from './column-names.ts';

export const STAGING_SCHEMA = 'sluice_staging';
export const ETL_SCHEMA = 'sluice_etl';

export interface RunRef {
  dagId: string;
  runId: string;
}

/** A run id as one path segment: `scheduled__2026-11-01T00:00:00.000Z` → `scheduled__2026-11-01T00-00-00.000Z`. */
export function runSegment(runId: string): string {
  return runId.replace(/[^A-Za-z0-9._-]/g, '-');
}

export function runPrefix(prefix: string, run: RunRef): string {
  return `${trimSlashes(prefix)}/${run.dagId}/${runSegment(run.runId)}/`;
}

export function collectionPrefix(prefix: string, run: RunRef, collection: string): string {
  return `${runPrefix(prefix, run)}${collection}/`;
}

export function manifestKey(prefix: string, run: RunRef, collection: string): string {
  return `${collectionPrefix(prefix, run, collection)}manifest.json`;
}

/** `range`: the 1-based `_id` range of an extract read in several (each range numbers its own parts). */
export function partKey(prefix: string, run: RunRef, collection: string, tryNumber: number, table: string, part: number, range?: number): string {
  const ranged = range === undefined ? '' : `r${range}-`;
  return `${collectionPrefix(prefix, run, collection)}try-${tryNumber}/${table}/part-${ranged}${String(part).padStart(5, '0')}.ndjson.gz`;
}

/** A run's staging table for one warehouse table: unique per run, short enough for Postgres. */
export function stagingTable(run: RunRef, table: string): string {
  const hash = createHash('sha1').update(`${run.dagId}\0${run.runId}`).digest('hex').slice(0, 10);
  const name = `${table.slice(0, 63 - 13)}__${hash}`;
  return `${quoteIdent(STAGING_SCHEMA)}.${quoteIdent(name)}`;
}

function trimSlashes(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}
