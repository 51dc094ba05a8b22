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
  /**
   * The part's fields in line order: present, the part is gzip COPY text (manifest version 2);
   * absent, gzip NDJSON (version 1, written before COPY text parts existed).
   */
  columns?: PartColumn[];
}

/** What a part holds in a value of this column: a JSON type, integers apart from fractions. */
export type PartValueKind = 'string' | 'integer' | 'number' | 'boolean' | 'json';

/** One column of a COPY text part and what its values are: enough to load them without looking at each. */
export interface PartColumn {
  name: string;
  /** The kinds of value the part holds in it (none for a column that is NULL in every row). */
  kinds: PartValueKind[];
  /** Some row has no value (NULL, or no such field). */
  nulls: boolean;
  /** The longest value as text, in UTF-16 units (never fewer than its characters). */
  width: number;
  /** The smallest and largest number, when `kinds` has integer or number. */
  min?: number;
  max?: number;
  /** The column holds strings, and every one is a real timestamp the way extract writes dates (toISOString). */
  dates: boolean;
  /** Some value holds text a load repairs or the database refuses: NUL, U+FFFD (an unpaired surrogate is written as one), or a `\\u` escape in JSON. */
  repair: boolean;
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
  /** 2 when the parts are COPY text (each with its `columns`), 1 when they are NDJSON. */
  version: ManifestVersion;
  dagId: string;
  runId: string;
  committedAt: string;
}

export type ManifestVersion = 1 | 2;
/** The version upload writes for parts that carry their columns; an extract from before them still commits as version 1. */
export const MANIFEST_VERSION = 2;

/** The manifest version for these parts: an extract of an older release, committed after an upgrade, stays version 1. */
export function manifestVersionOf(parts: readonly PartInfo[]): ManifestVersion {
  return parts.every((part) => part.columns !== undefined) ? MANIFEST_VERSION : 1;
}

/** A manifest read back from S3, checked enough that a damaged or foreign object is a clear error. */
export function parseManifest(text: string, key: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`manifest ${key} is not valid JSON (${(error as Error).message}); re-run the upload task to rewrite it`, { cause: error });
  }
  const manifest = value as Partial<Manifest> | null;
  const known = manifest?.version === 1 || manifest?.version === MANIFEST_VERSION;
  if (!known || typeof manifest.tables !== 'object' || manifest.tables === null || typeof manifest.table !== 'string') {
    throw new Error(`${key} is not a Sluice ETL manifest of version 1 or ${MANIFEST_VERSION}; re-run the extract and upload tasks of this run`);
  }
  for (const [table, extract] of Object.entries(manifest.tables)) {
    if (!Array.isArray(extract.parts) || typeof extract.columns !== 'object') {
      throw new Error(`manifest ${key}: table "${table}" has no parts list; re-run the extract and upload tasks of this run`);
    }
    // A version-1 reader would take COPY text for NDJSON: the version must say what the parts are.
    const copyText = manifest.version === MANIFEST_VERSION;
    const wrong = extract.parts.find((part) => Array.isArray(part.columns) !== copyText);
    if (wrong) {
      throw new Error(`manifest ${key}: part ${wrong.key} ${copyText ? 'has no column list' : 'has a column list'} in a version ${manifest.version} manifest; re-run the extract and upload tasks of this run`);
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
