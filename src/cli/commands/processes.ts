/** The long-running processes: scheduler, worker, webserver, and standalone (all of them). */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { refuseUnprotectedBind } from '../../api/exposure.ts';
import { surviveDagFileErrors } from '../../loader/stray-errors.ts';
import { migrateDatabase } from '../../store/migrate.ts';
import { startTracing } from '../../tracing/start.ts';
import { intFlag, listFlag } from '../args.ts';
import { DEFAULT_QUEUE } from '../../queue/jobs.ts';
import { command } from '../command.ts';
import type { CliContext } from '../context.ts';
import { printJson } from '../output.ts';

// The `sluice` command itself, which standalone starts again for each worker process. A path,
// not an import: bin/ starts the CLI, not the other way round.
const BIN = fileURLToPath(new URL('../../../bin/sluice.mjs', import.meta.url));

// The webserver (express and the UI bundler) and the scheduler are loaded by the commands that
// run them, not by every `sluice` call: a one-shot command starts faster without them.
const loadWebserver = async () => (await import('../../api/server.ts')).openWebserver;

/** How long a stopped process may take to exit by itself before it exits anyway. */
const LINGER_MS = 5_000;

/**
 * Called once a process has stopped everything it started. It then exits by itself as soon as
 * nothing is open; but one connection a library failed to close (seen: a worker's last socket
 * to a Redis Cluster node after a failover) would keep it running for ever, and whoever stopped
 * it (a supervisor, `standalone`, a test) waiting. So after LINGER_MS it exits anyway, saying
 * what was still open. The timer does not itself keep the process alive.
 */
function exitOnceStopped(ctx: CliContext, component: string): void {
  setTimeout(() => {
    ctx.log.warn({ component, stillOpen: process.getActiveResourcesInfo() }, `still running ${LINGER_MS / 1000} s after stopping; exiting anyway`);
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  }, LINGER_MS).unref();
}

/** The scheduler in this process (sluice scheduler, standalone), started. */
async function startScheduler(ctx: CliContext) {
  const log = ctx.log.child({ component: 'scheduler' });
  // A DAG file's stray error must not end the process that imports it (the scheduler).
  surviveDagFileErrors(log);
  const { Scheduler } = await import('../../engine/scheduler.ts');
  const scheduler = new Scheduler(ctx.config, log);
  await scheduler.start();
  return scheduler;
}

const dbMigrate = command({
  name: 'db migrate',
  summary: 'create the metadata database if missing and bring its schema up to date (safe to run concurrently)',
  args: [],
  flags: {},
  async run(ctx, { json }) {
    const result = await migrateDatabase(ctx.config.databaseUrl);
    if (json) printJson(result);
    else {
      if (result.createdDatabase) console.log(`created database ${new URL(ctx.config.databaseUrl).pathname.slice(1)}`);
      console.log(result.applied.length ? `applied ${result.applied.join(', ')}` : 'the metadata database is up to date');
    }
    return 0;
  },
});

/**
 * Resolves on the first SIGTERM or SIGINT. Later ones are ignored rather than left to Node's
 * default (exit at once): Ctrl-C signals the whole process group, and `standalone` then sends
 * its workers SIGTERM as well, which must not cut their graceful shutdown short.
 */
const untilSignal = () =>
  new Promise<NodeJS.Signals>((resolve) => {
    process.on('SIGTERM', () => resolve('SIGTERM'));
    process.on('SIGINT', () => resolve('SIGINT'));
  });

/**
 * A worker forked by `standalone` has an IPC channel to it, and the channel closes when that
 * parent goes, however it goes (SIGKILL, a crash, a DAG file calling process.exit()): the worker
 * then stops as on SIGTERM rather than running on unsupervised. A worker started from a shell has
 * no channel: `gone` never resolves. The parent may die while the worker is still loading, before
 * anyone listens for 'disconnect' (which is not emitted again): hence `connected` is checked too,
 * and "was forked" is told by `process.send`, which stays defined when `process.channel` is gone.
 */
function watchParent(): { gone: Promise<'parent gone'>; stop(): void } {
  if (typeof process.send !== 'function') return { gone: new Promise(() => {}), stop: () => {} };
  let onDisconnect = () => {};
  const gone = new Promise<'parent gone'>((resolve) => {
    onDisconnect = () => resolve('parent gone');
    if (!process.connected) onDisconnect();
    else process.once('disconnect', onDisconnect);
  });
  return {
    gone,
    // The listener keeps the channel, and so this process, alive: a stopped worker must exit.
    stop: () => process.off('disconnect', onDisconnect),
  };
}

const scheduler = command({
  name: 'scheduler',
  summary: 'the scheduler; several may run at once, safely',
  args: [],
  flags: {},
  async run(ctx) {
    const tracing = await startTracing(ctx.config, 'sluice-scheduler', ctx.log);
    const s = await startScheduler(ctx);
    await untilSignal();
    await s.stop();
    await tracing.stop();
    exitOnceStopped(ctx, 'scheduler');
    return 0;
  },
});

