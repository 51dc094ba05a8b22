/**
 * Scenario 1: a chain of 200 no-op tasks in one DAG. Measures the gap between one task's end and
 * the next one's start (both Postgres now() timestamps: endTry's and claimTry's transactions),
 * which is the whole fast path: recording the outcome, deciding the next task, the BullMQ round
 * trip and the claim.
 */
import { triggerDagRun } from '../../src/engine/actions.ts';
import { withEnvironment } from '../lib/env.ts';
import { startCluster } from '../lib/processes.ts';
import { atMost, type ResultRow } from '../lib/report.ts';
import { outcomeRow, taskTimes, waitForDags, waitForRunEnd } from '../lib/runs.ts';
import { stopClusterAndReport, type Scenario } from '../lib/scenario.ts';
import { ms, seconds, summarize } from '../lib/stats.ts';

const TASKS = 200;
const DAG_ID = 'bench_chain';
const NAME = '1. chain of 200';

const dagSource = () => `import { dag, chain } from 'sluice';

const d = dag('${DAG_ID}', { description: 'bench: a chain of ${TASKS} no-op tasks' });
const tasks = Array.from({ length: ${TASKS} }, (_, i) => d.task('t' + String(i).padStart(3, '0'), async () => undefined));
chain(...tasks);
export default d;
`;

export const chainScenario: Scenario = {
  id: 'chain',
  title: `A chain of ${TASKS} no-op tasks`,
  run: (ctx) =>
    withEnvironment('chain', async (env) => {
      await env.writeDag('chain.ts', dagSource());
      const cluster = await startCluster(env, ctx.concurrency);
      const rows: ResultRow[] = [];
      try {
        await waitForDags(env.db, [DAG_ID]);
        ctx.progress(`${NAME}: triggering the run`);
        const run = await triggerDagRun(env.db, DAG_ID, {});
        const ended = await waitForRunEnd(env.db, DAG_ID, run.runId, 120_000);
        const tasks = await taskTimes(env.db, DAG_ID, run.runId); // t000..t199: chain order
        rows.push(await outcomeRow(env.db, NAME, DAG_ID, [run.runId], TASKS));
        // Only pairs where both tasks really ran (a failure upstream-fails the rest of the chain).
        const ran = tasks.map((t) => t.tryNumber > 0);
        const gaps = tasks.slice(1).flatMap((t, i) => (ran[i] && ran[i + 1] ? [t.startMs - tasks[i]!.endMs] : []));
        const durations = tasks.filter((_, i) => ran[i]).map((t) => t.endMs - t.startMs);
        const g = summarize(gaps);
        const d = summarize(durations);
        rows.unshift(
          { scenario: NAME, metric: 'gap end → next start, p50', value: ms(g.p50, 2), measured: g.p50, target: atMost(3, 'ms') },
          { scenario: NAME, metric: 'gap end → next start, p95', value: ms(g.p95, 2) },
          { scenario: NAME, metric: 'gap end → next start, p99', value: ms(g.p99, 2), measured: g.p99, target: atMost(10, 'ms') },
          { scenario: NAME, metric: 'gap end → next start, max', value: ms(g.max, 2) },
          { scenario: NAME, metric: 'no-op try start → end, p50 / p99', value: `${ms(d.p50, 2)} / ${ms(d.p99, 2)}` },
          { scenario: NAME, metric: 'trigger → first task start', value: ms(tasks[0]!.startMs - ended.queuedMs) },
          { scenario: NAME, metric: `run wall time (queued → end, run ${ended.state})`, value: seconds(ended.endMs - ended.queuedMs) },
        );
      } finally {
        rows.push(...(await stopClusterAndReport(cluster, NAME, ctx)));
      }
      return rows;
    }),
};
