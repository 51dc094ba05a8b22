/**
 * The ETL's only view of MongoDB: read the documents of a collection modified in a window, as a
 * stream. Everything else in the pipeline works on plain documents, so it is tested with real
 * parts whether or not a MongoDB server is at hand.
 *
 * `MONGO_URL` (default `mongodb://127.0.0.1:27017/shop`): the database is the URL's path.
 */
import { MongoClient, type Document, type Filter } from 'mongodb';
import { redactError, redactSecrets } from '../../core/redact.ts';

export interface DocumentWindow {
  /** The field holding each document's last-modified Date, e.g. `updatedAt`. */
  modifiedField: string;
  /** Inclusive; null takes everything modified before `until` (and documents without the field). */
  from: Date | null;
  /** Exclusive: the same cutoff for every collection of a run, so related tables agree. */
  until: Date;
}

export interface DocumentSource {
  /** Streams the window's documents; memory is bounded by the batch size, not the collection. */
  read(collection: string, window: DocumentWindow, options?: { batchSize?: number; signal?: AbortSignal }): AsyncIterable<Record<string, unknown>>;
  close(): Promise<void>;
}

export const DEFAULT_MONGO_URL = 'mongodb://127.0.0.1:27017/shop';

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
  if (window.from === null) return { $nor: [{ [field]: { $gte: window.until } }] };
  return { [field]: { $gte: window.from, $lt: window.until } };
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
  return {
    async *read(collection, window, options = {}) {
      const cursor = client.db().collection(collection).find(windowFilter(window), { batchSize: options.batchSize ?? 5000 });
      const abort = () => void cursor.close().catch(() => undefined);
      options.signal?.addEventListener('abort', abort, { once: true });
      try {
        for await (const document of cursor) {
          options.signal?.throwIfAborted();
          yield document;
        }
      } catch (error) {
        const { message } = redactError(error);
        throw new Error(`reading MongoDB collection "${collection}" failed: ${message}`, { cause: error });
      } finally {
        options.signal?.removeEventListener('abort', abort);
        await cursor.close().catch(() => undefined);
      }
    },
    async close() {
      await client.close();
    },
  };
}
