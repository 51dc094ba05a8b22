/**
 * Trigger rules and skips: a task that fails for good, one that only runs when something
 * failed, a clean-up that runs whatever happened, and a branch skipped on weekends.
 */
import { dag, FailTask, SkipTask } from 'sluice';

const d = dag('trigger_rules', {
  description: 'Failure handling with trigger rules',
  tags: ['example'],
  params: { failLoad: false },
});

const extract = d.task('extract', async () => ({ rows: 120 }));

const load = d.task('load', async (ctx) => {
  if (ctx.params.failLoad) throw new FailTask('failLoad was set in the run conf');
  return (await ctx.xcom<{ rows: number }>('extract'))?.rows;
});

const weekdayOnly = d.task('weekday_only', async (ctx) => {
  const day = ctx.logicalDate.getUTCDay();
  if (day === 0 || day === 6) throw new SkipTask('weekend');
  return 'weekday work done';
});

const alert = d.task('alert_on_failure', { triggerRule: 'one_failed' }, async (ctx) => {
  ctx.log.warn('something upstream failed: paging the on-call engineer (pretend)');
});

const cleanup = d.task('cleanup', { triggerRule: 'all_done' }, async (ctx) => {
  ctx.log.info('removing temporary files whatever happened');
});

const summary = d.task('summary', { triggerRule: 'none_failed_min_one_success' }, async () => 'ok');

extract.then([load, weekdayOnly]);
load.then([alert, cleanup]);
weekdayOnly.then(cleanup);
summary.after([load, weekdayOnly]);

export default d;
