/**
 * The ETL's only view of MongoDB: read the documents of a collection modified in a window, as a
 * stream. Everything else in the pipeline works on plain documents, so it is tested with real
 * parts whether or not a MongoDB server is at hand.
 *
 * `MONGO_URL` (default `mongodb://127.0.0.1:27017/shop`): the database is the URL's path.
 */
import { MongoClient, type Document, type Filter, type FindCursor } from 'mongodb';
import { redactError, redactSecrets } from '../../core/redact.ts';
import { commandBatches, commandsReachCursors, cursorBatches } from './bson-batches.ts';

export interface DocumentWindow {
  /** The field holding each document's last-modified Date, e.g. `updatedAt`. */
  modifiedField: string;
  /** Inclusive; null takes everything modified before `until` (and documents without the field). */
  from: Date | null;
  /** Exclusive: the same cutoff for every collection of a run, so related tables agree. */
  until: Date;
  /** A condition on `_id` that narrows the window to one of its ranges (extract-plan.ts); none: every `_id`. */
  ids?: Document;
}

export interface ReadOptions {
  batchSize?: number;
  signal?: AbortSignal;
}

export interface DocumentSource {
  /** Streams the window's documents; memory is bounded by the batch size, not the collection. */
  read(collection: string, window: DocumentWindow, options?: ReadOptions): AsyncIterable<Record<string, unknown>>;
  /**
   * The same documents undecoded, as BSON bytes, a batch at a time (optional): what extract
   * flattens without the driver's objects. A source without it is read with `read`.
   */
  readBson?(collection: string, window: DocumentWindow, options?: ReadOptions): AsyncIterable<Uint8Array[]>;
  /**
   * About how many documents the window holds, for cutting it into `_id` ranges (optional: a
   * source without it and idAt is read as one range). How near: see cutsWholeCollection below.
   */
  count?(collection: string, window: DocumentWindow): Promise<number>;
  /** The `_id` at about `position` (0-based) of the window in `_id` order; undefined past its end. */
  idAt?(collection: string, window: DocumentWindow, position: number): Promise<unknown>;
  close(): Promise<void>;
}

export const DEFAULT_MONGO_URL = 'mongodb://127.0.0.1:27017/shop';
const DEFAULT_BATCH_SIZE = 5000;

export function mongoUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.MONGO_URL?.trim() || DEFAULT_MONGO_URL;
  if (!/^mongodb(\+srv)?:\/\//.test(url)) {
    throw new Error(`MONGO_URL must be a MongoDB connection string such as ${DEFAULT_MONGO_URL}, got "${redactSecrets(url)}"`);
  }
  return url;
}

/** The query of a window (pure). */
export function windowFilter(window: DocumentWindow): Filter<Document> {
  const field = window.modifiedField;
  const modified = window.from === null ? { $nor: [{ [field]: { $gte: window.until } }] } : { [field]: { $gte: window.from, $lt: window.until } };
  return window.ids === undefined ? modified : { $and: [modified, { _id: window.ids }] };
}

export function openMongoSource(url: string): DocumentSource {
  let client: MongoClient;
  try {
    client = new MongoClient(url, {
      appName: 'sluice-etl',
      serverSelectionTimeoutMS: 15_000,
      // Invalid UTF-8 in a stored string must not stop the whole extract: it arrives with U+FFFD
      // in its place, and stage_load counts it as a repair.
      enableUtf8Validation: false,
    });
  } catch (error) {
    // The driver's parse errors may quote the URL, and their causes (Node's URL errors) do:
    // redacted in place, so the cause kept for the log shows nothing either.
    const { message } = redactError(error);
    throw new Error(`the MongoDB URL ${redactSecrets(url)} cannot be used: ${message}; check MONGO_URL, e.g. ${DEFAULT_MONGO_URL}`, { cause: error });
  }
  /** A window's cursor, closed when the reader stops or `signal` aborts. */
  async function* cursorOf<T>(collection: string, window: DocumentWindow, options: ReadOptions, raw: boolean, read: (cursor: FindCursor) => AsyncIterable<T>) {
    const cursor = client.db().collection(collection).find(windowFilter(window), { batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE, raw });
    const abort = () => void cursor.close().catch(() => undefined);
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      yield* read(cursor);
    } finally {
      options.signal?.removeEventListener('abort', abort);
      await cursor.close().catch(() => undefined);
    }
  }
  let byCommands: Promise<boolean> | undefined;
  async function* bsonOf(collection: string, window: DocumentWindow, options: ReadOptions) {
    if (!byCommands) {
      byCommands = commandsReachCursors(client);
      // Not known (the server did not answer): asked again by the next read.
      byCommands.catch(() => (byCommands = undefined));
    }
    if (await byCommands) yield* commandBatches(client.db(), collection, windowFilter(window), options.batchSize ?? DEFAULT_BATCH_SIZE, options.signal);
    else yield* cursorOf(collection, window, options, true, cursorBatches);
  }
  return {
    read(collection, window, options = {}) {
      return described(collection, cursorOf(collection, window, options, false, (cursor) => cursor), options.signal);
    },
    readBson(collection, window, options = {}) {
      return described(collection, bsonOf(collection, window, options), options.signal);
    },
    count(collection, window) {
      const documents = client.db().collection(collection);
      return describedCall(collection, () => (cutsWholeCollection(window) ? documents.estimatedDocumentCount() : documents.countDocuments(windowFilter(window))));
    },
    idAt(collection, window, position) {
      const find = { projection: { _id: 1 }, sort: { _id: 1 }, skip: position, limit: 1 } as const;
      const filter = cutsWholeCollection(window) ? {} : windowFilter(window);
      return describedCall(collection, async () => (await client.db().collection(collection).find(filter, find).next())?._id);
    },
    async close() {
      await client.close();
    },
  };
}

/**
 * Whether a window's `_id` cuts are taken from the whole collection: a window of everything
 * before the cutoff (a first load, a full refresh) is all of it but what changed since, so the
 * collection's size (from its metadata) and positions in the `_id` index alone (no document
 * read) cut it nearly as evenly as a count and a filtered walk, which would each read every
 * document before the extract reads them again. The ranges are a partition of any set, so a
 * less even cut is slower, never wrong.
 */
function cutsWholeCollection(window: DocumentWindow): boolean {
  return window.from === null && window.ids === undefined;
}

/** Failures say which collection, without the URL's secrets. */
async function describedCall<T>(collection: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const { message } = redactError(error);
    throw new Error(`reading MongoDB collection "${collection}" failed: ${message}`, { cause: error });
  }
}

async function* described<T>(collection: string, items: AsyncIterable<T>, signal?: AbortSignal): AsyncGenerator<T> {
  try {
    for await (const item of items) {
      signal?.throwIfAborted();
      yield item;
    }
  } catch (error) {
    const { message } = redactError(error);
    throw new Error(`reading MongoDB collection "${collection}" failed: ${message}`, { cause: error });
  }
}
