/**
 * Variables (README, "Variables"): every change the API and the CLI make goes through here. A
 * variable whose key names a secret (isSecretKey) has its value sealed with SLUICE_SECRET_KEY and
 * shown as "***"; tasks read values in the clear through task-secrets.ts. Each change is written
 * to the audit log (variable_create, variable_update, variable_delete) in its own transaction when
 * an actor is given, with the variable as shown (a secret one's value "***").
 */
import { isSecretKey, SECRET_SHOWN } from '../core/secret-names.ts';
import { conflict, notFound } from '../errors.ts';
import { withTransaction, type Db, type Queryable } from '../store/db.ts';
import { recordAudit } from '../store/audit-log.ts';
import { deleteVariable, insertVariable, readVariableRows, updateVariable, type VariableRow } from '../store/variables.ts';
import { auditedChange, type Actor } from './audit.ts';
import type { SecretBox } from './secret-box.ts';

/** A variable as the API and the CLI show it. */
export interface Variable {
  key: string;
  /** "***" for a secret variable. */
  value: string;
  description: string;
}

const noSuchVariable = (key: string) => notFound(`there is no variable "${key}"; "sluice variables list" shows the variables there are`);

const exists = (key: string) => conflict(`variable "${key}" exists already; change it with PATCH /variables/${key} or "sluice variables set ${key} VALUE"`);

const valuePlace = (key: string) => `variable:${key}:value`;

export function sealValue(box: SecretBox, key: string, value: string): Pick<VariableRow, 'value' | 'valueSealed'> {
  if (!isSecretKey(key)) return { value, valueSealed: null };
  return { value: null, valueSealed: box.seal(value, valuePlace(key), `the value of secret variable "${key}"`) };
}

/** A stored variable's value in the clear: what a task gets. */
export function openValue(box: SecretBox, row: VariableRow): string {
  return row.valueSealed === null ? row.value! : box.open(row.valueSealed, valuePlace(row.key), `the value of secret variable "${row.key}"`);
}

const shown = (row: VariableRow): Variable => ({ key: row.key, value: row.valueSealed === null ? row.value! : SECRET_SHOWN, description: row.description });

export async function listVariables(db: Queryable): Promise<Variable[]> {
  return (await readVariableRows(db)).map(shown);
}

export async function requireVariable(db: Queryable, key: string): Promise<Variable> {
  const [row] = await readVariableRows(db, key);
  if (!row) throw noSuchVariable(key);
  return shown(row);
}

export async function addVariable(db: Db, box: SecretBox, key: string, value: string, description = '', actor?: Actor): Promise<Variable> {
  const row = { key, ...sealValue(box, key, value), description };
  const entry = { action: 'variable_create', details: { ...shown(row) } } as const;
  if (!(await auditedChange(db, actor, entry, (tx) => insertVariable(tx, row)))) throw exists(key);
  return shown(row);
}

/**
 * Creates the variable or replaces its value (a description left out stays): what `sluice
 * variables set` does. Read with the row locked, then changed or added, so the audit log says
 * which it was; an add that loses a race with another add is a 409, as two adds at once are.
 */
export async function putVariable(db: Db, box: SecretBox, key: string, value: string, description?: string, actor?: Actor): Promise<Variable> {
  return withTransaction(db, async (tx) => {
    const [row] = await readVariableRows(tx, key, true);
    if (row) return applyChange(tx, box, row, { value, description }, actor, false);
    const added = { key, ...sealValue(box, key, value), description: description ?? '' };
    if (!(await insertVariable(tx, added))) throw exists(key);
    if (actor) await recordAudit(tx, actor, { action: 'variable_create', details: { ...shown(added) } });
    return shown(added);
  });
}

/** Changes the value or description given; a value of "***" for a secret variable (what GET shows) keeps the stored one. */
export async function changeVariable(db: Db, box: SecretBox, key: string, change: VariableChange, actor?: Actor): Promise<Variable> {
  return withTransaction(db, async (tx) => {
    const [row] = await readVariableRows(tx, key, true);
    if (!row) throw noSuchVariable(key);
    return applyChange(tx, box, row, change, actor, true);
  });
}

type VariableChange = { value?: string; description?: string };

/** The change to a locked row; with `keepShown` false (`variables set`), "***" is a value like any other. */
async function applyChange(tx: Queryable, box: SecretBox, row: VariableRow, change: VariableChange, actor: Actor | undefined, keepShown: boolean): Promise<Variable> {
  const keep = change.value === undefined || (keepShown && change.value === SECRET_SHOWN && row.valueSealed !== null);
  const next = { ...row, ...(keep ? {} : sealValue(box, row.key, change.value!)), description: change.description ?? row.description };
  await updateVariable(tx, next);
  const after = shown(next);
  if (actor) await recordAudit(tx, actor, { action: 'variable_update', details: { ...after } });
  return after;
}

export async function removeVariable(db: Db, key: string, actor?: Actor): Promise<void> {
  const entry = { action: 'variable_delete', details: { key } } as const;
  if (!(await auditedChange(db, actor, entry, (tx) => deleteVariable(tx, key)))) throw noSuchVariable(key);
}
