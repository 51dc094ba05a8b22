/**
 * The connections ETL tasks share within one worker process: one MongoDB client, one S3 client,
 * one warehouse pool, made on first use from the environment and reused by every task after.
 * Keyed by their settings, so a process that changes its environment (a test) gets fresh ones.
 */
import type pg from 'pg';
import { openMongoSource, mongoUrlFromEnv, type DocumentSource } from '../mongo/source.ts';
import { openWarehouse, warehouseUrl } from '../postgres/connection.ts';
import { createS3Client, s3SettingsFromEnv } from '../s3/client.ts';
import type { ObjectStore } from '../s3/objects.ts';

export interface EtlResources {
  source(): DocumentSource;
  store(): ObjectStore;
  warehouse(): Promise<pg.Pool>;
}

interface Cached {
  source?: DocumentSource;
  store?: ObjectStore;
  warehouse?: Promise<pg.Pool>;
}

const cache = new Map<string, Cached>();

export function etlResources(env: NodeJS.ProcessEnv = process.env): EtlResources {
  const mongoUrl = () => mongoUrlFromEnv(env);
  const s3 = () => s3SettingsFromEnv(env);
  const warehouse = () => warehouseUrl(env);
  const entry = (key: string): Cached => {
    let cached = cache.get(key);
    if (!cached) cache.set(key, (cached = {}));
    return cached;
  };
  return {
    source() {
      const cached = entry(`mongo ${mongoUrl()}`);
      return (cached.source ??= openMongoSource(mongoUrl()));
    },
    store() {
      const settings = s3();
      const cached = entry(`s3 ${JSON.stringify(settings)}`);
      return (cached.store ??= { client: createS3Client(settings), bucket: settings.bucket });
    },
    warehouse() {
      const cached = entry(`warehouse ${warehouse()}`);
      if (!cached.warehouse) {
        const opening = openWarehouse(warehouse(), { max: 8 });
        // A failed open is not cached: the next try connects again.
        opening.catch(() => {
          if (cached.warehouse === opening) cached.warehouse = undefined;
        });
        cached.warehouse = opening;
      }
      return cached.warehouse;
    },
  };
}

/** Closes every shared connection of this process (tests, shutdown). */
export async function closeEtlResources(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  await Promise.all(
    all.map(async (cached) => {
      await cached.source?.close().catch(() => undefined);
      cached.store?.client.destroy();
      const pool = await cached.warehouse?.catch(() => undefined);
      await pool?.end().catch(() => undefined);
    }),
  );
}
