/**
 * Data-aware scheduling (README, "Assets"): no cron; a run each time `regional_sales` has made a
 * new report (its `report` task lists the asset in its outlets). Trigger `regional_sales`, or
 * record an update from outside: `npx sluice assets emit example://regional_sales/report`.
 */
import { asset, dag } from 'sluice';

const d = dag('sales_dashboard', {
  schedule: [asset('example://regional_sales/report')],
  description: 'Refreshed whenever a new regional sales report is made',
  tags: ['example'],
});

d.task('refresh', async (ctx) => {
  for (const event of ctx.triggeringAssetEvents) {
    ctx.log.info({ uri: event.uri, from: event.sourceRunId ?? 'outside Sluice', at: event.timestamp, extra: event.extra }, 'report updated');
  }
  return { updates: ctx.triggeringAssetEvents.length };
});

export default d;
