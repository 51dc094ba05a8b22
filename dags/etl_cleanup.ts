/**
 * Daily cleanup after the ETL, on its own schedule:
 * - etl_objects: S3 objects of runs older than 7 days, parts of failed or retried extracts that
 *   no manifest names (after 6 h), unfinished multipart uploads, staging tables older than a day,
 *   old rejects.
 * - sluice_metadata: task logs and XCom values of runs that ended more than 30 days ago, and
 *   finished queue jobs left in Redis.
 * Each task reports what it removed; trigger with {"dryRun": true} to see what it would remove.
 */
import { dag } from 'sluice';
import { cleanupEtl, pruneSluiceMetadata } from 'sluice/providers';
import { etlSourceConfigured } from './warehouse/configured.ts';

const d = dag('etl_cleanup', {
  schedule: '0 4 * * *',
  startDate: '2026-11-20T00:00:00Z',
  catchup: false,
  maxActiveRuns: 1,
  isPausedUponCreation: !etlSourceConfigured,
  description: 'Removes old ETL files, orphaned parts, staging tables and old Sluice logs/XCom',
  tags: ['etl', 'maintenance'],
  params: { dryRun: false },
  defaultArgs: { retries: 2, retryDelay: '10m', executionTimeout: '1h' },
});

d.task('etl_objects', (ctx) => cleanupEtl(ctx, { retention: '7d', orphanGrace: '6h', stagingRetention: '1d' }));
d.task('sluice_metadata', (ctx) => pruneSluiceMetadata(ctx, { retention: '30d', queueRetention: '1d' }));

export default d;
