/**
 * The SQL functions and triggers of the metadata store, one file each in this folder, applied by
 * every `sluice db migrate` after the pending migrations (README.md here says how to write one).
 * Each file replaces its objects in place (CREATE OR REPLACE), so applying them again is harmless
 * and changing a function is an edit of its file, not a copy into a new migration.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { SQL_STATE_LISTS, sqlList } from '../../core/states.ts';
import { RULES_RUN_WHEN_ALL_SUCCEEDED } from '../../core/trigger-rules.ts';
import { DEFAULT_POOL_SLOTS } from '../pools.ts';

export const FUNCTIONS_DIR = fileURLToPath(new URL('./', import.meta.url));

export interface FunctionFile {
  name: string;
  path: string;
  /** The file's text with its placeholders replaced: what is run. */
  sql: string;
}

/** What a `{{NAME}}` in a function file stands for: lists the TypeScript owns, rendered as SQL lists. */
export const SQL_LISTS: Record<string, readonly string[]> = { ...SQL_STATE_LISTS, RULES_RUN_WHEN_ALL_SUCCEEDED };
/** ... and numbers it owns, rendered as integer literals. */
export const SQL_NUMBERS: Record<string, number> = { DEFAULT_POOL_SLOTS };

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Replaces every `{{NAME}}` with the SQL list of `SQL_LISTS[NAME]` or the number of
 * `SQL_NUMBERS[NAME]`; an unknown name is an error naming the file and line.
 */
export function renderFunctionSql(text: string, file: string): string {
  return text.replace(PLACEHOLDER, (match, name: string, offset: number) => {
    if (Object.hasOwn(SQL_LISTS, name)) return sqlList(SQL_LISTS[name]!);
    if (Object.hasOwn(SQL_NUMBERS, name)) return String(SQL_NUMBERS[name]);
    const line = text.slice(0, offset).split('\n').length;
    throw new Error(
      `${file}, line ${line}: unknown placeholder ${match}; the known ones are ${[...Object.keys(SQL_LISTS), ...Object.keys(SQL_NUMBERS)].map((k) => `{{${k}}}`).join(', ')} ` +
        '(SQL_LISTS and SQL_NUMBERS in src/store/functions/apply.ts)',
    );
  });
}

/** The `.sql` files of `directory`, in name order, rendered. */
export async function readFunctionFiles(directory = FUNCTIONS_DIR): Promise<FunctionFile[]> {
  const names = (await readdir(directory)).filter((n) => n.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (name) => {
      const filePath = path.join(directory, name);
      return { name, path: filePath, sql: renderFunctionSql(await readFile(filePath, 'utf8'), filePath) };
    }),
  );
}

/**
 * Applies the files in one transaction on `client` (the migrating session, which holds the
 * migration lock): either every function is the file's version afterwards, or, if one file
 * fails, none changed. Returns the names of the files applied.
 */
export async function applyFunctionFiles(client: pg.ClientBase, files: readonly FunctionFile[]): Promise<string[]> {
  await client.query('BEGIN');
  for (const file of files) {
    try {
      await client.query(file.sql);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new Error(
        `SQL function file ${file.path} failed${at(file.sql, error)}: ${(error as Error).message}; ` +
          'nothing of the function files was applied (the database keeps the previous definitions). ' +
          'Fix the file and run "sluice db migrate" again.',
        { cause: error },
      );
    }
  }
  await client.query('COMMIT');
  return files.map((f) => f.name);
}

/** " at line N" from Postgres's 1-based character position, when it gives one. */
function at(sql: string, error: unknown): string {
  const position = Number((error as { position?: string }).position);
  if (!Number.isInteger(position) || position < 1) return '';
  return ` at line ${Array.from(sql).slice(0, position - 1).join('').split('\n').length}`;
}
