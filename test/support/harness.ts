/**
 * Integration-test harness: each test file gets its own database, Redis key prefix and DAGs
 * folder, real scheduler and workers, and removes all of it afterwards.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Webserver } from '../../src/api/server.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { deleteKeysWithPrefix, type RedisClient } from '../../src/queue/redis.ts';
import { DEFAULT_QUEUE } from '../../src/queue/jobs.ts';
import { openServices } from '../../src/engine/open-services.ts';
import { Scheduler } from '../../src/engine/scheduler.ts';
import type { Services } from '../../src/engine/services.ts';
import { dropDatabase, type Db } from '../../src/store/db.ts';
import { getRun, type DagRunRecord } from '../../src/store/runs.ts';
import { listTaskInstances, type TaskInstanceRecord } from '../../src/store/task-instance-reads.ts';
import { SluiceWorker, type WorkerOptions } from '../../workers/worker.ts';
import { createMigratedDatabase } from './migrated-db.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TMP_ROOT = path.join(REPO_ROOT, 'test', '.tmp');

export interface HarnessOptions {
  /** File name → source of the DAG files to start with. */
  dags?: Record<string, string>;
  env?: Record<string, string>;
}

export class Harness {
  readonly id = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  readonly dagsFolder = path.join(TMP_ROOT, this.id);
  readonly config: Config;
  readonly db: Db;
  readonly log: Logger;
  readonly redis: RedisClient;
  readonly services: Services;
  private readonly closeServices: () => Promise<void>;
  private schedulers: Scheduler[] = [];
  private workers: SluiceWorker[] = [];
  private webservers: Webserver[] = [];

  constructor(options: HarnessOptions = {}) {
    this.config = loadConfig({
      SLUICE_DATABASE_URL: `postgres://postgres@127.0.0.1:5432/sluice_${this.id}`,
      SLUICE_REDIS_URL: process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
      SLUICE_QUEUE_PREFIX: `sluicetest-${this.id}`,
      SLUICE_DAGS_FOLDER: this.dagsFolder,
      SLUICE_TASK_HEARTBEAT_TIMEOUT: '2s',
      SLUICE_DAG_RESCAN_INTERVAL: '200ms',
      SLUICE_SCHEDULER_LOOP_INTERVAL: '100ms',
      SLUICE_WORKER_SHUTDOWN_GRACE: '2s',
      SLUICE_LOG_LEVEL: process.env.SLUICE_TEST_LOG_LEVEL ?? 'silent',
      ...options.env,
    });
    this.log = createLogger(this.config.logLevel, 'test');
    const opened = openServices(this.config, this.log, { poolSize: 5 });
    this.services = opened.services;
    this.db = opened.services.db;
    this.redis = opened.redis;
    this.closeServices = opened.close;
    this.initialDags = options.dags ?? {};
  }

  private readonly initialDags: Record<string, string>;

  /** Creates the database and DAGs folder; does not start any process. */
  async setUp(): Promise<this> {
    await mkdir(this.dagsFolder, { recursive: true });
    for (const [name, source] of Object.entries(this.initialDags)) await this.writeDag(name, source);
    await createMigratedDatabase(this.config.databaseUrl);
    return this;
  }

