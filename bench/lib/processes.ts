/**
 * Child processes of the bench: the engine's own `sluice scheduler` / `sluice worker` commands,
 * and the bare-BullMQ comparison workers. Every child is registered and killed when the bench
 * exits, however it exits, so none outlives it.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { bullQueueName, DEFAULT_QUEUE } from '../../src/queue/jobs.ts';
import { createRedis } from '../../src/queue/redis.ts';
import type { BenchEnvironment } from './env.ts';
import { REPO_ROOT, SLUICE_BIN } from './paths.ts';
import { waitFor } from './wait.ts';

const children = new Set<BenchProcess>();
/** Children that died while still needed; the next health check reports them. */
const died: BenchProcess[] = [];

/** What Node prints when it writes a diagnostic report on SIGUSR2: ours, not the engine's. */
const NODE_REPORT_LINE = /^(Writing Node\.js report to file|Node\.js report completed)/;

process.on('exit', () => {
  for (const c of children) c.child.kill('SIGKILL');
});

export interface HeapReport {
  usedBytes: number;
  totalBytes: number;
}

export class BenchProcess {
  readonly pid: number;
  readonly exited: Promise<void>;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private stopping = false;
  private readonly output: string[] = [];

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    private readonly reportDir?: string,
  ) {
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    this.pid = child.pid;
    children.add(this);
    const keep = (line: string) => {
      if (!line.trim() || NODE_REPORT_LINE.test(line)) return;
      this.output.push(line);
      if (this.output.length > 200) this.output.shift();
    };
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', keep);
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        children.delete(this);
        if (!this.stopping) died.push(this);
        resolve();
      });
    });
  }

  /** Lines the process wrote (at SLUICE_LOG_LEVEL=warn: its warnings and errors). */
  get lines(): readonly string[] {
    return this.output;
  }

  /** Throws if the process ended while it was still needed. */
  assertAlive(): void {
    if (this.exit && !this.stopping) {
      throw new Error(
        `${this.name} (pid ${this.pid}) exited unexpectedly (code ${this.exit.code}, signal ${this.exit.signal}):\n` +
          this.output.slice(-20).join('\n'),
      );
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited after `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.exit) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resident set size from /proc/<pid>/status (VmRSS), in bytes. */
  rssBytes(): number {
    return this.statusBytes('VmRSS');
  }

  /** The process's children, grandchildren and so on (a worker's runner processes), by pid. */
  descendantPids(): number[] {
    return descendantsOf(this.pid);
  }

  /** Resident set size of the process and all its descendants (a worker with its runners), in bytes. */
  treeRssBytes(): number {
    return this.rssBytes() + this.descendantPids().reduce((sum, pid) => sum + (statusBytesOf(pid, 'VmRSS') ?? 0), 0);
  }

  /** The highest resident set size the process has had so far (VmHWM, the kernel's own peak), in bytes. */
  peakRssBytes(): number {
    return this.statusBytes('VmHWM');
  }

  private statusBytes(field: 'VmRSS' | 'VmHWM'): number {
    const bytes = statusBytesOf(this.pid, field);
    if (bytes === undefined) throw new Error(`no ${field} for ${this.name}`);
    return bytes;
  }

  /**
   * The V8 heap of the child, from a Node diagnostic report it writes on SIGUSR2 (only for
   * children started with a report directory).
   */
  async heap(): Promise<HeapReport> {
    const dir = this.reportDir;
    if (!dir) throw new Error(`${this.name} was started without --report-on-signal`);
    const mine = (f: string) => f.includes(`.${this.pid}.`) && f.endsWith('.json');
    for (const f of (await readdir(dir)).filter(mine)) await rm(path.join(dir, f));
    this.child.kill('SIGUSR2');
    const report = await waitFor(`${this.name}'s diagnostic report`, async () => {
      const file = (await readdir(dir)).find(mine);
      if (!file) return undefined;
      try {
        return JSON.parse(await readFile(path.join(dir, file), 'utf8')) as {
          javascriptHeap: { usedMemory: number; totalMemory: number };
        };
      } catch {
        return undefined; // still being written
      }
    }, 10_000);
    return { usedBytes: report.javascriptHeap.usedMemory, totalBytes: report.javascriptHeap.totalMemory };
  }
}

