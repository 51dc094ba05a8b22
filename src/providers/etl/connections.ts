/**
 * The showcase ETL's connections (README, "Connections"): `mongo_shop` (the MongoDB source),
 * `s3_etl` (where extracted parts go) and `warehouse` (the PostgreSQL warehouse), read with
 * ctx.connection() when they exist, so their passwords are sealed at rest and masked in the
 * tries' logs. One that does not exist leaves the environment variables to say (MONGO_URL, S3_*,
 * WAREHOUSE_DATABASE_URL), as before connections existed.
 *
 * A connection is turned into those same variables, so the checks, defaults and messages of
 * mongoUrlFromEnv, s3SettingsFromEnv and warehouseUrl apply to both. An S3 connection maps as
 * Airflow's aws connection does, with a host for S3-compatible stores:
 *
 * | field | S3 setting |
 * |---|---|
 * | login / password | access key id / secret access key |
 * | host, port (extra `scheme`, default http) | the endpoint; or extra `endpoint_url`; none: AWS itself |
 * | schema (the URI's path), or extra `bucket` | the bucket |
 * | extra `region_name` (or `region`) | the region |
 * | extra `force_path_style` | path-style addressing (default: on when there is an endpoint) |
 */
import type { TaskConnection, TaskContext } from '../../sdk/context.ts';
import { isNotFound } from '../../sdk/errors.ts';
import { etlResources, type EtlResources } from './resources.ts';

export const ETL_CONNECTIONS = { source: 'mongo_shop', store: 's3_etl', warehouse: 'warehouse' } as const;

type Kind = keyof typeof ETL_CONNECTIONS;

/** The ETL's resources, from the connections of `kinds` that exist and the environment for the rest. */
export async function etlResourcesOf(ctx: Pick<TaskContext, 'connection'>, kinds: Kind[], env: NodeJS.ProcessEnv = process.env): Promise<EtlResources> {
  return etlResources(await etlEnvOf(ctx, kinds, env));
}

/** The environment the ETL's resources are made from: `env` with the connections of `kinds` that exist over it. */
export async function etlEnvOf(ctx: Pick<TaskContext, 'connection'>, kinds: Kind[], env: NodeJS.ProcessEnv = process.env): Promise<NodeJS.ProcessEnv> {
  const settings = await Promise.all(kinds.map(async (kind) => settingsOf(kind, await optionalConnection(ctx, ETL_CONNECTIONS[kind]))));
  return Object.assign({ ...env }, ...settings);
}

async function optionalConnection(ctx: Pick<TaskContext, 'connection'>, connectionId: string): Promise<TaskConnection | undefined> {
  try {
    return await ctx.connection(connectionId);
  } catch (error) {
    if (isNotFound(error, 'connection')) return undefined;
    throw error;
  }
}

/** A connection as the environment variables the ETL's settings are read from; none: {}. */
export function settingsOf(kind: Kind, c: TaskConnection | undefined): Record<string, string> {
  if (!c) return {};
  if (kind === 'source') return { MONGO_URL: c.uri };
  if (kind === 'warehouse') return { WAREHOUSE_DATABASE_URL: c.uri };
  const text = (key: string) => (typeof c.extra[key] === 'string' || typeof c.extra[key] === 'number' || typeof c.extra[key] === 'boolean' ? String(c.extra[key]) : undefined);
  const endpoint = text('endpoint_url') ?? (c.host ? `${text('scheme') ?? 'http'}://${c.host}${c.port === null ? '' : `:${c.port}`}` : undefined);
  const entries: [string, string | undefined][] = [
    ['S3_ENDPOINT', endpoint],
    ['S3_REGION', text('region_name') ?? text('region')],
    ['S3_BUCKET', text('bucket') ?? c.schema ?? undefined],
    ['S3_ACCESS_KEY_ID', c.login ?? undefined],
    ['S3_SECRET_ACCESS_KEY', c.password ?? undefined],
    ['S3_FORCE_PATH_STYLE', text('force_path_style')],
  ];
  return Object.fromEntries(entries.filter((e): e is [string, string] => e[1] !== undefined));
}