  /**
   * `name` may name a subfolder (`lib/helper.ts`): it is made if missing. Written beside and
   * renamed into place, so a scan never reads half a file (which would make the test's timing,
   * not the code under test, decide what it sees).
   */
  async writeDag(name: string, source: string): Promise<void> {
    const file = path.join(this.dagsFolder, name);
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, source);
    await rename(temporary, file);
  }

  async removeDag(name: string): Promise<void> {
    await rm(path.join(this.dagsFolder, name), { force: true });
  }

  async startScheduler(): Promise<Scheduler> {
    const s = new Scheduler(this.config, this.log.child({ component: 'scheduler' }));
    await s.start();
    this.schedulers.push(s);
    return s;
  }

  /** `config` overrides this harness's for the worker alone (its DAGs folder, say). */
  async startWorker(options: Partial<WorkerOptions> = {}, config: Partial<Config> = {}): Promise<SluiceWorker> {
    const w = new SluiceWorker({ ...this.config, ...config }, { concurrency: 8, pools: [], queues: [DEFAULT_QUEUE], ...options }, this.log.child({ component: 'worker' }));
    await w.start();
    this.workers.push(w);
    return w;
  }

  /**
   * The webserver on this harness's services, on 127.0.0.1 and a free port; tearDown closes it.
   * Imported here, not above: most test files never start one, and express and the UI need not load.
   */
  async startWebserver(): Promise<Webserver> {
    const { startWebserver } = await import('../../src/api/server.ts');
    const web = await startWebserver({ services: this.services, redis: this.redis, config: this.config }, { host: '127.0.0.1', port: 0 });
    this.webservers.push(web);
    return web;
  }

  async ensureWorker(): Promise<void> {
    if (this.workers.length === 0) await this.startWorker();
  }

  async stopAllWorkers(): Promise<void> {
    for (const w of [...this.workers]) await this.stopWorker(w);
  }

  async stopWorker(w: SluiceWorker): Promise<void> {
    this.workers = this.workers.filter((x) => x !== w);
    await w.stop(this.config.workerShutdownGraceMs);
  }

  /** Environment for a child `sluice` process that talks to this test's database and queues. */
  childEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      SLUICE_DATABASE_URL: this.config.databaseUrl,
      SLUICE_REDIS_URL: this.config.redisUrl,
      SLUICE_QUEUE_PREFIX: this.config.queuePrefix,
      SLUICE_DAGS_FOLDER: this.dagsFolder,
      SLUICE_TASK_HEARTBEAT_TIMEOUT: '2s',
      SLUICE_DAG_RESCAN_INTERVAL: '200ms',
      SLUICE_SCHEDULER_LOOP_INTERVAL: '100ms',
      SLUICE_LOG_LEVEL: process.env.SLUICE_TEST_LOG_LEVEL ?? 'warn',
    };
  }

  async waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async waitForDag(dagId: string): Promise<void> {
    await this.waitFor(`DAG ${dagId} to be parsed`, async () => {
      const { rowCount } = await this.db.query('SELECT 1 FROM dags WHERE dag_id = $1 AND is_active', [dagId]);
      return rowCount === 1;
    });
  }

  async waitForRunEnd(dagId: string, runId: string, timeoutMs = 20_000): Promise<DagRunRecord> {
    return this.waitFor(
      `run ${runId} of ${dagId} to finish`,
      async () => {
        const run = await getRun(this.db, dagId, runId);
        return run && (run.state === 'success' || run.state === 'failed') ? run : undefined;
      },
      timeoutMs,
    );
  }

  async taskStates(dagId: string, runId: string): Promise<Record<string, string>> {
    const tis = await listTaskInstances(this.db, dagId, runId);
    return Object.fromEntries(tis.map((t) => [t.taskId, t.state]));
  }

  async taskInstances(dagId: string, runId: string): Promise<Record<string, TaskInstanceRecord>> {
    const tis = await listTaskInstances(this.db, dagId, runId);
    return Object.fromEntries(tis.map((t) => [t.taskId, t]));
  }

  /** The most tries of one DAG that were running at the same moment, from the recorded tries. */
  async maxConcurrentTries(dagId: string): Promise<number> {
    const { rows } = await this.db.query<{ s: Date; e: Date }>(`SELECT start_date AS s, end_date AS e FROM task_tries WHERE dag_id = $1`, [dagId]);
    const events = rows.flatMap((r) => [[r.s.getTime(), 1], [r.e.getTime(), -1]]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    let now = 0;
    let max = 0;
    for (const [, d] of events) max = Math.max(max, (now += d!));
    return max;
  }

  async tearDown(): Promise<void> {
    await Promise.all(this.webservers.map((w) => w.close()));
    await Promise.all(this.workers.map((w) => w.stop(500)));
    await Promise.all(this.schedulers.map((s) => s.stop()));
    await this.closeServices();
    await deleteKeysWithPrefix(this.config, this.config.queuePrefix);
    await dropDatabase(this.config.databaseUrl);
    await rm(this.dagsFolder, { recursive: true, force: true });
    if (process.env.SLUICE_TEST_HANDLES) {
      setTimeout(() => console.error('open handles:', (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().map((x) => { const s = x as { remotePort?: number; localPort?: number; constructor: { name: string } }; return s.constructor.name + ':' + s.remotePort + ':' + s.localPort; })), 1000).unref();
    }
  }
}
