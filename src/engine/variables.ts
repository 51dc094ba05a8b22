/**
 * Variables (README, "Variables"): every change the API and the CLI make goes through here. A
 * variable whose key names a secret (isSecretKey) has its value sealed with SLUICE_SECRET_KEY and
 * shown as "***"; tasks read values in the clear through task-secrets.ts.
 */
import { isSecretKey, SECRET_SHOWN } from '../core/secret-names.ts';
import { conflict, notFound } from '../errors.ts';
import { withTransaction, type Db, type Queryable } from '../store/db.ts';
import { deleteVariable, insertVariable, readVariableRows, updateVariable, upsertVariable, type VariableRow } from '../store/variables.ts';
import type { SecretBox } from './secret-box.ts';

/** A variable as the API and the CLI show it. */
export interface Variable {
  key: string;
  /** "***" for a secret variable. */
  value: string;
  description: string;
}

const noSuchVariable = (key: string) => notFound(`there is no variable "${key}"; "sluice variables list" shows the variables there are`);

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

export async function addVariable(db: Db, box: SecretBox, key: string, value: string, description = ''): Promise<Variable> {
  const row = { key, ...sealValue(box, key, value), description };
  if (!(await insertVariable(db, row))) {
    throw conflict(`variable "${key}" exists already; change it with PATCH /variables/${key} or "sluice variables set ${key} VALUE"`);
  }
  return shown(row);
}

/** Creates the variable or replaces its value: what `sluice variables set` does. */
export async function putVariable(db: Db, box: SecretBox, key: string, value: string, description?: string): Promise<Variable> {
  await upsertVariable(db, { key, ...sealValue(box, key, value), description });
  return requireVariable(db, key);
}

/** Changes the value or description given; a value of "***" for a secret variable (what GET shows) keeps the stored one. */
export async function changeVariable(db: Db, box: SecretBox, key: string, change: { value?: string; description?: string }): Promise<Variable> {
  return withTransaction(db, async (tx) => {
    const [row] = await readVariableRows(tx, key, true);
    if (!row) throw noSuchVariable(key);
    const keep = change.value === undefined || (change.value === SECRET_SHOWN && row.valueSealed !== null);
    const next = { ...row, ...(keep ? {} : sealValue(box, key, change.value!)), description: change.description ?? row.description };
    await updateVariable(tx, next);
    return shown(next);
  });
}

export async function removeVariable(db: Db, key: string): Promise<void> {
  if (!(await deleteVariable(db, key))) throw noSuchVariable(key);
}
