import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Queryable } from '../../store/db.ts';
import type { ApiDeps } from '../context.ts';
import { listSchedulerHeartbeats } from '../queries.ts';
import { iso } from '../serialize.ts';

type Status = 'healthy' | 'unhealthy';

/** A scheduler that has not heart-beaten for this long counts as gone (Airflow's default threshold). */
export const SCHEDULER_HEALTH_THRESHOLD_MS = 30_000;
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS}ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function checkDatabase(db: Queryable): Promise<Status> {
  try {
    await withTimeout(db.query('SELECT 1'), 'PostgreSQL');
    return 'healthy';
  } catch {
    return 'unhealthy';
  }
}

async function checkRedis(redis: Redis): Promise<Status> {
  try {
    return (await withTimeout(redis.ping(), 'Redis')) === 'PONG' ? 'healthy' : 'unhealthy';
  } catch {
    return 'unhealthy';
  }
}

async function checkScheduler(db: Queryable): Promise<{ status: Status; latestHeartbeat: string | null }> {
  try {
    const [latest] = await withTimeout(listSchedulerHeartbeats(db), 'PostgreSQL');
    if (!latest) return { status: 'unhealthy', latestHeartbeat: null };
    const fresh = latest.ageSeconds * 1000 <= SCHEDULER_HEALTH_THRESHOLD_MS;
    return { status: fresh ? 'healthy' : 'unhealthy', latestHeartbeat: iso(latest.latestHeartbeat) };
  } catch {
    return { status: 'unhealthy', latestHeartbeat: null };
  }
}

export function healthRoutes({ services: { db }, redis }: ApiDeps): Router {
  const router = Router({ caseSensitive: true });
  // Query parameters are ignored here: probes and load balancers sometimes add their own.
  router.get('/health', async (_req, res) => {
    const [metadatabase, redisStatus, scheduler] = await Promise.all([checkDatabase(db), checkRedis(redis), checkScheduler(db)]);
    const healthy = metadatabase === 'healthy' && redisStatus === 'healthy' && scheduler.status === 'healthy';
    res.json({
      status: healthy ? 'healthy' : 'unhealthy',
      metadatabase: { status: metadatabase },
      redis: { status: redisStatus },
      scheduler,
    });
  });
  return router;
}
