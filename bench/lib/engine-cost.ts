/**
 * What a scenario's work cost the machine: PostgreSQL transactions of the scenario's database
 * (pg_stat_database) and CPU time of the engine's processes, of this database's PostgreSQL
 * backends and of redis-server (/proc/<pid>/stat), between two snapshots.
 *
 * Transactions: PostgreSQL counts a backend's transactions in shared statistics only when it
 * flushes them (when it goes idle, at most once a second, and when it exits), so `end` is taken
 * after the engine's processes have stopped and the bench's own pool has been closed; the
 * bench's own queries in between (polling for the run's end, say) are counted by
 * BenchEnvironment and taken off. What is left is every transaction the scheduler and workers
 * ran from start to stop, read-only ones included.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import type { BenchEnvironment } from './env.ts';
import { POSTGRES_ADMIN_URL } from './env.ts';
import { descendantsOf, type BenchProcess } from './processes.ts';
import type { ResultRow } from './report.ts';

const CLOCK_TICKS = clockTicks();

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/**
 * utime + stime of a process in ms, or undefined once it is gone; with `reaped`, also that of its
 * children that have ended (a worker's retired runner processes).
 */
function cpuMs(pid: number, reaped = false): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

function redisPid(): number | undefined {
  try {
    const pids = execFileSync('pgrep', ['-x', 'redis-server'], { encoding: 'utf8' }).trim().split('\n').map(Number);
    return pids.length === 1 ? pids[0] : undefined;
  } catch {
    return undefined;
  }
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Committed plus rolled-back transactions of the database, as flushed so far. */
async function transactions(databaseName: string): Promise<number> {
  return withAdmin(async (c) => {
    const { rows } = await c.query<{ n: string }>(
      'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1',
      [databaseName],
    );
    return Number(rows[0]?.n ?? 0);
  });
}

async function backendPids(databaseName: string): Promise<number[]> {
  return withAdmin(async (c) => {
    const { rows } = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [databaseName]);
    return rows.map((r) => r.pid);
  });
}

export interface EngineCost {
  /** Transactions of the engine's processes from their start to their stop. */
  transactions: number;
  /** CPU ms by process group over the window (beginWindow → endWindow). */
  cpuMs: { workers: number; scheduler: number; postgres: number; redis: number };
}

type CpuSnapshot = Map<string, number>;

/**
 * Created before the engine's processes start; `beginWindow` and `endWindow` around the work
 * (the run), `finish` once the processes have stopped.
 */
export class EngineCostProbe {
  private startTransactions = 0;
  private startQueries = 0;
  private begin: CpuSnapshot | undefined;
  private end: CpuSnapshot | undefined;

  private constructor(private readonly env: BenchEnvironment) {}

  static async start(env: BenchEnvironment): Promise<EngineCostProbe> {
    const probe = new EngineCostProbe(env);
    await env.closeDb(); // its backend's pending counts flush as it exits
    probe.startTransactions = await transactions(env.databaseName);
    probe.startQueries = env.queryCount;
    return probe;
  }

  async beginWindow(workers: BenchProcess[], scheduler: BenchProcess): Promise<void> {
    this.begin = await this.snapshot(workers, scheduler);
  }

  async endWindow(workers: BenchProcess[], scheduler: BenchProcess): Promise<void> {
    this.end = await this.snapshot(workers, scheduler);
  }

  /** CPU ms per process, keyed by group and pid; the database's backends as they are now. */
  private async snapshot(workers: BenchProcess[], scheduler: BenchProcess): Promise<CpuSnapshot> {
    const snap: CpuSnapshot = new Map();
    const put = (group: string, pid: number | undefined, reaped = false) => {
      const ms = pid === undefined ? undefined : cpuMs(pid, reaped);
      if (ms !== undefined) snap.set(`${group} ${pid}`, ms);
    };
    // A worker's runner processes are the worker's: those alive now, and those it has reaped.
    for (const w of workers) {
      put('workers', w.pid, true);
      for (const runner of descendantsOf(w.pid)) put('workers', runner);
    }
    put('scheduler', scheduler.pid);
    put('redis', redisPid());
    for (const pid of await backendPids(this.env.databaseName)) put('postgres', pid);
    return snap;
  }

  /** After the engine's processes stopped. */
  async finish(): Promise<EngineCost> {
    const queries = this.env.queryCount - this.startQueries;
    await this.env.closeDb();
    const total = (await transactions(this.env.databaseName)) - this.startTransactions;
    const cpu = { workers: 0, scheduler: 0, postgres: 0, redis: 0 };
    if (!this.begin || !this.end) throw new Error('EngineCostProbe: beginWindow and endWindow were not both called');
    for (const [key, ms] of this.end) {
      const group = key.split(' ')[0] as keyof typeof cpu;
      cpu[group] += ms - (this.begin.get(key) ?? 0); // a backend that started within the window began at 0
    }
    return { transactions: total - queries, cpuMs: cpu };
  }
}

/** Transactions and CPU per task of a scenario's run, and where the CPU went. */
export function engineCostRows(scenario: string, cost: EngineCost, tasks: number, label: string): ResultRow[] {
  const perTask = (ms: number) => `${((ms * 1000) / tasks).toFixed(0)} µs`;
  const { workers, scheduler, postgres, redis } = cost.cpuMs;
  return [
    {
      scenario,
      metric: `PostgreSQL transactions per task (${label}; every engine transaction from start to stop ÷ ${tasks} tasks)`,
      value: `${(cost.transactions / tasks).toFixed(2)} (${cost.transactions.toLocaleString('en-US')})`,
    },
    {
      scenario,
      metric: `CPU per task, run queued → end (${label}): workers / PostgreSQL backends / Redis / scheduler`,
      value: `${perTask(workers)} / ${perTask(postgres)} / ${perTask(redis)} / ${perTask(scheduler)}`,
    },
  ];
}
