/**
 * What a try's code reads with ctx.connection() and ctx.variable() (README, "Connections" and
 * "Variables"): an environment variable SLUICE_CONN_<ID> / SLUICE_VAR_<KEY> first, as in Airflow,
 * then the metadata database. The worker answers these for its tries (a runner process has no
 * connection of its own), and `sluice dags test` / `tasks test` answer them in-process.
 */
import { connectionUri, ConnectionUriError, parseConnectionUri, type ConnectionFields } from '../core/connection-uri.ts';
import { connectionEnvName, isSecretKey, variableEnvName } from '../core/secret-names.ts';
import { badRequest } from '../errors.ts';
import type { TaskConnection, TaskVariable } from '../sdk/context.ts';
import { readConnectionRows } from '../store/connections.ts';
import type { Queryable } from '../store/db.ts';
import { readVariableRows } from '../store/variables.ts';
import { openConnection } from './connections.ts';
import type { SecretBox } from './secret-box.ts';
import { openValue } from './variables.ts';

/** How a try reads connections and variables; one that does not exist is undefined (the try's context says so, see execute.ts). */
export interface TaskSecrets {
  connection(connectionId: string): Promise<TaskConnection | undefined>;
  variable(key: string): Promise<TaskVariable | undefined>;
}

/**
 * Reads from `env`, then from the database `db()` gives: a function, so that a local test run
 * opens no database unless a task asks for something the environment does not hold. null: the
 * environment alone (code that runs tasks with no metadata database).
 */
export function taskSecrets(db: (() => Queryable) | null, box: SecretBox, env: NodeJS.ProcessEnv = process.env): TaskSecrets {
  return {
    async connection(connectionId) {
      const envName = connectionEnvName(connectionId);
      const uri = env[envName]?.trim();
      if (uri) {
        try {
          return taskConnection(connectionId, parseConnectionUri(uri));
        } catch (error) {
          if (!(error instanceof ConnectionUriError)) throw error;
          throw badRequest(`connection "${connectionId}": the environment variable ${envName} ${error.message}`);
        }
      }
      const [row] = db ? await readConnectionRows(db(), connectionId) : [];
      if (!row) return undefined;
      return taskConnection(connectionId, openConnection(box, row));
    },
    async variable(key) {
      const secret = isSecretKey(key);
      const fromEnv = env[variableEnvName(key)];
      if (fromEnv !== undefined) return { value: fromEnv, secret };
      const [row] = db ? await readVariableRows(db(), key) : [];
      return row ? { value: openValue(box, row), secret } : undefined;
    },
  };
}

/** A connection as task code gets it: its fields in the clear and the URI they make. */
function taskConnection(connectionId: string, fields: ConnectionFields): TaskConnection {
  return { connectionId, ...fields, uri: connectionUri(fields) };
}
