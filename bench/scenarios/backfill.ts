/**
 * Scenario 3: a 365-day backfill of a daily 5-task DAG (extract → three transforms → load).
 * Times the createBackfill call (planning and inserting 365 runs with their task instances in
 * one transaction) and how long until every run has finished, with the backfill's maxActiveRuns.
 */
import { createBackfill } from '../../src/engine/backfill.ts';
import { withEnvironment } from '../lib/env.ts';
import { startCluster } from '../lib/processes.ts';
import { atMost, type ResultRow } from '../lib/report.ts';
import { outcomeRow, waitForDags } from '../lib/runs.ts';
import { stopClusterAndReport, type Scenario } from '../lib/scenario.ts';
import { ms, perSecond, rate, seconds, summarize } from '../lib/stats.ts';
import { waitFor } from '../lib/wait.ts';

const DAG_ID = 'bench_backfill';
const NAME = '3. backfill 365 days';
const DAYS = 365;
const TASKS_PER_RUN = 5;
export const BACKFILL_MAX_ACTIVE_RUNS = 16;
/** The DAG's own maxActiveTasks: the two workers' slots (2 × 16), so the DAG limit is not the bottleneck. */
const MAX_ACTIVE_TASKS = 32;

// catchup: false and an endDate in the past: the scheduler creates no runs of its own, so the
// backfill's 365 runs are all there is.
const dagSource = () => `import { dag, chain } from 'sluice';

const d = dag('${DAG_ID}', {
  schedule: '@daily',
  startDate: '2023-01-01',
  endDate: '2023-12-31',
  catchup: false,
  maxActiveTasks: ${MAX_ACTIVE_TASKS},
  description: 'bench: a daily ${TASKS_PER_RUN}-task DAG to backfill',
});
const extract = d.task('extract', async () => undefined);
const transforms = ['clean', 'enrich', 'aggregate'].map((name) => d.task(name, async () => undefined));
const load = d.task('load', async () => undefined);
chain(extract, transforms, load);
export default d;
`;

export const backfillScenario: Scenario = {
  id: 'backfill',
  title: `A ${DAYS}-day backfill of a daily ${TASKS_PER_RUN}-task DAG`,
  run: (ctx) =>
    withEnvironment('backfill', async (env) => {
      await env.writeDag('backfill.ts', dagSource());
      const cluster = await startCluster(env, ctx.concurrency);
      const rows: ResultRow[] = [];
      try {
        await waitForDags(env.db, [DAG_ID]);
        ctx.progress(`${NAME}: creating the backfill (maxActiveRuns ${BACKFILL_MAX_ACTIVE_RUNS})`);
        const t0 = performance.now();
        const backfill = await createBackfill(env.db, {
          dagId: DAG_ID,
          fromDate: new Date('2023-01-01T00:00:00Z'),
          toDate: new Date('2023-12-31T00:00:00Z'),
          reprocessBehavior: 'none',
          maxActiveRuns: BACKFILL_MAX_ACTIVE_RUNS,
          runBackwards: false,
          dryRun: false,
        });
        const createMs = performance.now() - t0;
        if (backfill.dagRunIds.length !== DAYS) throw new Error(`the backfill created ${backfill.dagRunIds.length} runs, expected ${DAYS}`);
        const done = await waitFor(
          'every backfill run to finish',
          async () => {
            const { rows: r } = await env.db.query<{ left: number }>(
              `SELECT count(*)::int AS left FROM dag_runs WHERE backfill_id = $1 AND state IN ('queued', 'running')`,
              [backfill.id],
            );
            return r[0]!.left === 0;
          },
          240_000,
          50,
        );
        void done;
        const { rows: timing } = await env.db.query<{ created: number; last_end: number; failed: number }>(
          `SELECT (extract(epoch FROM b.created_at) * 1000)::float8 AS created,
             (SELECT (extract(epoch FROM max(r.end_date)) * 1000)::float8 FROM dag_runs r WHERE r.backfill_id = b.id) AS last_end,
             (SELECT count(*)::int FROM dag_runs r WHERE r.backfill_id = b.id AND r.state <> 'success') AS failed
           FROM backfills b WHERE b.id = $1`,
          [backfill.id],
        );
        const { created, last_end: lastEnd, failed } = timing[0]!;
        const { rows: runDurations } = await env.db.query<{ ms: number }>(
          `SELECT (extract(epoch FROM end_date - start_date) * 1000)::float8 AS ms FROM dag_runs WHERE backfill_id = $1`,
          [backfill.id],
        );
        const perRun = summarize(runDurations.map((r) => r.ms));
        const totalMs = lastEnd - created;
        rows.push(
          { scenario: NAME, metric: `createBackfill call (${DAYS} runs, ${DAYS * TASKS_PER_RUN} task instances)`, value: ms(createMs, 0), measured: createMs / 1000, target: atMost(0.5, 's') },
          { scenario: NAME, metric: `backfill created → every run finished (maxActiveRuns ${BACKFILL_MAX_ACTIVE_RUNS})`, value: seconds(totalMs) },
          { scenario: NAME, metric: 'runs/s and tasks/s over that time', value: `${perSecond(DAYS, totalMs).toFixed(1)} runs/s, ${rate(perSecond(DAYS * TASKS_PER_RUN, totalMs))}` },
          { scenario: NAME, metric: 'one run start → end, p50 / p99', value: `${ms(perRun.p50, 0)} / ${ms(perRun.p99, 0)}` },
          { scenario: NAME, metric: 'runs that did not succeed', value: String(failed), ...(failed ? { failure: `${failed} run(s) did not succeed` } : {}) },
          await outcomeRow(env.db, NAME, DAG_ID, backfill.dagRunIds, DAYS * TASKS_PER_RUN),
        );
      } finally {
        rows.push(...(await stopClusterAndReport(cluster, NAME, ctx)));
      }
      return rows;
    }),
};
