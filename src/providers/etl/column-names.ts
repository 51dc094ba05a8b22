/**
 * How source field paths become warehouse identifiers: `address.zipCode` → `address_zip_code`.
 * One place, so extract, stage_load and the migrations a user writes agree on every name.
 */
import { createHash } from 'node:crypto';

/** Postgres truncates identifiers longer than this many bytes; we shorten them ourselves instead. */
const MAX_IDENTIFIER = 63;

/** The column of the source key (`_id`) in every parent table. */
export const SOURCE_ID_COLUMN = 'source_id';
/** Child tables: the parent's source key, and the element's position in its array. */
export const PARENT_SOURCE_ID_COLUMN = 'parent_source_id';
export const INDEX_COLUMN = 'idx';
/** Child tables made from arrays of scalars keep the element here. */
export const VALUE_COLUMN = 'value';

/** camelCase and odd characters to snake_case: `weightKg` → `weight_kg`, `e-mail` → `e_mail`. */
export function snakeCase(segment: string): string {
  const snake = segment
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  return snake === '' ? 'field' : snake;
}

/** The column (or child-table suffix) for a field path; never longer than Postgres allows. */
export function columnName(path: readonly string[]): string {
  const name = path.map(snakeCase).join('_');
  const safe = /^[0-9]/.test(name) ? `f_${name}` : name;
  return shorten(safe);
}

/** A child table's name: the parent table and the array's path, `orders` + `items` → `orders_items`. */
export function childTableName(parentTable: string, path: readonly string[]): string {
  return shorten(`${parentTable}_${columnName(path)}`);
}

function shorten(name: string): string {
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER) return name;
  const hash = createHash('sha1').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_IDENTIFIER - 9)}_${hash}`;
}

/** A table or column name as SQL: checked to be a plain identifier, then double-quoted. */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) || name.length > MAX_IDENTIFIER) {
    throw new Error(`"${name}" is not a valid SQL identifier: use letters, digits and _, at most ${MAX_IDENTIFIER} characters`);
  }
  return `"${name}"`;
}

/** `schema.table` quoted; `table` alone stays unqualified. */
export function quoteQualified(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}
