import { setTimeout as delay } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import type { Logger } from '../src/log.ts';
import { redactSecrets } from '../src/core/redact.ts';
import { ConfigError } from './config.ts';

export interface ConnectOptions {
  log: Logger;
  /** Give up after this long. Default 60 s: compose starts mongo and this service together. */
  timeoutMs?: number;
  /** Pause between attempts. Default 2 s. */
  pauseMs?: number;
  /** Aborting stops the retries; the result is then undefined. */
  signal?: AbortSignal;
}

export class MongoUnreachableError extends Error {
  override name = 'MongoUnreachableError';
}

/**
 * A connected client, trying again until MongoDB answers a ping or `timeoutMs` has passed, with a
 * log line per attempt so a slow start is visibly a wait and not a hang.
 */
export async function connectWithRetry(url: string, options: ConnectOptions): Promise<MongoClient | undefined> {
  const { log, signal } = options;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pauseMs = options.pauseMs ?? 2_000;
  const shownUrl = redactSecrets(url);
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    let client: MongoClient;
    try {
      // Each attempt's server selection is short, so the log shows progress every few seconds.
      client = new MongoClient(url, { serverSelectionTimeoutMS: Math.min(5_000, timeoutMs), connectTimeoutMS: 5_000 });
    } catch (error) {
      // The constructor only parses (MongoParseError, MongoAPIError for bad options): a settings problem.
      throw new ConfigError(`MONGO_URL is not a usable MongoDB connection string (${redactSecrets((error as Error).message)}): "${shownUrl}"`);
    }
    log.info({ url: shownUrl, attempt }, `connecting to MongoDB at ${shownUrl} (attempt ${attempt})`);
    // A stop request ends the attempt at once instead of after its server selection timeout.
    const closeOnAbort = (): void => void client.close().catch(() => undefined);
    signal?.addEventListener('abort', closeOnAbort, { once: true });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      log.info({ url: shownUrl, attempt }, 'connected to MongoDB');
      return client;
    } catch (error) {
      await client.close().catch(() => undefined);
      if (signal?.aborted) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new MongoUnreachableError(`MongoDB at ${shownUrl} did not answer within ${Math.round(timeoutMs / 1000)} s: ${redactSecrets((error as Error).message)}`);
      }
      log.warn(
        { url: shownUrl, attempt, err: redactSecrets((error as Error).message) },
        `MongoDB not reachable yet (attempt ${attempt}); trying again for up to ${Math.ceil(left / 1000)} s more`,
      );
    } finally {
      signal?.removeEventListener('abort', closeOnAbort);
    }
    try {
      await delay(Math.min(pauseMs, Math.max(0, deadline - Date.now())), undefined, { signal });
    } catch {
      return undefined; // aborted while waiting
    }
  }
}
