/**
 * Which names are secret, and the environment variables that override the metadata database
 * (pure; README, "Connections" and "Variables").
 */

/** Words that make a variable's key secret, as in Airflow: its value is sealed at rest, shown as "***" and masked in logs. */
const SECRET_WORDS = ['secret', 'password', 'token', 'api_key', 'private'];

export const isSecretKey = (key: string): boolean => SECRET_WORDS.some((word) => key.toLowerCase().includes(word));

/** `SLUICE_CONN_<ID>` / `SLUICE_VAR_<KEY>`: upper-cased, `.` and `-` written `_`. */
export const connectionEnvName = (connectionId: string): string => `SLUICE_CONN_${envSuffix(connectionId)}`;
export const variableEnvName = (key: string): string => `SLUICE_VAR_${envSuffix(key)}`;

const envSuffix = (name: string) => name.toUpperCase().replace(/[.-]/g, '_');

/** Why ctx.connection() / ctx.variable() failed for a name in neither the environment nor the database. */
export const noSuchConnection = (connectionId: string): string =>
  `there is no connection "${connectionId}": add it with "sluice connections add ${connectionId} --uri URI" (or in the UI), or set the environment variable ${connectionEnvName(connectionId)} to its URI`;
export const noSuchVariable = (key: string): string =>
  `there is no variable "${key}": set it with "sluice variables set ${key} VALUE" (or in the UI), set the environment variable ${variableEnvName(key)}, or pass ctx.variable a fallback`;

/** What an API answer shows for a secret that is set. */
export const SECRET_SHOWN = '***' as const;
