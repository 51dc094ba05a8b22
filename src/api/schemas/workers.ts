/** The running workers and the queues they serve: what GET /workers and GET /queues answer. */
import { z } from 'zod';
import { count, isoTime, isoTimeOrNull, totalEntries } from './fields.ts';

export const worker = z
  .object({
    workerId: z.string(),
    hostname: z.string(),
    pools: z.array(z.string()).nullable().meta({ description: 'the pools whose tries it takes (`--pools`); null: every pool' }),
    queues: z.array(z.string()).meta({ description: 'the queues whose tries it takes (`--queues`)' }),
    concurrency: z.number().int().min(1),
    startedAt: isoTime,
    latestHeartbeat: isoTime,
  })
  .meta({ id: 'Worker' });

export const workerList = z
  .object({ workers: z.array(worker), totalEntries })
  .meta({ id: 'WorkerList', description: 'the workers heard from in the last 30 seconds' });

export const queueStatus = z
  .object({
    pool: z.string(),
    queue: z.string(),
    queuedTries: count().meta({ description: 'task instances queued here, waiting for a worker to take them' }),
    runningTries: count(),
    oldestQueuedAt: isoTimeOrNull.meta({ description: 'when the longest-waiting of them was queued' }),
    workers: count().meta({
      description: 'running workers that take tries of this pool and queue; 0 with tries queued means they wait until one is started with `sluice worker --queues <queue>`',
    }),
  })
  .meta({ id: 'QueueStatus' });

export const queueStatusList = z
  .object({ queues: z.array(queueStatus), totalEntries })
  .meta({ id: 'QueueStatusList', description: 'every pool and queue with tries queued or running, by pool then queue' });

export const queueStatusQuery = z.strictObject({
  dagId: z.string({ error: 'must be given once, as a DAG id' }).min(1, { error: 'must not be empty' }).optional().meta({ description: "only this DAG's tries" }),
});

export type Worker = z.infer<typeof worker>;
export type WorkerList = z.infer<typeof workerList>;
export type QueueStatus = z.infer<typeof queueStatus>;
export type QueueStatusList = z.infer<typeof queueStatusList>;
export type QueueStatusQuery = z.output<typeof queueStatusQuery>;
