/**
 * VACUUM (ANALYZE) of the warehouse tables, on its own schedule: upserts leave dead rows behind,
 * and deleting rows does not give their space back. It never overlaps a promote (both take the
 * same lock), and logs each table's size before and after.
 */
import { dag } from 'sluice';
import { vacuumWarehouse } from 'sluice/providers';
import { WAREHOUSE_TABLES } from './warehouse/collections.ts';

const d = dag('warehouse_vacuum', {
  schedule: '30 3 * * *',
  startDate: '2026-11-20T00:00:00Z',
  catchup: false,
  maxActiveRuns: 1,
  isPausedUponCreation: !process.env.MONGO_URL,
  description: 'VACUUM (ANALYZE) of the warehouse tables, between loads',
  tags: ['etl', 'warehouse', 'maintenance'],
  defaultArgs: { retries: 2, retryDelay: '5m', executionTimeout: '3h' },
});

d.task('vacuum', (ctx) => vacuumWarehouse(ctx, { tables: WAREHOUSE_TABLES }));

export default d;