const worker = command({
  name: 'worker',
  summary: 'a worker; run as many as you like, on as many machines as you like',
  args: [],
  flags: { concurrency: { type: 'string', value: 'N' }, pools: { type: 'string', value: 'a,b' }, queues: { type: 'string', value: 'a,b' } },
  async run(ctx, { values }) {
    const options = {
      concurrency: intFlag(values.concurrency, '--concurrency', 1, 16),
      pools: values.pools === undefined ? [] : listFlag(values.pools, '--pools', []),
      queues: listFlag(values.queues, '--queues', [DEFAULT_QUEUE]),
    };
    ctx.runtime.applyHeapGrowth(ctx.config.workerHeapGrowthPercent);
    const parent = watchParent();
    const tracing = await startTracing(ctx.config, 'sluice-worker', ctx.log);
    const w = await ctx.runtime.startWorker(ctx.config, options, ctx.log.child({ component: 'worker' }));
    const why = await Promise.race([untilSignal(), parent.gone]);
    parent.stop();
    if (why === 'parent gone') ctx.log.warn({ component: 'worker' }, 'the standalone process that started this worker is gone; stopping as on SIGTERM');
    await w.stop(ctx.config.workerShutdownGraceMs);
    await tracing.stop();
    exitOnceStopped(ctx, 'worker');
    return 0;
  },
});

const webserver = command({
  name: 'webserver',
  summary: 'the UI and REST API',
  args: [],
  flags: { host: { type: 'string', value: 'H' }, port: { type: 'string', value: 'N' } },
  async run(ctx, { values }) {
    const host = values.host ?? ctx.config.host;
    const port = intFlag(values.port, '--port', 0, ctx.config.port);
    // Before any connection is opened: a refusal then leaves nothing running and exits 2 at once.
    refuseUnprotectedBind(host, ctx.config);
    // Runs marked by hand end here: their spans are sent from here.
    const tracing = await startTracing(ctx.config, 'sluice-webserver', ctx.log);
    const openWebserver = await loadWebserver();
    const api = await openWebserver(ctx.config, ctx.log.child({ component: 'webserver' }), { host, port });
    ctx.log.info({ url: api.url }, 'webserver listening');
    console.error(`Sluice webserver: ${api.url}`);
    await untilSignal();
    await api.close();
    await tracing.stop();
    exitOnceStopped(ctx, 'webserver');
    return 0;
  },
});

/** Migrate, then a scheduler and the webserver here and N worker processes beside them. */
const standalone = command({
  name: 'standalone',
  summary: 'migrate, then a scheduler, worker processes and the webserver together: the one command for local use',
  args: [],
  flags: {
    port: { type: 'string', value: 'N' },
    workers: { type: 'string', value: 'N' },
    concurrency: { type: 'string', value: 'N' },
    queues: { type: 'string', value: 'a,b' },
    host: { type: 'string', value: 'H' },
  },
  async run(ctx, { values }) {
    const workers = intFlag(values.workers, '--workers', 1, 2);
    const concurrency = intFlag(values.concurrency, '--concurrency', 1, 16);
    const queues = listFlag(values.queues, '--queues', [DEFAULT_QUEUE]);
    const port = intFlag(values.port, '--port', 0, ctx.config.port);
    const host = values.host ?? ctx.config.host;
    // Before migrating (which creates the database), the scheduler and the workers.
    refuseUnprotectedBind(host, ctx.config);
    const migrated = await migrateDatabase(ctx.config.databaseUrl);
    if (migrated.applied.length) ctx.log.info({ applied: migrated.applied }, 'metadata database migrated');
    // The scheduler here imports the DAG files; the workers are processes of their own (and
    // trace as sluice-worker).
    const tracing = await startTracing(ctx.config, 'sluice-standalone', ctx.log);
    const s = await startScheduler(ctx);
    const children = new Set<ChildProcess>();
    let stopping = false;
    const spawnWorker = (n: number) => {
      const child = fork(BIN, ['worker', '--concurrency', String(concurrency), '--queues', queues.join(',')], { stdio: 'inherit' });
      children.add(child);
      child.on('exit', (code, signal) => {
        children.delete(child);
        if (stopping) return;
        ctx.log.error({ worker: n, code, signal }, 'worker process exited; starting another');
        setTimeout(() => spawnWorker(n), 1000);
      });
    };
    for (let n = 1; n <= workers; n++) spawnWorker(n);
    const openWebserver = await loadWebserver();
    const api = await openWebserver(ctx.config, ctx.log.child({ component: 'webserver' }), { host, port });
    console.error(`Sluice is running: ${api.url}  (${workers} worker process(es) × ${concurrency}, queues ${queues.join(', ')}; Ctrl-C stops)`);
    await untilSignal();
    stopping = true;
    const exited = [...children].map((c) => new Promise((resolve) => c.once('exit', resolve)));
    for (const c of children) c.kill('SIGTERM');
    await Promise.all([api.close(), s.stop(), ...exited]);
    await tracing.stop();
    exitOnceStopped(ctx, 'standalone');
    return 0;
  },
});

export const PROCESS_COMMANDS = [dbMigrate, standalone, scheduler, worker, webserver];
