/**
 * A scheduled DAG: one run per day, created once the day is over, for the data of that day
 * (ctx.dataIntervalStart to ctx.dataIntervalEnd). Backfill past days with
 * `npx sluice dags backfill daily_report --from 2026-01-01 --to 2026-01-31`.
 */
import { chain, dag, SkipTask } from 'sluice';

const d = dag('daily_report', {
  schedule: '@daily',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  maxActiveRuns: 4,
  description: 'Builds a report for each day',
  tags: ['example', 'scheduled'],
  defaultArgs: { retries: 2, retryDelay: '5s', retryExponentialBackoff: true, executionTimeout: '1m' },
});

const collect = d.task('collect', async (ctx) => {
  const day = ctx.dataIntervalStart.toISOString().slice(0, 10);
  ctx.log.info({ day, until: ctx.dataIntervalEnd.toISOString() }, 'collecting the day');
  // Stand-in for a query over [dataIntervalStart, dataIntervalEnd).
  const orders = (ctx.dataIntervalStart.getUTCDate() * 7) % 23;
  return { day, orders };
});

const checkEmpty = d.task('skip_if_empty', async (ctx) => {
  const collected = await ctx.xcom<{ orders: number }>('collect');
  if (!collected?.orders) throw new SkipTask('no orders that day');
});

const render = d.task('render', async (ctx) => {
  const collected = await ctx.xcom<{ day: string; orders: number }>('collect');
  return `# ${collected?.day}\n${collected?.orders} orders`;
});

const publish = d.task('publish', { retries: 3 }, async (ctx) => {
  ctx.log.info({ bytes: (await ctx.xcom<string>('render'))?.length }, 'published');
});

chain(collect, checkEmpty, render, publish);

export default d;
