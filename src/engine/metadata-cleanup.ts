/**
 * Retention for Sluice's own store, as a task: logs and XCom values of runs that finished before
 * the retention, and finished queue jobs left in Redis. Connects with the worker's own settings
 * (SLUICE_DATABASE_URL, SLUICE_REDIS_URL, SLUICE_QUEUE_PREFIX).
 */
import { loadConfig } from '../config.ts';
import { parseDuration } from '../core/durations.ts';
import { redisReady } from '../queue/redis.ts';
import { pruneQueueJobs } from '../queue/retention.ts';
import type { TaskContext } from '../sdk/context.ts';
import { pruneMetadata } from '../store/retention.ts';
import { openServices } from './open-services.ts';

export interface MetadataCleanupOptions {
  /** Logs and XComs of runs that ended longer ago than this are removed. Default `30d`. */
  retention?: string | number;
  /** Finished queue jobs older than this are removed. Default `1d`. */
  queueRetention?: string | number;
  dryRun?: boolean;
}

export interface MetadataCleanupReport {
  dryRun: boolean;
  logChunks: number;
  logBytes: number;
  xcoms: number;
  queueJobs: number;
}

export async function pruneSluiceMetadata(ctx: TaskContext, options: MetadataCleanupOptions = {}): Promise<MetadataCleanupReport> {
  const config = loadConfig();
  const now = Date.now();
  const olderThan = new Date(now - parseDuration(options.retention ?? '30d', 'retention'));
  const queueOlderThan = new Date(now - parseDuration(options.queueRetention ?? '1d', 'queueRetention'));
  const dryRun = options.dryRun === true || ctx.params.dryRun === true;
  const { services, redis, close } = openServices(config, ctx.log, { poolSize: 2 });
  try {
    const metadata = await pruneMetadata(services.db, { olderThan, dryRun, signal: ctx.signal });
    // Its own connection, just opened: a command sent before it is ready would fail.
    await redisReady(redis);
    const jobs = await pruneQueueJobs(redis, config.queuePrefix, { olderThan: queueOlderThan, dryRun });
    const report = { dryRun, logChunks: metadata.logs, logBytes: metadata.logBytes, xcoms: metadata.xcoms, queueJobs: jobs.removed };
    ctx.log.info({ ...report, olderThan: olderThan.toISOString() }, dryRun ? 'metadata cleanup (dry run): would remove' : 'metadata cleanup removed');
    return report;
  } finally {
    await close();
  }
}
