import { OCCUPYING_TASK_STATES, sqlList } from '../core/states.ts';
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

/** The pool every task is in unless it names another; it cannot be deleted. */
export const DEFAULT_POOL = 'default_pool';

/** A pool with what its tasks use of it now: the shape GET /pools and `sluice pools list --json` show. */
export interface PoolUsage {
  name: string;
  slots: number;
  description: string;
  /** Slots of the tries queued or running in it: what admission counts against `slots`. */
  occupiedSlots: number;
  /** Slots the task instances scheduled in it wait for: admitted once room frees. */
  queuedSlots: number;
}

/** Every pool (or the one named), with its occupied and queued slots: one pass over each partial index. */
export async function listPoolUsage(db: Queryable, pool?: string): Promise<PoolUsage[]> {
  const { rows } = await db.query<PoolUsage>(
    `SELECT p.pool AS name, p.slots, p.description,
            COALESCE((SELECT sum(ti.pool_slots) FROM task_instances ti WHERE ti.pool = p.pool AND ti.state IN (${sqlList(OCCUPYING_TASK_STATES)})), 0)::int AS "occupiedSlots",
            COALESCE((SELECT sum(ti.pool_slots) FROM task_instances ti WHERE ti.pool = p.pool AND ti.state = 'scheduled'), 0)::int AS "queuedSlots"
     FROM pools p WHERE $1::text IS NULL OR p.pool = $1 ORDER BY p.pool`,
    [pool ?? null],
  );
  return rows;
}

/** A new pool; false when one of that name exists. */
export async function createPool(db: Queryable, pool: string, slots: number, description: string): Promise<boolean> {
  const { rowCount } = await db.query('INSERT INTO pools (pool, slots, description) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [pool, slots, description]);
  return rowCount === 1;
}

/** Changes a pool's slots or description (what is undefined stays); false when there is no such pool. */
export async function updatePool(db: Queryable, pool: string, change: { slots?: number; description?: string }): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE pools SET slots = COALESCE($2, slots), description = COALESCE($3, description) WHERE pool = $1', [
    pool,
    change.slots ?? null,
    change.description ?? null,
  ]);
  return rowCount === 1;
}

/** Deletes a pool; false when there was none. Tasks that name it later get it back at the default size (ensurePools). */
export async function deletePool(db: Queryable, pool: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM pools WHERE pool = $1', [pool]);
  return rowCount === 1;
}
