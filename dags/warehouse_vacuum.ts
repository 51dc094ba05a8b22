/**
 * VACUUM (ANALYZE) of the warehouse tables, once a day: upserts leave dead rows behind, and
 * deleting rows does not give their space back. It waits, with a sensor that holds no worker
 * slot while it waits, for the promote of the day's last hourly load (23:00 to midnight UTC) to
 * succeed, rather than hoping its cron slot is quiet; it never overlaps a later promote either
 * (both take the same lock), and logs each table's size before and after.
 */
import { dag } from 'sluice';
import { vacuumWarehouse } from 'sluice/providers';
import { externalTaskSensor } from 'sluice/sensors';
import { WAREHOUSE_TABLES } from './warehouse/collections.ts';
import { lastLoadOfTheDay } from './warehouse/day-loads.ts';
import { etlSourceConfigured } from './warehouse/configured.ts';

const d = dag('warehouse_vacuum', {
  schedule: '30 3 * * *',
  startDate: '2026-11-20T00:00:00Z',
  catchup: false,
  maxActiveRuns: 1,
  isPausedUponCreation: !etlSourceConfigured,
  description: 'VACUUM (ANALYZE) of the warehouse tables, between loads',
  tags: ['etl', 'warehouse', 'maintenance'],
  defaultArgs: { retries: 2, retryDelay: '5m', executionTimeout: '3h' },
});

const loaded = d.sensor(
  'day_loaded',
  // A failed promote fails this run at once (it would never succeed by waiting); a load late by
  // more than 20 hours fails it too, so that someone looks.
  { pokeInterval: '5m', timeout: '20h', retries: 0 },
  externalTaskSensor({ dagId: 'mongo_to_warehouse', taskId: 'promote', logicalDate: (ctx) => lastLoadOfTheDay(ctx.dataIntervalEnd) }),
);
loaded.then(d.task('vacuum', (ctx) => vacuumWarehouse(ctx, { tables: WAREHOUSE_TABLES })));

export default d;
