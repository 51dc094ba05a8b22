/**
 * ctx.connection() and ctx.variable() in `sluice dags test` / `tasks test`: the environment
 * (SLUICE_CONN_* / SLUICE_VAR_*) first, then the metadata database, which is opened only when a
 * task asks for something the environment does not hold: these commands need no database
 * otherwise, and still need none when the environment holds what the DAG reads.
 */
import { redactSecrets } from '../core/redact.ts';
import { connectionEnvName, variableEnvName } from '../core/secret-names.ts';
import { SecretBox } from '../engine/secret-box.ts';
import { taskSecrets, type TaskSecrets } from '../engine/task-secrets.ts';
import { SluiceError } from '../errors.ts';
import { createDb, type Db } from '../store/db.ts';
import type { CliContext } from './context.ts';

export async function withLocalSecrets<T>(ctx: CliContext, work: (secrets: TaskSecrets) => Promise<T>): Promise<T> {
  let db: Db | undefined;
  const secrets = taskSecrets(() => (db ??= createDb(ctx.config.databaseUrl, 2)), new SecretBox(ctx.config.secretKeys));
  // A database that cannot be reached is the likely trouble here: the try's error says how to do without it.
  const explained = async <R>(read: () => Promise<R>, envName: string): Promise<R> => {
    try {
      return await read();
    } catch (error) {
      if (error instanceof SluiceError) throw error;
      throw new Error(
        `could not read it from the metadata database (SLUICE_DATABASE_URL): ${redactSecrets((error as Error).message)}; ` +
          `to test without the database, set the environment variable ${envName}`,
        { cause: error },
      );
    }
  };
  try {
    return await work({
      connection: (id) => explained(() => secrets.connection(id), connectionEnvName(id)),
      variable: (key) => explained(() => secrets.variable(key), variableEnvName(key)),
    });
  } finally {
    await db?.end();
  }
}
