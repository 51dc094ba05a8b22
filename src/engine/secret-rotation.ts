/**
 * `sluice secrets rotate` (README, "Secrets"): reseals every stored secret that was sealed under
 * an older key (SLUICE_SECRET_KEY_PREVIOUS) with SLUICE_SECRET_KEY, and seals the extras that were
 * stored in the clear while no key was set. Once it has run, the previous keys can be removed.
 *
 * It may run while the API changes the same rows: each row is written back only if it still
 * holds what was read (resealConnections / resealVariables), and a row changed meanwhile was
 * sealed under the current key by that change, so nothing is lost and nothing is left behind.
 */
import { badRequest } from '../errors.ts';
import { readConnectionRows, resealConnections } from '../store/connections.ts';
import type { Queryable } from '../store/db.ts';
import { readVariableRows, resealVariables } from '../store/variables.ts';
import { openConnection, sealConnection } from './connections.ts';
import type { SecretBox } from './secret-box.ts';
import { openValue, sealValue } from './variables.ts';

export interface Resealed {
  connections: number;
  variables: number;
}

export async function resealSecrets(db: Queryable, box: SecretBox): Promise<Resealed> {
  if (box.currentFingerprint === undefined) {
    throw badRequest('there is no key to reseal with: set SLUICE_SECRET_KEY to the new key (e.g. from "openssl rand -hex 32") and SLUICE_SECRET_KEY_PREVIOUS to the old one');
  }
  const stale = (sealed: string | null) => sealed !== null && box.isStale(sealed);
  const connections = (await readConnectionRows(db))
    .filter((row) => stale(row.passwordSealed) || stale(row.extraSealed) || row.extra !== null)
    .map((was) => ({ was, now: sealConnection(box, was.connectionId, openConnection(box, was)) }));
  const variables = (await readVariableRows(db))
    .filter((row) => stale(row.valueSealed))
    .map((row) => ({ key: row.key, was: row.valueSealed!, now: sealValue(box, row.key, openValue(box, row)).valueSealed! }));
  return { connections: await resealConnections(db, connections), variables: await resealVariables(db, variables) };
}
