/**
 * The comparison point: a plain BullMQ worker, configured like Sluice's (same connection options,
 * concurrency and removeOnComplete), whose processor does nothing. Forked by the bench with IPC.
 */
import { Worker } from 'bullmq';
import { createRedis } from '../../src/queue/redis.ts';

const need = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const connection = createRedis({ redisUrl: need('BENCH_REDIS_URL'), redisClusterNodes: null }, 'consumer');
let processed = 0;
let firstStartedAt = 0;
let lastCompletedAt = 0;

const worker = new Worker(
  need('BENCH_QUEUE_NAME'),
  async () => {
    if (firstStartedAt === 0) firstStartedAt = Date.now();
  },
  {
    connection,
    prefix: need('BENCH_QUEUE_PREFIX'),
    concurrency: Number(need('BENCH_CONCURRENCY')),
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
  },
);
worker.on('completed', () => {
  processed++;
  lastCompletedAt = Date.now();
});
worker.on('error', (err) => console.error(err));

process.on('message', (message: { type?: string }) => {
  if (message.type === 'stats') process.send?.({ type: 'stats', processed, firstStartedAt, lastCompletedAt });
});

const stop = async () => {
  await worker.close();
  connection.disconnect();
  process.disconnect?.();
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());

await worker.waitUntilReady();
process.send?.({ type: 'ready' });
