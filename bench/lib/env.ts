/**
 * One isolated environment per scenario: its own database, Redis key prefix and DAGs folder,
 * all removed by `destroy()`. Every environment is registered, so a signal or crash can still
 * remove whatever is left (see `destroyAllEnvironments`).
 */
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createLogger, type Logger } from '../../src/log.ts';
import { createRedis, deleteKeysWithPrefix, redisReady } from '../../src/queue/redis.ts';
import { scanKeys } from '../../src/queue/scan-keys.ts';
import { createDb, dropDatabase, type Db } from '../../src/store/db.ts';
import { migrateDatabase } from '../../src/store/migrate.ts';
import { BENCH_TMP } from './paths.ts';

export const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const BENCH_REDIS = { redisUrl: REDIS_URL, redisClusterNodes: null };
/** Every database this suite creates starts with this; nothing else is ever dropped. */
export const DATABASE_PREFIX = 'sluice_bench_';
export const QUEUE_PREFIX = 'sluicebench-';

/** Identifies one `npm run bench`; part of every name it creates. */
export const RUN_ID = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

export class BenchEnvironment {
  readonly databaseUrl: string;
  readonly databaseName: string;
  readonly queuePrefix: string;
  readonly dagsFolder: string;
  readonly redisUrl = REDIS_URL;
  /** The bench runs against a single Redis (createRedis's target). */
  readonly redis = BENCH_REDIS;
  readonly log: Logger = createLogger('warn', 'bench');
  private dbPool: Db | undefined;
  private destroying: Promise<void> | undefined;

