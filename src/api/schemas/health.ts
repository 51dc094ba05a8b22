/** GET /health: whether Sluice and what it depends on are up. */
import { z } from 'zod';
import { isoTimeOrNull } from './fields.ts';

export const healthStatus = z.enum(['healthy', 'unhealthy']);

export const health = z
  .object({
    status: healthStatus.meta({ description: 'healthy when the metadata database, Redis and a scheduler all are' }),
    metadatabase: z.object({ status: healthStatus }),
    redis: z.object({ status: healthStatus }),
    scheduler: z.object({
      status: healthStatus,
      latestHeartbeat: isoTimeOrNull.meta({ description: 'the newest heartbeat of any scheduler' }),
    }),
  })
  .meta({ id: 'Health' });

export type HealthStatus = z.infer<typeof healthStatus>;
export type Health = z.infer<typeof health>;
