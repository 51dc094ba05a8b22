/**
 * Connections (README, "Connections"): every change the API and the CLI make goes through here.
 * The password and the extra are sealed with SLUICE_SECRET_KEY before they reach the store, and
 * what is shown never holds a password (`"***"` when one is set, null when none is); an extra's
 * entries whose keys name a secret are shown as `"***"` too. Tasks read connections in the clear
 * through task-secrets.ts. Each change is written to the audit log (connection_create,
 * connection_update, connection_delete) in its own transaction when an actor is given, with the
 * connection as shown, so the log never holds a password either.
 */
import type { ConnectionFields } from '../core/connection-uri.ts';
import { isSecretKey, SECRET_SHOWN } from '../core/secret-names.ts';
import { conflict, notFound } from '../errors.ts';
import { readConnectionRows, deleteConnection, insertConnection, updateConnection, type ConnectionRow } from '../store/connections.ts';
import { withTransaction, type Db, type Queryable } from '../store/db.ts';
import { recordAudit } from '../store/audit-log.ts';
import { auditedChange, type Actor } from './audit.ts';
import type { SecretBox } from './secret-box.ts';

/** A connection as the API and the CLI show it. */
export interface Connection extends Omit<ConnectionFields, 'password'> {
  connectionId: string;
  /** "***" when one is set, null when none is: never the password. */
  password: typeof SECRET_SHOWN | null;
}

/** What a change gives; a field left out stays. A password of "***" (what GET shows) keeps the stored one, null removes it. */
export type ConnectionChange = Partial<ConnectionFields>;

const noSuchConnection = (connectionId: string) =>
  notFound(`there is no connection "${connectionId}"; "sluice connections list" shows the connections there are`);

const passwordPlace = (id: string) => `connection:${id}:password`;
const extraPlace = (id: string) => `connection:${id}:extra`;

/** The row a connection's fields are stored as: password and extra sealed (an extra in the clear only without a key). */
export function sealConnection(box: SecretBox, connectionId: string, c: ConnectionFields): ConnectionRow {
  const what = `connection "${connectionId}"`;
  const hasExtra = Object.keys(c.extra).length > 0;
  // Without a key an extra is kept in the clear, unless an entry names a secret: then seal() refuses, as for a password.
  const sealExtra = hasExtra && (box.currentFingerprint !== undefined || Object.keys(c.extra).some(isSecretKey));
  return {
    connectionId,
    connType: c.connType,
    host: c.host,
    port: c.port,
    login: c.login,
    passwordSealed: c.password === null ? null : box.seal(c.password, passwordPlace(connectionId), `the password of ${what}`),
    schema: c.schema,
    extra: hasExtra && !sealExtra ? c.extra : null,
    extraSealed: sealExtra ? box.seal(JSON.stringify(c.extra), extraPlace(connectionId), `the extra of ${what}`) : null,
  };
}

/** A stored connection's fields in the clear: what a task gets (and what a change starts from). */
export function openConnection(box: SecretBox, row: ConnectionRow): ConnectionFields {
  const what = `connection "${row.connectionId}"`;
  return {
    connType: row.connType,
    host: row.host,
    port: row.port,
    login: row.login,
    password: row.passwordSealed === null ? null : box.open(row.passwordSealed, passwordPlace(row.connectionId), `the password of ${what}`),
    schema: row.schema,
    extra: row.extraSealed === null ? (row.extra ?? {}) : (JSON.parse(box.open(row.extraSealed, extraPlace(row.connectionId), `the extra of ${what}`)) as Record<string, unknown>),
  };
}

function shown(box: SecretBox, row: ConnectionRow): Connection {
  const open = openConnection(box, row);
  const extra = Object.fromEntries(Object.entries(open.extra).map(([k, v]) => [k, isSecretKey(k) ? SECRET_SHOWN : v]));
  return { connectionId: row.connectionId, ...open, password: row.passwordSealed === null ? null : SECRET_SHOWN, extra };
}

export async function listConnections(db: Queryable, box: SecretBox): Promise<Connection[]> {
  return (await readConnectionRows(db)).map((row) => shown(box, row));
}

export async function requireConnection(db: Queryable, box: SecretBox, connectionId: string): Promise<Connection> {
  const [row] = await readConnectionRows(db, connectionId);
  if (!row) throw noSuchConnection(connectionId);
  return shown(box, row);
}

export async function addConnection(db: Db, box: SecretBox, connectionId: string, fields: ConnectionFields, actor?: Actor): Promise<Connection> {
  const row = sealConnection(box, connectionId, fields);
  const entry = { action: 'connection_create', details: { ...shown(box, row) } } as const;
  if (!(await auditedChange(db, actor, entry, (tx) => insertConnection(tx, row)))) {
    throw conflict(`connection "${connectionId}" exists already; change it with PATCH /connections/${connectionId}, or delete it first with "sluice connections delete ${connectionId}"`);
  }
  return shown(box, row);
}

/**
 * Changes the fields given. Read and written in one transaction with the row locked, so two
 * changes at once each keep the other's fields rather than the last one writing back a stale copy.
 */
export async function changeConnection(db: Db, box: SecretBox, connectionId: string, change: ConnectionChange, actor?: Actor): Promise<Connection> {
  return withTransaction(db, async (tx) => {
    const [row] = await readConnectionRows(tx, connectionId, true);
    if (!row) throw noSuchConnection(connectionId);
    const before = openConnection(box, row);
    const defined = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) as ConnectionChange;
    if (defined.password === SECRET_SHOWN) delete defined.password;
    // An extra entry shown as "***" (its key names a secret) keeps the stored value.
    if (defined.extra) defined.extra = Object.fromEntries(Object.entries(defined.extra).map(([k, v]) => [k, v === SECRET_SHOWN && k in before.extra ? before.extra[k] : v]));
    const next = sealConnection(box, connectionId, { ...before, ...defined });
    await updateConnection(tx, next);
    const after = shown(box, next);
    if (actor) await recordAudit(tx, actor, { action: 'connection_update', details: { ...after } });
    return after;
  });
}

export async function removeConnection(db: Db, connectionId: string, actor?: Actor): Promise<void> {
  const entry = { action: 'connection_delete', details: { connectionId } } as const;
  if (!(await auditedChange(db, actor, entry, (tx) => deleteConnection(tx, connectionId)))) throw noSuchConnection(connectionId);
}
