/**
 * Task groups: one extract task per sales region, bundled in the group `extract` (task ids
 * `extract.emea`, …), linked as a whole: `chain` runs every region after `open_day` and the
 * report after all of them. The UI draws the group as a box that collapses into one node, and
 * the grid as a row that folds. Trigger it with `npx sluice dags trigger regional_sales`.
 * Its report is an asset (README, "Assets"): each time it is made, `sales_dashboard` runs.
 */
import { asset, chain, dag } from 'sluice';

const REGIONS = ['emea', 'americas', 'apac'] as const;

const d = dag('regional_sales', {
  schedule: null,
  description: 'Sales extracted per region in a task group, then one report',
  tags: ['example'],
  defaultArgs: { retries: 1, retryDelay: '5s' },
});

const openDay = d.task('open_day', async (ctx) => ({ day: ctx.logicalDate.toISOString().slice(0, 10) }));

const extract = d.group('extract', { tooltip: 'One task per sales region, run side by side', defaultArgs: { retries: 2 } });
for (const [i, region] of REGIONS.entries()) {
  extract.task(region, async (ctx) => {
    const opened = await ctx.xcom<{ day: string }>('open_day');
    // Stand-in for a query of the region's sales system.
    const orders = 40 + ((i * 37 + ctx.logicalDate.getUTCDate() * 11) % 60);
    ctx.log.info({ region, day: opened?.day, orders }, 'extracted');
    return { region, orders };
  });
}

const report = d.task('report', { outlets: [asset('example://regional_sales/report')] }, async (ctx) => {
  const sales = await Promise.all(REGIONS.map((region) => ctx.xcom<{ region: string; orders: number }>(`extract.${region}`)));
  const total = sales.reduce((sum, s) => sum + (s?.orders ?? 0), 0);
  ctx.log.info({ total, byRegion: Object.fromEntries(sales.map((s) => [s?.region, s?.orders])) }, 'report ready');
  return { total };
});

chain(openDay, extract, report);

export default d;
