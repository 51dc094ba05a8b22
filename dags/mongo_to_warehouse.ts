/**
 * The showcase ETL: MongoDB → S3 → PostgreSQL warehouse, every hour, catching up on missed hours.
 *
 *   migrate → extract_<c> → upload_<c> → stage_load_<c> → promote      (c: customers, products, orders)
 *
 * - migrate: applies ./warehouse/migrations in order, once each.
 * - extract_<c>: the documents modified in the run's hour (the first load: everything before its
 *   end), flattened into rows, streamed to S3 as gzip parts.
 * - upload_<c>: commits those parts in a manifest; only manifest parts are ever loaded.
 * - stage_load_<c>: COPY of the parts into staging tables; bad values repaired or rejected.
 * - promote: every collection into the warehouse in one transaction; then an asset event for
 *   each warehouse table (its outlets), which starts daily_sales.
 *
 * Connections: mongo_shop, s3_etl and warehouse when they exist; else MONGO_URL, S3_ENDPOINT /
 * S3_BUCKET / S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY, WAREHOUSE_DATABASE_URL (see README "The
 * showcase ETL"). Run conf: {"fullRefresh": true} reloads everything before the run's cutoff;
 * {"maxRejects": N} raises the reject limit for one run.
 */
import { chain, dag } from 'sluice';
import { commitExtract, extractCollection, migrateWarehouse, promote, stageLoad } from 'sluice/providers';
import { COLLECTIONS, MIGRATIONS, WAREHOUSE_ASSETS } from './warehouse/collections.ts';
import { etlSourceConfigured } from './warehouse/configured.ts';

const d = dag('mongo_to_warehouse', {
  schedule: '@hourly',
  startDate: process.env.ETL_START_DATE ?? '2026-11-20T00:00:00Z',
  catchup: true,
  // Runs overlap safely (a row never goes back to an older version), but in order is easier to follow.
  maxActiveRuns: 1,
  // Until its connections are configured there is nothing for it to read: start paused then.
  isPausedUponCreation: !etlSourceConfigured,
  description: 'Shop data from MongoDB into the PostgreSQL warehouse, through S3',
  tags: ['etl', 'warehouse'],
  params: { fullRefresh: false },
  defaultArgs: { retries: 3, retryDelay: '30s', retryExponentialBackoff: true, maxRetryDelay: '10m', executionTimeout: '2h' },
});

const migrate = d.task('migrate', (ctx) => migrateWarehouse(ctx, { files: MIGRATIONS }));
// Each promote is an update of every warehouse table: an asset event per table for DAGs scheduled on them.
const promoteAll = d.task('promote', { outlets: Object.values(WAREHOUSE_ASSETS) }, (ctx) =>
  promote(ctx, { stageTasks: COLLECTIONS.map((c) => `stage_load_${c.collection}`) }),
);

for (const collection of COLLECTIONS) {
  const name = collection.collection;
  const extract = d.task(`extract_${name}`, (ctx) => extractCollection(ctx, collection));
  const upload = d.task(`upload_${name}`, (ctx) => commitExtract(ctx, { extractTask: extract.taskId }));
  const load = d.task(`stage_load_${name}`, (ctx) => stageLoad(ctx, { collection, uploadTask: upload.taskId }));
  chain(migrate, extract, upload, load, promoteAll);
}

export default d;
