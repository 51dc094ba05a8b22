/**
 * Connections as stored (README, "Connections"): the password and extra arrive here sealed
 * (src/engine/secret-box.ts) and are never seen in the clear by this module.
 */
import type { Queryable } from './db.ts';

export interface ConnectionRow {
  connectionId: string;
  connType: string;
  host: string | null;
  port: number | null;
  login: string | null;
  passwordSealed: string | null;
  schema: string | null;
  /** In the clear only when it was stored with no SLUICE_SECRET_KEY set; else null and in extraSealed. */
  extra: Record<string, unknown> | null;
  extraSealed: string | null;
}

const COLUMNS = `connection_id AS "connectionId", conn_type AS "connType", host, port, login, password_sealed AS "passwordSealed",
  schema, extra, extra_sealed AS "extraSealed"`;

/** Every connection (or the one named), by id; `lock`: FOR UPDATE, inside a transaction that changes it. */
export async function readConnectionRows(db: Queryable, connectionId?: string, lock = false): Promise<ConnectionRow[]> {
  const { rows } = await db.query<ConnectionRow>(
    `SELECT ${COLUMNS} FROM connections WHERE $1::text IS NULL OR connection_id = $1 ORDER BY connection_id${lock ? ' FOR UPDATE' : ''}`,
    [connectionId ?? null],
  );
  return rows;
}

const values = (r: ConnectionRow) => [r.connectionId, r.connType, r.host, r.port, r.login, r.passwordSealed, r.schema, r.extra, r.extraSealed];

/** A new connection; false when one of that id exists. */
export async function insertConnection(db: Queryable, row: ConnectionRow): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO connections (connection_id, conn_type, host, port, login, password_sealed, schema, extra, extra_sealed)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
    values(row),
  );
  return rowCount === 1;
}

/** Replaces every field of a connection; false when there is none of that id. */
export async function updateConnection(db: Queryable, row: ConnectionRow): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE connections SET conn_type = $2, host = $3, port = $4, login = $5, password_sealed = $6, schema = $7, extra = $8, extra_sealed = $9,
       updated_at = now() WHERE connection_id = $1`,
    values(row),
  );
  return rowCount === 1;
}

export async function deleteConnection(db: Queryable, connectionId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM connections WHERE connection_id = $1', [connectionId]);
  return rowCount === 1;
}

/**
 * Resealed passwords and extras, in one statement. Each row is changed only if its sealed values
 * are still those that were read (`was`): a connection changed meanwhile is already sealed under
 * the current key, and keeps what was written last. Returns how many rows were changed.
 */
export async function resealConnections(db: Queryable, changes: { was: ConnectionRow; now: ConnectionRow }[]): Promise<number> {
  if (changes.length === 0) return 0;
  const { rowCount } = await db.query(
    `UPDATE connections c SET password_sealed = n.password, extra = NULL, extra_sealed = n.extra, updated_at = now()
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) AS n(id, password, extra, old_password, old_extra, old_plain)
     WHERE c.connection_id = n.id AND c.password_sealed IS NOT DISTINCT FROM n.old_password
       AND c.extra_sealed IS NOT DISTINCT FROM n.old_extra AND c.extra IS NOT DISTINCT FROM n.old_plain`,
    [
      changes.map((c) => c.now.connectionId),
      changes.map((c) => c.now.passwordSealed),
      changes.map((c) => c.now.extraSealed),
      changes.map((c) => c.was.passwordSealed),
      changes.map((c) => c.was.extraSealed),
      changes.map((c) => (c.was.extra === null ? null : JSON.stringify(c.was.extra))),
    ],
  );
  return rowCount ?? 0;
}
