/**
 * A scheduled DAG: one run per day, created once the day is over, for the data of that day
 * (ctx.dataIntervalStart to ctx.dataIntervalEnd). Backfill past days with
 * `npx sluice dags backfill daily_report --from 2026-01-01 --to 2026-01-31`.
 * Its typed params shape the report; a run's conf may change them, within their rules:
 * `npx sluice dags trigger daily_report --conf '{"format": "text", "minOrders": 10}'`.
 * A failed run calls its onFailure callbacks: a log line, and a Slack notifier when
 * SLACK_WEBHOOK_URL is set.
 */
import { chain, dag, param, SkipTask } from 'sluice';
import { slack } from 'sluice/notifiers';

const d = dag('daily_report', {
  schedule: '@daily',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  maxActiveRuns: 4,
  description: 'Builds a report for each day',
  tags: ['example', 'scheduled'],
  params: {
    minOrders: param({ type: 'integer', default: 1, minimum: 0, description: 'days with fewer orders get no report' }),
    format: param({ type: 'string', enum: ['markdown', 'text'], default: 'markdown', description: 'how the report is written' }),
    title: param({ type: 'string', default: 'Orders', minLength: 1, maxLength: 80, description: 'the report\'s heading' }),
  },
  defaultArgs: { retries: 2, retryDelay: '5s', retryExponentialBackoff: true, executionTimeout: '1m' },
  // A failed day is a callback on the run page (with its log line) and, when SLACK_WEBHOOK_URL is
  // set, a message in the team's Slack channel with a link to the run.
  onFailure: [
    (c) => c.log.warn({ error: c.error, url: c.url }, `the report of ${c.logicalDate.toISOString().slice(0, 10)} failed`),
    ...(process.env.SLACK_WEBHOOK_URL ? [slack({ webhookUrl: process.env.SLACK_WEBHOOK_URL, channel: '#data-alerts' })] : []),
  ],
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
  const orders = collected?.orders ?? 0;
  // The run's conf was checked against the params when the run was created: an integer >= 0.
  const least = Math.max(ctx.params.minOrders as number, 1);
  if (orders < least) throw new SkipTask(`${orders} orders that day, fewer than ${least}`);
});

const render = d.task('render', async (ctx) => {
  const collected = await ctx.xcom<{ day: string; orders: number }>('collect');
  const heading = `${String(ctx.params.title)}, ${collected?.day}`;
  const body = `${collected?.orders} orders`;
  return ctx.params.format === 'text' ? `${heading}\n\n${body}` : `# ${heading}\n${body}`;
});

const publish = d.task('publish', { retries: 3 }, async (ctx) => {
  ctx.log.info({ bytes: (await ctx.xcom<string>('render'))?.length }, 'published');
});

chain(collect, checkEmpty, render, publish);

export default d;
