/**
 * Pools by hand (README, "Pools"): what the API and the CLI change. A change of size takes effect
 * at once: the schedulers are woken, so tasks waiting for room in a pool made larger are admitted
 * now rather than at the next loop; a pool made smaller admits nothing more until what it holds
 * is back within its size (nothing running is stopped). Each change is written to the audit log
 * (pool_create, pool_update, pool_delete) in its own transaction, when an actor is given.
 */
import { conflict, notFound } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { createPool, deletePool, DEFAULT_POOL, listPoolUsage, updatePool, type PoolUsage } from '../store/pools.ts';
import { auditedChange, type Actor } from './audit.ts';
import { wakeSchedulers } from './services.ts';

const noSuchPool = (pool: string) => notFound(`there is no pool "${pool}"; "sluice pools list" shows the pools there are`);

export async function requirePool(db: Db, pool: string): Promise<PoolUsage> {
  const [found] = await listPoolUsage(db, pool);
  if (!found) throw noSuchPool(pool);
  return found;
}

export async function addPool(db: Db, pool: string, slots: number, description = '', actor?: Actor): Promise<PoolUsage> {
  const entry = { action: 'pool_create', details: { pool, slots, description } } as const;
  if (!(await auditedChange(db, actor, entry, (tx) => createPool(tx, pool, slots, description)))) {
    throw conflict(`pool "${pool}" exists already; change its size with PATCH /pools/${pool} or "sluice pools set ${pool} --slots N"`);
  }
  await wakeSchedulers(db);
  return requirePool(db, pool);
}

export async function changePool(db: Db, pool: string, change: { slots?: number; description?: string }, actor?: Actor): Promise<PoolUsage> {
  const entry = { action: 'pool_update', details: { pool, ...change } } as const;
  if (!(await auditedChange(db, actor, entry, (tx) => updatePool(tx, pool, change)))) throw noSuchPool(pool);
  await wakeSchedulers(db);
  return requirePool(db, pool);
}

/** Creates the pool or changes it: what `sluice pools set` does. */
export async function putPool(db: Db, pool: string, slots: number, description?: string, actor?: Actor): Promise<PoolUsage> {
  const entry = { action: 'pool_update', details: { pool, slots, description } } as const;
  if (await auditedChange(db, actor, entry, (tx) => updatePool(tx, pool, { slots, description }))) {
    await wakeSchedulers(db);
    return requirePool(db, pool);
  }
  return addPool(db, pool, slots, description, actor);
}

export async function removePool(db: Db, pool: string, actor?: Actor): Promise<void> {
  if (pool === DEFAULT_POOL) throw conflict(`"${DEFAULT_POOL}" cannot be deleted: every task that names no pool runs in it; change its size instead`);
  const entry = { action: 'pool_delete', details: { pool } } as const;
  if (!(await auditedChange(db, actor, entry, (tx) => deletePool(tx, pool)))) throw noSuchPool(pool);
}
