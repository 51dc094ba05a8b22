/**
 * For API integration tests: a database of the test file's own (migrated, dropped afterwards), a
 * Redis key prefix of its own (deleted afterwards), DAG specs built by hand, and the webserver on
 * a free port. No scheduler or worker runs: tests seed the store directly.
 */
import { createHash, randomBytes } from 'node:crypto';
import { startWebserver, type Webserver } from '../../src/api/server.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { DagSpec } from '../../src/core/spec.ts';
import { createLogger } from '../../src/log.ts';
import { deleteKeysWithPrefix, type RedisClient } from '../../src/queue/redis.ts';
import { openServices } from '../../src/engine/open-services.ts';
import type { Services } from '../../src/engine/services.ts';
import { upsertDag } from '../../src/store/dags.ts';
import { dropDatabase, type Db } from '../../src/store/db.ts';
import { createMigratedDatabase } from './migrated-db.ts';
import { dagSpec, taskSpec } from './specs.ts';

export { dagSpec, taskSpec };

export class ApiFixture {
  readonly id = `api${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  readonly config: Config;
  readonly db: Db;
  readonly redis: RedisClient;
  readonly services: Services;
  private readonly closeServices: () => Promise<void>;
  private readonly servers: Webserver[] = [];

  constructor() {
    this.config = loadConfig({
      SLUICE_DATABASE_URL: `postgres://postgres@127.0.0.1:5432/sluice_${this.id}`,
      SLUICE_REDIS_URL: process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
      SLUICE_QUEUE_PREFIX: `sluicetest-${this.id}`,
      SLUICE_LOG_LEVEL: process.env.SLUICE_TEST_LOG_LEVEL ?? 'silent',
    });
    const opened = openServices(this.config, createLogger(this.config.logLevel, 'api-test'), { poolSize: 5 });
    this.services = opened.services;
    this.db = opened.services.db;
    this.redis = opened.redis;
    this.closeServices = opened.close;
  }

  async setUp(): Promise<this> {
    await createMigratedDatabase(this.config.databaseUrl);
    return this;
  }

  /** Stored as a version with code whose source is `source` (what GET …/versions/{version}/source answers). */
  async addDag(spec: DagSpec, fileloc = `${spec.dagId}.ts`, source = `// the DAG file of ${spec.dagId}\n`): Promise<void> {
    const version = createHash('sha256').update(`${spec.dagId}-${spec.tasks.length}`).digest('hex');
    const codeHash = createHash('sha256').update(source).digest('hex');
    await upsertDag(this.db, spec, version, fileloc, { codeHash, code: 'export default undefined;\n', sourceMap: null, sources: { [fileloc]: source } });
  }

  /** The webserver on 127.0.0.1 and a free port; `config` overrides this fixture's (e.g. a token). */
  async start(config: Partial<Config> = {}): Promise<Webserver> {
    const server = await startWebserver(
      { services: this.services, redis: this.redis, config: { ...this.config, ...config } },
      { host: '127.0.0.1', port: 0 },
    );
    this.servers.push(server);
    return server;
  }

  async tearDown(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.close()));
    await this.closeServices();
    await deleteKeysWithPrefix(this.config, this.config.queuePrefix);
    await dropDatabase(this.config.databaseUrl);
  }
}

export interface Reply<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** A small fetch wrapper: JSON in, JSON (or text) out, and the raw text for shape checks. */
export function client(baseUrl: string, token?: string) {
  return async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { json?: unknown; raw?: string; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    } else if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (method !== 'GET' && method !== 'HEAD') {
      // As the UI and the README's curl do: without a token, Sluice takes a state change only
      // as JSON, also without a body (test/integration/web-security.test.ts sends it without).
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(baseUrl + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  };
}
