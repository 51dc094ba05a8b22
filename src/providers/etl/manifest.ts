/**
 * The manifest: the commit record of one collection's extract in one run. Only parts it names
 * are ever loaded, so the parts of a failed or retried extract are never loaded twice.
 */
import type { ObservedColumns, ObservedWidths } from './flatten.ts';

export interface PartInfo {
  key: string;
  rows: number;
  /** Compressed size, as stored. */
  bytes: number;
  /** sha256 of the stored (compressed) bytes, hex. */
  sha256: string;
}

export interface TableExtract {
  /** Column → kinds of value seen: compared with the warehouse table before loading. */
  columns: ObservedColumns;
  /** Column → the longest string seen (absent in manifests written before it existed). */
  widths?: ObservedWidths;
  parts: PartInfo[];
  rows: number;
}

/** What extract returns (its XCom) and upload commits. */
export interface ExtractResult {
  collection: string;
  /** The parent table; the others in `tables` are its child tables. */
  table: string;
  tryNumber: number;
  /** ISO; null when this extract took everything before `until` (first run, full refresh). */
  from: string | null;
  until: string;
  documents: number;
  tables: Record<string, TableExtract>;
  /** Column names that two source fields mapped to (the first field's value was kept). */
  collisions: string[];
}

export interface Manifest extends ExtractResult {
  version: 1;
  dagId: string;
  runId: string;
  committedAt: string;
}

export const MANIFEST_VERSION = 1;

/** A manifest read back from S3, checked enough that a damaged or foreign object is a clear error. */
export function parseManifest(text: string, key: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`manifest ${key} is not valid JSON (${(error as Error).message}); re-run the upload task to rewrite it`, { cause: error });
  }
  const manifest = value as Partial<Manifest> | null;
  if (manifest?.version !== MANIFEST_VERSION || typeof manifest.tables !== 'object' || manifest.tables === null || typeof manifest.table !== 'string') {
    throw new Error(`${key} is not a Sluice ETL manifest of version ${MANIFEST_VERSION}; re-run the extract and upload tasks of this run`);
  }
  for (const [table, extract] of Object.entries(manifest.tables)) {
    if (!Array.isArray(extract.parts) || typeof extract.columns !== 'object') {
      throw new Error(`manifest ${key}: table "${table}" has no parts list; re-run the extract and upload tasks of this run`);
    }
  }
  return manifest as Manifest;
}

/** The tables of a manifest, the parent first, then its child tables by name. */
export function manifestTables(manifest: Pick<Manifest, 'tables' | 'table'>): string[] {
  return Object.keys(manifest.tables).sort((a, b) => (a === manifest.table ? -1 : b === manifest.table ? 1 : a.localeCompare(b)));
}

/** Every part of a manifest, parents first. */
export function manifestParts(manifest: Pick<Manifest, 'tables' | 'table'>): { table: string; part: PartInfo }[] {
  return manifestTables(manifest).flatMap((table) => manifest.tables[table]!.parts.map((part) => ({ table, part })));
}
