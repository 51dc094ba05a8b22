/**
 * What the ETL's end-to-end test files share: a harness whose DAGs folder holds the repo's
 * warehouse collections and migrations, started together with the ETL's services; the loading
 * DAG built from the production operators; and readers of a run's outcome (its state with the
 * failed tasks named, a task's XCom, a try's log lines).
 */
import assert from 'node:assert/strict';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { readLog } from '../../src/store/logs.ts';
import { readXcom } from '../../src/store/xcom.ts';
import { Harness, REPO_ROOT } from './harness.ts';
import { startEtlTestbed, type EtlTestbed } from './etl-testbed.ts';

/** Midnight UTC of a day of November 2026 (plus hours). */
export const day = (n: number, hour = 0): Date => new Date(Date.UTC(2026, 10, n, hour));

/**
 * The production DAG's tasks (migrate → extract → upload → stage_load → promote for every
 * collection of ./warehouse/collections.ts), one quick retry per task but promote. Manual only,
 * or with `daily`: a paused @daily schedule from 2026-11-01 without catchup (for backfills); with
 * `outlets`, promote updates the warehouse tables as assets, as the production DAG's does.
 */
export function etlLoadDag(dagId: string, options: { daily?: boolean; outlets?: boolean } = {}): string {
  const schedule = options.daily
    ? `schedule: '@daily', startDate: '2026-11-01T00:00:00Z', catchup: false, isPausedUponCreation: true`
    : 'schedule: null';
  // With outlets, as the production DAG's: each promote is an asset event per warehouse table.
  const outlets = options.outlets ? ', outlets: Object.values(WAREHOUSE_ASSETS)' : '';
  return `
import { chain, dag } from 'sluice';
import { commitExtract, extractCollection, migrateWarehouse, promote, stageLoad } from 'sluice/providers';
import { COLLECTIONS, MIGRATIONS, WAREHOUSE_ASSETS } from './warehouse/collections.ts';

const d = dag('${dagId}', { ${schedule}, maxActiveRuns: 1, defaultArgs: { retries: 1, retryDelay: '100ms' } });
const migrate = d.task('migrate', (ctx) => migrateWarehouse(ctx, { files: MIGRATIONS }));
const promoteAll = d.task('promote', { retries: 0${outlets} }, (ctx) => promote(ctx, { stageTasks: COLLECTIONS.map((c) => 'stage_load_' + c.collection) }));
for (const collection of COLLECTIONS) {
  const name = collection.collection;
  const extract = d.task('extract_' + name, (ctx) => extractCollection(ctx, collection, { batchSize: 100 }));
  const upload = d.task('upload_' + name, (ctx) => commitExtract(ctx, { extractTask: extract.taskId }));
  const load = d.task('stage_load_' + name, (ctx) => stageLoad(ctx, { collection, uploadTask: upload.taskId }));
  chain(migrate, extract, upload, load, promoteAll);
}
export default d;
`;
}

export interface EtlSuite {
  bed: EtlTestbed;
  /** Stops the harness and the services, and puts process.env back as it was. */
  stop(): Promise<void>;
}

/**
 * Starts the ETL's services, puts their settings and `env` (and no other ETL_ variable) into
 * process.env, where the harness's in-process worker reads them, sets up the harness with
 * ./warehouse beside its DAGs, starts a scheduler and a worker and waits for `dagIds` to be parsed.
 */
export async function startEtlSuite(h: Harness, dagIds: readonly string[], env: Record<string, string> = {}): Promise<EtlSuite> {
  const savedEnv = { ...process.env };
  const bed = await startEtlTestbed();
  // The ETL's settings are the test's alone, whatever the shell running it has set.
  for (const name of Object.keys(process.env)) if (name.startsWith('ETL_')) delete process.env[name];
  Object.assign(process.env, bed.env, env);
  await h.setUp();
  await mkdir(path.join(h.dagsFolder, 'warehouse'), { recursive: true });
  await cp(path.join(REPO_ROOT, 'dags/warehouse'), path.join(h.dagsFolder, 'warehouse'), { recursive: true });
  await h.startScheduler();
  await h.startWorker({ concurrency: 4 });
  for (const dagId of dagIds) await h.waitForDag(dagId);
  return {
    bed,
    async stop() {
      await h.tearDown();
      await bed.close();
      process.env = savedEnv;
    },
  };
}

/** Waits for the run to end; a failure names each task that did not succeed, with its error. */
export async function expectRunSuccess(h: Harness, dagId: string, runId: string, timeoutMs = 45_000): Promise<void> {
  const { state } = await h.waitForRunEnd(dagId, runId, timeoutMs);
  if (state === 'success') return;
  const failed = Object.values(await h.taskInstances(dagId, runId)).filter((ti) => ti.state !== 'success');
  assert.fail(`run ${runId} of ${dagId} ${state}: ${failed.map((ti) => `${ti.taskId} ${ti.state} ${ti.error ?? ''}`).join('; ')}`);
}

/** The task's XCom (its return value) in that run; fails the test when it has none. */
export async function taskXcom<T>(h: Harness, dagId: string, runId: string, taskId: string): Promise<T> {
  const xcom = await readXcom(h.db, dagId, runId, taskId);
  assert.ok(xcom.found, `${taskId} of ${runId} left an XCom`);
  return xcom.value as T;
}

/** A line of a task's log: pino's JSON object. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A try's log lines, as the worker stored them. */
export async function taskLog(h: Harness, dagId: string, runId: string, taskId: string, tryNumber = 1): Promise<LogLine[]> {
  const text = await readLog(h.db, dagId, runId, taskId, tryNumber);
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as LogLine);
}

/** The log lines with this message (exactly, or matching). */
export function linesSaying(lines: readonly LogLine[], msg: string | RegExp): LogLine[] {
  return lines.filter((line) => (typeof msg === 'string' ? line.msg === msg : msg.test(line.msg)));
}