  constructor(readonly scenario: string) {
    const slug = scenario.replace(/[^a-z0-9]+/gi, '_').toLowerCase();
    this.databaseName = `${DATABASE_PREFIX}${RUN_ID}_${slug}`;
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${this.databaseName}`;
    this.databaseUrl = url.toString();
    this.queuePrefix = `${QUEUE_PREFIX}${RUN_ID}-${slug}`;
    this.dagsFolder = path.join(BENCH_TMP, RUN_ID, slug, 'dags');
  }

  /** Queries sent through `db` so far: each is a transaction of its own, not the engine's. */
  queryCount = 0;

  /** A small pool for the bench's own queries (the engine's processes have their own). */
  get db(): Db {
    if (!this.dbPool) {
      const pool = createDb(this.databaseUrl, 4);
      const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
      // Counted, so that the engine's transactions can be told from the bench's (engine-cost.ts).
      pool.query = ((...args: unknown[]) => {
        this.queryCount++;
        return query(...args);
      }) as typeof pool.query;
      this.dbPool = pool;
    }
    return this.dbPool;
  }

  /** Closes the bench's pool (its backends flush their statistics as they exit); `db` opens a new one. */
  async closeDb(): Promise<void> {
    const pool = this.dbPool;
    this.dbPool = undefined;
    await pool?.end();
  }

  /** The environment of a `sluice` child process talking to this database and prefix. */
  childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      SLUICE_DATABASE_URL: this.databaseUrl,
      SLUICE_REDIS_URL: this.redisUrl,
      SLUICE_QUEUE_PREFIX: this.queuePrefix,
      SLUICE_DAGS_FOLDER: this.dagsFolder,
      SLUICE_LOG_LEVEL: 'warn',
      SLUICE_WORKER_SHUTDOWN_GRACE: '2s',
      ...extra,
    };
  }

  async writeDag(fileName: string, source: string): Promise<void> {
    await mkdir(this.dagsFolder, { recursive: true });
    await writeFile(path.join(this.dagsFolder, fileName), source);
  }

  /** Removes everything; concurrent and repeated calls share the one removal. */
  destroy(): Promise<void> {
    this.destroying ??= this.removeEverything();
    return this.destroying;
  }

  private async removeEverything(): Promise<void> {
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (error) {
        problems.push(`${what}: ${(error as Error).message}`);
      }
    };
    await attempt('closing the bench pool', async () => this.dbPool?.end());
    await attempt(`dropping database ${this.databaseName}`, () => dropDatabase(this.databaseUrl));
    await attempt(`deleting Redis keys ${this.queuePrefix}:*`, () => deleteKeysWithPrefix(this.redis, this.queuePrefix));
    await attempt(`removing ${this.dagsFolder}`, () => rm(path.dirname(this.dagsFolder), { recursive: true, force: true }));
    await rmdir(path.join(BENCH_TMP, RUN_ID)).catch(() => undefined); // once the last scenario of this run is gone
    live.delete(this);
    if (problems.length) throw new Error(`cleanup of ${this.scenario} was incomplete: ${problems.join('; ')}`);
  }
}

const live = new Set<BenchEnvironment>();

/** Creates and migrates the database and makes the DAGs folder. */
export async function createEnvironment(scenario: string): Promise<BenchEnvironment> {
  const env = new BenchEnvironment(scenario);
  live.add(env);
  await mkdir(env.dagsFolder, { recursive: true });
  await migrateDatabase(env.databaseUrl);
  if (process.env.BENCH_PG_LOG_STATEMENTS === '1') {
    // Every statement of this database only, with its duration and backend pid, to the server log
    // (see "Diagnosing a miss" in bench/README.md); new connections pick it up.
    await env.db.query(`ALTER DATABASE ${pg.escapeIdentifier(env.databaseName)} SET log_min_duration_statement = 0`);
  }
  const explainRate = Number(process.env.BENCH_PG_AUTO_EXPLAIN);
  if (explainRate > 0 && explainRate <= 1) {
    // The plans, with actual times, of that share of the statements (those inside SQL functions
    // and triggers included) that the engine's new connections run, to the server log.
    const database = pg.escapeIdentifier(env.databaseName);
    for (const setting of [
      `session_preload_libraries = 'auto_explain'`,
      'auto_explain.log_min_duration = 0',
      'auto_explain.log_nested_statements = on',
      'auto_explain.log_analyze = on',
      `auto_explain.sample_rate = ${explainRate}`,
    ]) {
      await env.db.query(`ALTER DATABASE ${database} SET ${setting}`);
    }
  }
  return env;
}

/** Runs `body` in a fresh environment and destroys the environment whatever happens. */
export async function withEnvironment<T>(scenario: string, body: (env: BenchEnvironment) => Promise<T>): Promise<T> {
  const env = await createEnvironment(scenario).catch(async (error: unknown) => {
    await destroyAllEnvironments();
    throw error;
  });
  try {
    return await body(env);
  } finally {
    await env.destroy();
  }
}

export async function destroyAllEnvironments(): Promise<void> {
  for (const env of [...live]) await env.destroy().catch((error: Error) => console.error(error.message));
  await rm(path.join(BENCH_TMP, RUN_ID), { recursive: true, force: true });
}

/** What this run may have left behind (checked at the end, so a leak is reported, not hidden). */
export async function leftovers(): Promise<string[]> {
  const found: string[] = [];
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `${DATABASE_PREFIX}${RUN_ID}%`,
    ]);
    found.push(...rows.map((r) => `database ${r.datname}`));
  } finally {
    await admin.end();
  }
  if (existsSync(path.join(BENCH_TMP, RUN_ID))) found.push(`folder ${path.join(BENCH_TMP, RUN_ID)}`);
  const redis = createRedis(BENCH_REDIS, 'producer');
  try {
    await redisReady(redis);
    const keys: string[] = [];
    for await (const batch of scanKeys(redis, `${QUEUE_PREFIX}${RUN_ID}*`)) keys.push(...batch.keys);
    if (keys.length) found.push(`${keys.length} Redis keys like ${keys[0]}`);
  } finally {
    redis.disconnect();
  }
  return found;
}

export async function serverVersions(): Promise<{ postgres: string; redis: string }> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  const { rows } = await admin.query<{ v: string }>('SELECT current_setting($$server_version$$) AS v').finally(() => admin.end());
  const redis = createRedis(BENCH_REDIS, 'producer');
  const info = await redisReady(redis)
    .then(() => redis.info('server'))
    .finally(() => redis.disconnect());
  return { postgres: rows[0]?.v.split(' ')[0] ?? 'unknown', redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown' };
}
