/**
 * One reader of an extract: a window (or one `_id` range of it) read from MongoDB, flattened into
 * rows and streamed to S3 as parts, with what the rows held noted for the manifest. The same code
 * in the task's own thread and in an extract thread (extract-thread.ts); each reader has its own
 * flattener and part writers, so readers share nothing while they run.
 */
import type { DocumentSource, DocumentWindow } from '../mongo/source.ts';
import type { ObjectStore } from '../s3/objects.ts';
import type { ResolvedCollection } from './collection.ts';
import { readInto, type ReadLog } from './extract-read.ts';
import { DocumentFlattener, type FlatRow, type ObservedColumns, type ObservedWidths } from './flatten.ts';
import { partKey, type RunRef } from './layout.ts';
import type { PartInfo } from './manifest.ts';
import { PartWriter } from './part-writer.ts';

/** What a reader is given: plain data, so that a thread can be given it too. */
export interface RangeJob {
  collection: ResolvedCollection;
  window: DocumentWindow;
  prefix: string;
  rowsPerPart: number;
  run: RunRef;
  tryNumber: number;
  /** The 1-based range of a ranged extract, in its part keys; undefined: the window is read whole. */
  range?: number;
  batchSize?: number;
}

/** What a reader found: plain data (a thread posts it back), merged by extract-merge.ts. */
export interface RangeExtract {
  documents: number;
  decoded: number;
  seconds: number;
  /** Table → column → kinds, for every table the rows or an empty array named. */
  observed: Record<string, ObservedColumns>;
  widths: Record<string, ObservedWidths>;
  /** The tables rows were written to, in the order first met, with their parts in order. */
  written: { table: string; parts: PartInfo[]; rows: number }[];
  collisions: string[];
}

export interface RangeIo {
  source: DocumentSource;
  store: ObjectStore;
  log: ReadLog;
  signal: AbortSignal;
}

export async function extractRange(job: RangeJob, io: RangeIo): Promise<RangeExtract> {
  const { collection } = job;
  const flattener = new DocumentFlattener({ table: collection.table, keyField: collection.keyField });
  const writers = new Map<string, PartWriter>();
  const writerOf = (table: string) => {
    let writer = writers.get(table);
    if (!writer) {
      const keyOf = (part: number) => partKey(job.prefix, job.run, collection.collection, job.tryNumber, table, part, job.range);
      writers.set(table, (writer = new PartWriter(io.store, keyOf, job.rowsPerPart, io.signal)));
    }
    return writer;
  };
  // A document's rows, then written: writes resolve at once unless gzip or S3 pushes back, and
  // waiting on them is the backpressure.
  const rowTables: string[] = [];
  const rows: FlatRow[] = [];
  const emit = (table: string, row: FlatRow) => {
    rowTables.push(table);
    rows.push(row);
  };
  // Synchronous unless a row has to wait: no promise per document (see PartWriter.write).
  const write = (): Promise<void> | undefined => {
    for (let i = 0; i < rows.length; i++) {
      const waiting = writerOf(rowTables[i]!).write(rows[i]!);
      if (waiting) return writeRest(waiting, i + 1);
    }
    rowTables.length = 0;
    rows.length = 0;
    return undefined;
  };
  const writeRest = async (waiting: Promise<void>, next: number) => {
    await waiting;
    for (let i = next; i < rows.length; i++) await writerOf(rowTables[i]!).write(rows[i]!);
    rowTables.length = 0;
    rows.length = 0;
  };

  const readOptions = { batchSize: job.batchSize, signal: io.signal };
  const totals = await readInto(io.log, io.source, collection.collection, job.window, readOptions, { flattener, emit, write });
  const written: RangeExtract['written'] = [];
  for (const [table, writer] of writers) written.push({ table, parts: await writer.finish(), rows: writer.rows });
  return { ...totals, observed: flattener.observed(), widths: flattener.observedWidths(), written, collisions: [...flattener.collisions].sort() };
}
