import type { Queryable } from './db.ts';

export interface PoolRecord {
  pool: string;
  slots: number;
  description: string;
}

/**
 * Airflow's default pool size: what a pool that tasks name but nobody created gets, and what
 * admission assumes for a pool with no row (sluice_pool_room in src/store/functions, where it is
 * the placeholder {{DEFAULT_POOL_SLOTS}}).
 */
export const DEFAULT_POOL_SLOTS = 128;

/** Pools that tasks name but nobody created get Airflow's default size. */
export async function ensurePools(db: Queryable, pools: string[]): Promise<void> {
  if (pools.length === 0) return;
  await db.query(`INSERT INTO pools (pool, slots) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`, [pools, DEFAULT_POOL_SLOTS]);
}

export async function listPools(db: Queryable): Promise<PoolRecord[]> {
  const { rows } = await db.query<PoolRecord>('SELECT pool, slots, description FROM pools ORDER BY pool');
  return rows;
}

export async function setPool(db: Queryable, pool: string, slots: number, description?: string): Promise<void> {
  await db.query(
    `INSERT INTO pools (pool, slots, description) VALUES ($1, $2, COALESCE($3, ''))
     ON CONFLICT (pool) DO UPDATE SET slots = EXCLUDED.slots, description = COALESCE($3, pools.description)`,
    [pool, slots, description ?? null],
  );
}
