/**
 * Scenario 9: data-aware scheduling. A consumer DAG scheduled on one asset (one no-op task) and a
 * producer DAG whose task lists the asset in its outlets, on one scheduler and two workers. Each
 * round records an event, from a producer run's task or from outside (as `POST /assets/events`
 * does), once the consumer's previous run has ended, and measures the event's time → the
 * consumer run's first task start: the event's trigger NOTIFYing the schedulers, the run made and
 * started, its task admitted, sent and claimed.
 */
import { emitAssetEvent } from '../../src/engine/asset-events.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { setPaused } from '../../src/store/dags.ts';
import { withEnvironment, type BenchEnvironment } from '../lib/env.ts';
import { startCluster } from '../lib/processes.ts';
import { atMost, type ResultRow } from '../lib/report.ts';
import { waitForDags, waitForRunEnd } from '../lib/runs.ts';
import { stopClusterAndReport, type Scenario, type ScenarioContext } from '../lib/scenario.ts';
import { ms, percentile } from '../lib/stats.ts';
import { waitFor } from '../lib/wait.ts';

const ROUNDS = 20;
const NAME = '9. assets: event → the consumer run\'s first task';
const URI = 'bench://warehouse/orders';
const PRODUCER = 'bench_asset_producer';
const CONSUMER = 'bench_asset_consumer';
const TARGET_MS = 1000;

const producerSource = `import { asset, dag } from 'sluice';
const d = dag('${PRODUCER}', { description: 'bench: a task that updates an asset' });
d.task('load', { outlets: [asset('${URI}')] }, async () => undefined);
export default d;
`;

const consumerSource = `import { asset, dag } from 'sluice';
const d = dag('${CONSUMER}', { schedule: [asset('${URI}')], description: 'bench: runs on every update of the asset' });
d.task('report', async () => undefined);
export default d;
`;

/** The consumer's runs so far. */
async function consumerRuns(env: BenchEnvironment): Promise<number> {
  const { rows } = await env.db.query<{ n: number }>('SELECT count(*)::int AS n FROM dag_runs WHERE dag_id = $1', [CONSUMER]);
  return rows[0]!.n;
}

/**
 * Waits for the consumer's next run (after `seen`) to end; the time from the event (`eventMs`,
 * the database's clock) to its task's start, on the same clock.
 */
async function latencyOfNextRun(env: BenchEnvironment, seen: number, eventMs: number): Promise<number> {
  const run = await waitFor(
    'the consumer run',
    async () => {
      const { rows } = await env.db.query<{ run_id: string; n: number }>(
        'SELECT run_id, count(*) OVER ()::int AS n FROM dag_runs WHERE dag_id = $1 ORDER BY queued_at DESC LIMIT 1',
        [CONSUMER],
      );
      return rows[0] && rows[0].n > seen ? rows[0].run_id : undefined;
    },
    30_000,
  );
  await waitForRunEnd(env.db, CONSUMER, run, 30_000);
  const { rows } = await env.db.query<{ start: number }>(
    `SELECT (extract(epoch FROM start_date) * 1000)::float8 AS start FROM task_instances WHERE dag_id = $1 AND run_id = $2 AND task_id = 'report'`,
    [CONSUMER, run],
  );
  return rows[0]!.start - eventMs;
}

async function run(env: BenchEnvironment, ctx: ScenarioContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  await env.writeDag('producer.ts', producerSource);
  await env.writeDag('consumer.ts', consumerSource);
  const cluster = await startCluster(env, ctx.concurrency, {}, 2);
  try {
    await waitForDags(env.db, [PRODUCER, CONSUMER], 120_000);
    for (const dagId of [PRODUCER, CONSUMER]) await setPaused(env.db, dagId, false);
    const fromTask: number[] = [];
    const fromOutside: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const seen = await consumerRuns(env);
      if (i % 2 === 0) {
        // An event from outside, as the API records one.
        const event = await emitAssetEvent(env.db, URI, { round: i });
        fromOutside.push(await latencyOfNextRun(env, seen, event.timestamp.getTime()));
      } else {
        // From a task: the event is recorded with its success (its end_date, the same clock).
        const producer = await triggerDagRun(env.db, PRODUCER, {});
        await waitForRunEnd(env.db, PRODUCER, producer.runId, 30_000);
        const { rows: events } = await env.db.query<{ at: number }>(
          `SELECT (extract(epoch FROM created_at) * 1000)::float8 AS at FROM asset_events WHERE source_run_id = $1`,
          [producer.runId],
        );
        fromTask.push(await latencyOfNextRun(env, seen, events[0]!.at));
      }
      ctx.progress(`${NAME}: round ${i + 1} of ${ROUNDS}`);
    }
    const all = [...fromTask, ...fromOutside];
    rows.push(
      {
        scenario: NAME,
        metric: `event → the consumer run's first task start, p50 (${all.length} events, one at a time)`,
        value: ms(percentile(all, 50)),
        measured: percentile(all, 50),
        target: atMost(TARGET_MS, 'ms'),
      },
      {
        scenario: NAME,
        metric: 'the same, p95 / max',
        value: `${ms(percentile(all, 95))} / ${ms(Math.max(...all))}`,
      },
      {
        scenario: NAME,
        metric: "p50 by the event's origin: a producer task's success (its outlets) / from outside (POST /assets/events)",
        value: `${ms(percentile(fromTask, 50))} / ${ms(percentile(fromOutside, 50))}`,
      },
    );
  } finally {
    rows.push(...(await stopClusterAndReport(cluster, NAME, ctx)));
  }
  return rows;
}

export const assetsScenario: Scenario = {
  id: 'assets',
  title: 'data-aware scheduling: an asset event to its consumer run\'s first task',
  run: (ctx) => withEnvironment('assets', (env) => run(env, ctx)),
};