/** /proc/<pid>/task/<pid>/children, recursively (Linux). */
export function descendantsOf(pid: number): number[] {
  let children: number[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((c) => [c, ...descendantsOf(c)]);
}

/** A field of /proc/<pid>/status in bytes, or undefined (the process is gone, or has no such field). */
function statusBytesOf(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Emergency stop (a signal, a crash): SIGKILL every child still running, and wait for them. */
export async function killAllChildren(): Promise<void> {
  const all = [...children];
  for (const c of all) c.child.kill('SIGKILL');
  await Promise.all(all.map((c) => c.exited));
  died.length = 0;
}

export function assertChildrenAlive(): void {
  const dead = died.shift();
  dead?.assertAlive();
}

export interface SluiceProcessOptions {
  /** Start the process with --report-on-signal so that `heap()` works. */
  reportDir?: string;
  env?: Record<string, string>;
}

/**
 * BENCH_CPU_PROF=<dir> runs every Sluice child with --cpu-prof, writing a .cpuprofile per process
 * into <dir> when it exits (open them in Chrome DevTools or speedscope).
 */
function profilingArgs(name: string): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];
}

/** `node bin/sluice.mjs <args>` against the environment's database, prefix and DAGs folder. */
export async function spawnSluice(
  env: BenchEnvironment,
  name: string,
  args: string[],
  options: SluiceProcessOptions = {},
): Promise<BenchProcess> {
  const extra: Record<string, string> = { ...options.env };
  if (options.reportDir) {
    await mkdir(options.reportDir, { recursive: true });
    extra.NODE_OPTIONS = [
      process.env.NODE_OPTIONS ?? '',
      '--report-on-signal',
      '--report-signal=SIGUSR2',
      '--report-compact',
      `--report-directory=${options.reportDir}`,
    ].join(' ').trim();
  }
  const child = spawn(process.execPath, [...profilingArgs(name), SLUICE_BIN, ...args], {
    cwd: REPO_ROOT,
    env: env.childEnv(extra),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new BenchProcess(name, child, options.reportDir);
}

export interface SluiceCluster {
  scheduler: BenchProcess;
  workers: BenchProcess[];
  stop(): Promise<void>;
}

/** A scheduler and `workerCount` (two unless said) worker processes; resolves once every worker listens on the default pool. */
export async function startCluster(
  env: BenchEnvironment,
  concurrency: number,
  options: SluiceProcessOptions = {},
  workerCount = 2,
): Promise<SluiceCluster> {
  const scheduler = await spawnSluice(env, 'scheduler', ['scheduler'], options);
  const workers = await Promise.all(
    Array.from({ length: workerCount }, (_, i) =>
      spawnSluice(env, `worker-${i + 1}`, ['worker', '--concurrency', String(concurrency)], options),
    ),
  );
  const cluster: SluiceCluster = {
    scheduler,
    workers,
    stop: async () => {
      await Promise.all([...workers, scheduler].map((p) => p.stop()));
    },
  };
  try {
    await waitForQueueWorkers(env, bullQueueName('default_pool', DEFAULT_QUEUE), workerCount);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** Waits until `count` worker processes are connected to a BullMQ queue of this environment. */
export async function waitForQueueWorkers(env: BenchEnvironment, queueName: string, count: number): Promise<void> {
  const redis = createRedis(env.redis, 'producer');
  const queue = new Queue(queueName, { connection: redis, prefix: env.queuePrefix });
  try {
    await waitFor(`${count} workers on queue ${queueName}`, async () => (await queue.getWorkersCount()) >= count, 60_000);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** A process running bench/lib/bare-worker.ts: a plain BullMQ worker with a no-op processor. */
export function forkBareWorker(env: BenchEnvironment, name: string, queueName: string, concurrency: number): BenchProcess {
  const child = fork(path.join(REPO_ROOT, 'bench', 'lib', 'bare-worker.ts'), [], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      BENCH_REDIS_URL: env.redisUrl,
      BENCH_QUEUE_PREFIX: env.queuePrefix,
      BENCH_QUEUE_NAME: queueName,
      BENCH_CONCURRENCY: String(concurrency),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return new BenchProcess(name, child);
}

export interface BareWorkerStats {
  processed: number;
  /** Date.now() in the worker when its last job completed. */
  lastCompletedAt: number;
  firstStartedAt: number;
}

/** Asks a bare worker how many jobs it processed and when. */
export function bareWorkerStats(p: BenchProcess): Promise<BareWorkerStats> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      const m = message as { type?: string } & BareWorkerStats;
      if (m.type !== 'stats') return;
      p.child.off('message', onMessage);
      resolve(m);
    };
    p.child.on('message', onMessage);
    if (!p.child.send({ type: 'stats' })) reject(new Error(`${p.name} has no IPC channel`));
  });
}

/** Resolves when the bare worker says its BullMQ worker is connected. */
export function bareWorkerReady(p: BenchProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if ((message as { type?: string }).type !== 'ready') return;
      p.child.off('message', onMessage);
      resolve();
    };
    p.child.on('message', onMessage);
    p.exited.then(() => reject(new Error(`${p.name} exited before it was ready:\n${p.lines.join('\n')}`)));
  });
}
