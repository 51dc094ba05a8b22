/**
 * The scheduler_heartbeats table: one row per running scheduler, written by the scheduler each
 * loop and read by /health. A scheduler that stops cleanly removes its row; one that died leaves
 * it, and its age shows how long ago it was last seen.
 */
import { hostname } from 'node:os';
import type { Queryable } from './db.ts';

export interface SchedulerHeartbeat {
  schedulerId: string;
  hostname: string;
  startedAt: Date;
  latestHeartbeat: Date;
  /** Seconds since the heartbeat, by the database's clock (the one that wrote it). */
  ageSeconds: number;
}

/** Says this scheduler is alive now (the first call also records when it started). */
export async function recordSchedulerHeartbeat(db: Queryable, schedulerId: string): Promise<void> {
  await db.query(
    `INSERT INTO scheduler_heartbeats (scheduler_id, hostname) VALUES ($1, $2)
     ON CONFLICT (scheduler_id) DO UPDATE SET latest_heartbeat = now()`,
    [schedulerId, hostname()],
  );
}

/** A scheduler stopping cleanly: /health no longer lists it. */
export async function removeSchedulerHeartbeat(db: Queryable, schedulerId: string): Promise<void> {
  await db.query('DELETE FROM scheduler_heartbeats WHERE scheduler_id = $1', [schedulerId]);
}

export async function listSchedulerHeartbeats(db: Queryable): Promise<SchedulerHeartbeat[]> {
  const { rows } = await db.query<SchedulerHeartbeat>(
    `SELECT scheduler_id AS "schedulerId", hostname, started_at AS "startedAt", latest_heartbeat AS "latestHeartbeat",
       extract(epoch FROM now() - latest_heartbeat)::float8 AS "ageSeconds"
     FROM scheduler_heartbeats ORDER BY latest_heartbeat DESC`,
  );
  return rows;
}
