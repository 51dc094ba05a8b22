/**
 * The worker_heartbeats table: one row per running worker, with the pools and queues it serves.
 * Written by the worker when it starts and every WORKER_HEARTBEAT_MS; removed when it stops
 * cleanly. A worker that died leaves its row: one older than WORKER_ALIVE_MS is not counted as
 * serving anything, and one older than a day is removed by the next worker that starts.
 */
import type { Queryable } from './db.ts';

/** How often a worker says it is alive. */
export const WORKER_HEARTBEAT_MS = 5_000;
/** A worker unheard of for this long is taken for gone: its queues count as unserved. */
export const WORKER_ALIVE_MS = 30_000;

export interface WorkerRegistration {
  workerId: string;
  hostname: string;
  /** The pools it serves; null: every pool. */
  pools: string[] | null;
  queues: string[];
  concurrency: number;
}

export interface WorkerHeartbeat extends WorkerRegistration {
  startedAt: Date;
  latestHeartbeat: Date;
  /** Seconds since the heartbeat, by the database's clock. */
  ageSeconds: number;
}

/** A worker starting: its row, and the removal of rows that workers dead for a day left behind. */
export async function registerWorker(db: Queryable, w: WorkerRegistration): Promise<void> {
  await db.query(`DELETE FROM worker_heartbeats WHERE latest_heartbeat < now() - interval '1 day'`);
  await recordWorkerHeartbeat(db, w);
}

/**
 * Says the worker is alive now, with what it serves. Its row is written again if it is gone (a
 * database restored, or a worker cut off so long that its row was cleaned away): hence the
 * registration, not just the id.
 */
export async function recordWorkerHeartbeat(db: Queryable, w: WorkerRegistration): Promise<void> {
  await db.query(
    `INSERT INTO worker_heartbeats (worker_id, hostname, pools, queues, concurrency) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (worker_id) DO UPDATE SET pools = $3, queues = $4, concurrency = $5, latest_heartbeat = now()`,
    [w.workerId, w.hostname, w.pools, w.queues, w.concurrency],
  );
}

export async function removeWorkerHeartbeat(db: Queryable, workerId: string): Promise<void> {
  await db.query('DELETE FROM worker_heartbeats WHERE worker_id = $1', [workerId]);
}

/** The workers heard from within WORKER_ALIVE_MS, newest heartbeat first. */
export async function listLiveWorkers(db: Queryable): Promise<WorkerHeartbeat[]> {
  const { rows } = await db.query<WorkerHeartbeat>(
    `SELECT worker_id AS "workerId", hostname, pools, queues, concurrency, started_at AS "startedAt",
       latest_heartbeat AS "latestHeartbeat", extract(epoch FROM now() - latest_heartbeat)::float8 AS "ageSeconds"
     FROM worker_heartbeats WHERE latest_heartbeat >= now() - $1 * interval '1 millisecond'
     ORDER BY latest_heartbeat DESC, worker_id`,
    [WORKER_ALIVE_MS],
  );
  return rows;
}

/** Tries waiting in one pool and queue, and the live workers that serve that pair. */
export interface QueueStatus {
  pool: string;
  queue: string;
  /** Task instances queued there: sent, and waiting for a worker to take them. */
  queuedTries: number;
  runningTries: number;
  oldestQueuedAt: Date | null;
  /** Live workers taking tries of this pool and queue (0 with tries queued: they wait for one). */
  workers: number;
}

/**
 * Every pool and queue pair that has tries queued or running, with the live workers that serve
 * it, by pool then queue; `dagId` limits it to one DAG's tries.
 */
export async function listQueueStatus(db: Queryable, dagId?: string): Promise<QueueStatus[]> {
  const { rows } = await db.query<QueueStatus>(
    `WITH live AS (
       SELECT pools, queues FROM worker_heartbeats WHERE latest_heartbeat >= now() - $1 * interval '1 millisecond'),
     pairs AS (
       SELECT pool, queue, count(*) FILTER (WHERE state = 'queued')::int AS queued, count(*) FILTER (WHERE state = 'running')::int AS running,
         min(queued_at) FILTER (WHERE state = 'queued') AS oldest
       FROM task_instances WHERE state IN ('queued', 'running') AND ($2::text IS NULL OR dag_id = $2)
       GROUP BY pool, queue)
     SELECT p.pool, p.queue, p.queued AS "queuedTries", p.running AS "runningTries", p.oldest AS "oldestQueuedAt",
       (SELECT count(*)::int FROM live w WHERE p.queue = ANY (w.queues) AND (w.pools IS NULL OR p.pool = ANY (w.pools))) AS workers
     FROM pairs p ORDER BY p.pool, p.queue`,
    [WORKER_ALIVE_MS, dagId ?? null],
  );
  return rows;
}
