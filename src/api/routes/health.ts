import { withTimeout as within } from '../../core/with-timeout.ts';
import { redisServes, type RedisClient } from '../../queue/redis.ts';
import type { Queryable } from '../../store/db.ts';
import { listSchedulerHeartbeats } from '../../store/schedulers.ts';
import { defineRoute } from '../route.ts';
import { health, type HealthStatus as Status } from '../schemas/health.ts';
import { iso } from '../serialize.ts';

/** A scheduler that has not heart-beaten for this long counts as gone (Airflow's default threshold). */
export const SCHEDULER_HEALTH_THRESHOLD_MS = 30_000;
const CHECK_TIMEOUT_MS = 2_000;

const withTimeout = <T>(work: Promise<T>, what: string): Promise<T> => within(work, CHECK_TIMEOUT_MS, what);

async function checkDatabase(db: Queryable): Promise<Status> {
  try {
    await withTimeout(db.query('SELECT 1'), 'PostgreSQL');
    return 'healthy';
  } catch {
    return 'unhealthy';
  }
}

async function checkRedis(redis: RedisClient): Promise<Status> {
  try {
    return (await withTimeout(redisServes(redis), 'Redis')) ? 'healthy' : 'unhealthy';
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

export const healthRoutes = [
  defineRoute({
    operationId: 'getHealth',
    method: 'get',
    path: '/health',
    tag: 'Monitoring',
    minRole: 'viewer',
    summary: 'Whether the metadata database, Redis and a scheduler are up',
    // Query parameters are ignored here: probes and load balancers sometimes add their own.
    query: 'ignored',
    answers: { 200: { description: 'the status of each; 200 also when unhealthy', schema: health } },
    async handle(_input, { deps: { services: { db }, redis } }) {
      const [metadatabase, redisStatus, scheduler] = await Promise.all([checkDatabase(db), checkRedis(redis), checkScheduler(db)]);
      const healthy = metadatabase === 'healthy' && redisStatus === 'healthy' && scheduler.status === 'healthy';
      const status: Status = healthy ? 'healthy' : 'unhealthy';
      return {
        status: 200,
        body: {
          status,
          metadatabase: { status: metadatabase },
          redis: { status: redisStatus },
          scheduler,
        },
      };
    },
  }),
];
