/**
 * Variables as stored (README, "Variables"): a secret one's value arrives here sealed
 * (src/engine/secret-box.ts) and is never seen in the clear by this module.
 */
import type { Queryable } from './db.ts';

export interface VariableRow {
  key: string;
  /** A plain variable's value; null for a secret one. */
  value: string | null;
  /** A secret variable's sealed value; null for a plain one. */
  valueSealed: string | null;
  description: string;
}

/** Every variable (or the one of that key), by key; `lock`: FOR UPDATE, inside a transaction that changes it. */
export async function readVariableRows(db: Queryable, key?: string, lock = false): Promise<VariableRow[]> {
  const { rows } = await db.query<VariableRow>(
    `SELECT key, value, value_sealed AS "valueSealed", description FROM variables WHERE $1::text IS NULL OR key = $1 ORDER BY key${lock ? ' FOR UPDATE' : ''}`,
    [key ?? null],
  );
  return rows;
}

/** A new variable; false when one of that key exists. */
export async function insertVariable(db: Queryable, row: VariableRow): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO variables (key, value, value_sealed, description) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [row.key, row.value, row.valueSealed, row.description],
  );
  return rowCount === 1;
}

/** Replaces a variable's value and description; false when there is none of that key. */
export async function updateVariable(db: Queryable, row: VariableRow): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE variables SET value = $2, value_sealed = $3, description = $4, updated_at = now() WHERE key = $1',
    [row.key, row.value, row.valueSealed, row.description],
  );
  return rowCount === 1;
}

export async function deleteVariable(db: Queryable, key: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM variables WHERE key = $1', [key]);
  return rowCount === 1;
}

/** Resealed values in one statement, each only if still the one read (see resealConnections). */
export async function resealVariables(db: Queryable, changes: { key: string; was: string; now: string }[]): Promise<number> {
  if (changes.length === 0) return 0;
  const { rowCount } = await db.query(
    `UPDATE variables v SET value_sealed = n.now, updated_at = now()
     FROM unnest($1::text[], $2::text[], $3::text[]) AS n(key, was, now) WHERE v.key = n.key AND v.value_sealed = n.was`,
    [changes.map((c) => c.key), changes.map((c) => c.was), changes.map((c) => c.now)],
  );
  return rowCount ?? 0;
}
