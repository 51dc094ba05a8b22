/**
 * extract_<collection>: the run's window of one collection, read with a streaming cursor,
 * flattened into rows of the parent table and its child tables, and streamed to S3 as gzip
 * parts. Nothing is loaded until upload commits these parts in a manifest, so a failed try
 * leaves only orphans that cleanup removes.
 *
 * A large window is read in `_id` ranges at once (`readers`, extract-plan.ts), each by a reader
 * of its own (extract-range.ts) on a thread of its own (extract-threads.ts), and their results
 * merged into the one a single reader would return (extract-merge.ts).
 */
import type { TaskContext } from '../../sdk/context.ts';
import { mongoUrlFromEnv, type DocumentSource, type DocumentWindow } from '../mongo/source.ts';
import { s3SettingsFromEnv } from '../s3/client.ts';
import { readWatermark } from './bookkeeping.ts';
import { resolveCollection, type CollectionConfig } from './collection.ts';
import { mergeRanges } from './extract-merge.ts';
import { autoReaderLimit, idRanges, readersFor, splitPositions, type IdRange } from './extract-plan.ts';
import { extractRange, type RangeJob } from './extract-range.ts';
import { readRanges, type ThreadConnections } from './extract-threads.ts';
import type { ExtractResult } from './manifest.ts';
import { etlResources, type EtlResources } from './resources.ts';
import { etlEnvOf } from './connections.ts';
import { etlSettings, type EtlSettings } from './settings.ts';

export interface ExtractOptions extends Partial<EtlSettings> {
  /** The caller's own connections (tests): then the `_id` ranges of a ranged extract are read in this thread, not in threads of their own. */
  resources?: EtlResources;
  /** Documents per cursor batch; default 5,000. */
  batchSize?: number;
}

export async function extractCollection(ctx: TaskContext, config: CollectionConfig, options: ExtractOptions = {}): Promise<ExtractResult> {
  const collection = resolveCollection(config);
  const settings = etlSettings(options);
  const { resources, connections } = await extractResources(ctx, options);
  const window = await extractWindow(ctx, collection.collection, collection.modifiedField, resources);
  ctx.log.info(
    { collection: collection.collection, from: window.from?.toISOString() ?? null, until: window.until.toISOString() },
    window.from === null ? 'extracting everything modified before the cutoff' : 'extracting the window',
  );

  const source = resources.source();
  const ranges = await splitWindow(ctx, source, collection.collection, window, settings.readers);
  const jobOf = (range: IdRange, i: number): RangeJob => ({
    collection,
    window: { ...window, ids: range.ids },
    prefix: settings.prefix,
    rowsPerPart: settings.rowsPerPart,
    run: { dagId: ctx.dagId, runId: ctx.runId },
    tryNumber: ctx.tryNumber,
    range: ranges.length > 1 ? i + 1 : undefined,
    batchSize: options.batchSize,
  });
  const started = Date.now();
  const io = { source, store: resources.store(), log: ctx.log, signal: ctx.signal };
  if (ranges.length > 1) {
    ctx.log.info(
      { readers: ranges.length, ranges: ranges.map((range) => range.label) },
      connections ? 'reading the window in _id ranges, each on a thread of its own but the first' : 'reading the window in _id ranges as concurrent cursors in this thread (the caller gave its own connections, which threads cannot share)',
    );
  }
  const results =
    ranges.length === 1 ? [await extractRange(jobOf(ranges[0]!, 0), io)] : await readRanges(ranges.map((range, i) => ({ job: jobOf(range, i), label: range.label })), io, connections);
  const seconds = (Date.now() - started) / 1000;
  const { documents, decoded, tables, collisions } = mergeRanges(collection.table, results);

  if (collisions.length > 0) {
    ctx.log.warn({ collisions }, 'two source fields map to the same column; the first one is kept (rename one in the source or map it)');
  }
  ctx.log.info(
    {
      documents,
      seconds,
      perSecond: seconds > 0 ? Math.round(documents / seconds) : documents,
      ...(ranges.length > 1 ? { readers: ranges.length } : {}),
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

/** The caller's resources, or the task's connections resolved here: then also how a thread connects. */
async function extractResources(ctx: TaskContext, options: ExtractOptions): Promise<{ resources: EtlResources; connections?: ThreadConnections }> {
  if (options.resources) return { resources: options.resources };
  const env = await etlEnvOf(ctx, ['source', 'store', 'warehouse']);
  return { resources: etlResources(env), connections: { mongoUrl: mongoUrlFromEnv(env), s3: s3SettingsFromEnv(env) } };
}

/**
 * The window's `_id` ranges (extract-plan.ts): with more than one reader, the window's documents
 * are counted and the `_id`s at the cuts looked up, each one query. A source that cannot count
 * is read as one range.
 */
async function splitWindow(ctx: TaskContext, source: DocumentSource, collection: string, window: DocumentWindow, readers: number | 'auto'): Promise<IdRange[]> {
  const whole = idRanges([]);
  // Nothing to count where the answer can only be one reader (auto, on a machine of 2 or 3 cores).
  if (readers === 1 || (readers === 'auto' && autoReaderLimit() === 1)) return whole;
  if (!source.count || !source.idAt) {
    ctx.log.info({ readers }, 'this source cannot count a window or find an _id by position: one reader');
    return whole;
  }
  const documents = await source.count(collection, window);
  const count = readersFor(documents, readers);
  if (count === 1) return whole;
  const splits = await Promise.all(splitPositions(documents, count).map((position) => source.idAt!(collection, window, position)));
  // A split past the end (documents deleted since the count) is no split.
  return idRanges(splits.filter((split) => split !== undefined));
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
