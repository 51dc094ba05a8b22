/**
 * ctx.connection() and ctx.variable() in `sluice dags test` / `tasks test`: the environment
 * (SLUICE_CONN_* / SLUICE_VAR_*) first, then the metadata database, which is opened only when a
 * task asks for something the environment does not hold: these commands need no database
 * otherwise, and still need none when the environment holds what the DAG reads.
 */
import { SecretBox } from '../engine/secret-box.ts';
import { taskSecrets, type TaskSecrets } from '../engine/task-secrets.ts';
import { createDb, type Db } from '../store/db.ts';
import type { CliContext } from './context.ts';

export async function withLocalSecrets<T>(ctx: CliContext, work: (secrets: TaskSecrets) => Promise<T>): Promise<T> {
  let db: Db | undefined;
  try {
    return await work(taskSecrets(() => (db ??= createDb(ctx.config.databaseUrl, 2)), new SecretBox(ctx.config.secretKeys)));
  } finally {
    await db?.end();
  }
}
