/**
 * A migrated metadata database of its own for a store test (no Redis, no processes): what the
 * tests of one src/store module need. `close()` drops it.
 */
import { randomBytes } from 'node:crypto';
import { createDb, dropDatabase, ensureDatabase, type Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';

export interface StoreDb {
  url: string;
  db: Db;
  close(): Promise<void>;
}

/** A new, empty database, migrated unless `migrated` is false. */
export async function openStoreDb(label: string, options: { migrated?: boolean } = {}): Promise<StoreDb> {
  const url = `postgres://postgres@127.0.0.1:5432/sluice_${label}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(url);
  const db = createDb(url, 4);
  if (options.migrated !== false) await migrate(db);
  return {
    url,
    db,
    async close() {
      await db.end();
      await dropDatabase(url);
    },
  };
}
