/**
 * extract_<collection>: the run's window of one collection, read with a streaming cursor,
 * flattened into rows of the parent table and its child tables, and streamed to S3 as gzip
 * parts. Nothing is loaded until upload commits these parts in a manifest, so a failed try
 * leaves only orphans that cleanup removes.
 */
import type { TaskContext } from '../../sdk/context.ts';
import type { DocumentWindow } from '../mongo/source.ts';
import { readWatermark } from './bookkeeping.ts';
import { resolveCollection, type CollectionConfig } from './collection.ts';
import { readInto } from './extract-read.ts';
import { DocumentFlattener, type FlatRow } from './flatten.ts';
import { partKey } from './layout.ts';
import type { ExtractResult, TableExtract } from './manifest.ts';
import { PartWriter } from './part-writer.ts';
import type { EtlResources } from './resources.ts';
import { etlResourcesOf } from './connections.ts';
import { etlSettings, type EtlSettings } from './settings.ts';

export interface ExtractOptions extends Partial<EtlSettings> {
  resources?: EtlResources;
  /** Documents per cursor batch; default 5,000. */
  batchSize?: number;
}

export async function extractCollection(ctx: TaskContext, config: CollectionConfig, options: ExtractOptions = {}): Promise<ExtractResult> {
  const collection = resolveCollection(config);
  const settings = etlSettings(options);
  const resources = options.resources ?? (await etlResourcesOf(ctx, ['source', 'store', 'warehouse']));
  const window = await extractWindow(ctx, collection.collection, collection.modifiedField, resources);
  ctx.log.info(
    { collection: collection.collection, from: window.from?.toISOString() ?? null, until: window.until.toISOString() },
    window.from === null ? 'extracting everything modified before the cutoff' : 'extracting the window',
  );

  const flattener = new DocumentFlattener({ table: collection.table, keyField: collection.keyField });
  const writers = new Map<string, PartWriter>();
  const writerOf = (table: string) => {
    let writer = writers.get(table);
    if (!writer) {
      const keyOf = (part: number) => partKey(settings.prefix, ctx, collection.collection, ctx.tryNumber, table, part);
      writers.set(table, (writer = new PartWriter(resources.store(), keyOf, settings.rowsPerPart, ctx.signal)));
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

  const readOptions = { batchSize: options.batchSize, signal: ctx.signal };
  const { documents, decoded, seconds } = await readInto(ctx, resources.source(), collection.collection, window, readOptions, { flattener, emit, write });

  const observed = flattener.observed();
  const widths = flattener.observedWidths();
  const tables: Record<string, TableExtract> = {};
  for (const [table, writer] of writers) {
    tables[table] = { columns: observed[table] ?? {}, widths: widths[table] ?? {}, parts: await writer.finish(), rows: writer.rows };
  }
  if (!tables[collection.table]) tables[collection.table] = { columns: observed[collection.table] ?? {}, widths: widths[collection.table] ?? {}, parts: [], rows: 0 };
  const collisions = [...flattener.collisions].sort();
  if (collisions.length > 0) {
    ctx.log.warn({ collisions }, 'two source fields map to the same column; the first one is kept (rename one in the source or map it)');
  }
  ctx.log.info(
    {
      documents,
      seconds,
      perSecond: seconds > 0 ? Math.round(documents / seconds) : documents,
      tables: Object.fromEntries(Object.entries(tables).map(([t, e]) => [t, { rows: e.rows, parts: e.parts.length }])),
      // A high count is slow, not wrong.
      ...(decoded > 0 ? { decodedDocuments: decoded } : {}),
    },
    'extracted',
  );
  return {
    collection: collection.collection,
    table: collection.table,
    tryNumber: ctx.tryNumber,
    from: window.from?.toISOString() ?? null,
    until: window.until.toISOString(),
    documents,
    tables,
    collisions,
  };
}

/**
 * The run's window. Every collection of a run uses the same cutoff (the end of its data
 * interval). The first load of a collection, and a run with `fullRefresh` in its conf, take
 * everything before it; a manual run (an empty interval) takes everything since the last load.
 */
async function extractWindow(ctx: TaskContext, collection: string, modifiedField: string, resources: EtlResources): Promise<DocumentWindow> {
  const until = ctx.dataIntervalEnd;
  if (ctx.params.fullRefresh === true) return { modifiedField, from: null, until };
  const loadedUntil = await readWatermark(await resources.warehouse(), ctx.dagId, collection);
  if (loadedUntil === undefined) return { modifiedField, from: null, until };
  const manual = ctx.dataIntervalStart.getTime() === ctx.dataIntervalEnd.getTime();
  return { modifiedField, from: manual ? loadedUntil : ctx.dataIntervalStart, until };
}
