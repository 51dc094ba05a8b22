/**
 * Scenario 1: a chain of 200 no-op tasks in one DAG. Measures the gap between one task's end and
 * the next one's start (both Postgres now() timestamps: endTry's and claimTry's transactions),
 * which is the whole fast path: recording the outcome, deciding the next task, the BullMQ round
 * trip and the claim. Run twice: with tries in runner processes (the default), whose hop adds
 * the hand-over to a runner and back, and inline; and the idle worker's memory with its runners.
 */
import { triggerDagRun } from '../../src/engine/actions.ts';
import { OtlpReceiver } from '../../test/support/otlp-receiver.ts';
import { withEnvironment } from '../lib/env.ts';
import { startCluster } from '../lib/processes.ts';
import { atMost, type ResultRow } from '../lib/report.ts';
import { outcomeRow, taskTimes, waitForDags, waitForRunEnd } from '../lib/runs.ts';
import { stopClusterAndReport, type Scenario, type ScenarioContext } from '../lib/scenario.ts';
import { mib, ms, seconds, summarize } from '../lib/stats.ts';

const TASKS = 200;
const DAG_ID = 'bench_chain';
const NAME = '1. chain of 200';

const dagSource = () => `import { dag, chain } from 'sluice';

const d = dag('${DAG_ID}', { description: 'bench: a chain of ${TASKS} no-op tasks' });
const tasks = Array.from({ length: ${TASKS} }, (_, i) => d.task('t' + String(i).padStart(3, '0'), async () => undefined));
chain(...tasks);
export default d;
`;

/**
 * Section 5's target, on the gap alone: 3 ms p50 with tries inline. Section 6's, with tries in
 * runner processes: a whole hop (the gap and the next no-op try, which now includes handing it to
 * a runner and back) within 5 ms p50.
 */
const GAP_TARGET_P50_MS = 3;
const HOP_TARGET_P50_MS = 5;
/** An idle worker with its runner processes, all told. */
const IDLE_WORKER_TARGET_BYTES = 250 * 1024 * 1024;

type Isolation = 'process' | 'inline';

/**
 * `traced`: the engine's processes export OpenTelemetry traces (OTEL_EXPORTER_OTLP_ENDPOINT) to a
 * receiver in the bench process that keeps them, so the rows show what tracing costs the fast
 * path, against the same targets, and that every span arrived.
 */
async function runChain(ctx: ScenarioContext, isolation: Isolation, traced = false): Promise<ResultRow[]> {
  const name = `${NAME} (${isolation === 'process' ? 'tries in runner processes' : 'inline tries'}${traced ? ', traces exported' : ''})`;
  return withEnvironment(`chain-${isolation}${traced ? '-traced' : ''}`, async (env) => {
    await env.writeDag('chain.ts', dagSource());
    const receiver = traced ? new OtlpReceiver() : undefined;
    const tracing: Record<string, string> = receiver ? { OTEL_EXPORTER_OTLP_ENDPOINT: await receiver.start() } : {};
    const cluster = await startCluster(env, ctx.concurrency, { env: { SLUICE_TASK_ISOLATION: isolation, ...tracing } });
    const rows: ResultRow[] = [];
    try {
      await waitForDags(env.db, [DAG_ID]);
      if (isolation === 'process') {
        // The spare runners start with the worker; measured once they have.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const idle = Math.max(...cluster.workers.map((w) => w.treeRssBytes()));
        const runners = Math.max(...cluster.workers.map((w) => w.descendantPids().length));
        rows.push({
          scenario: name,
          metric: `idle worker process with its ${runners} runner processes, RSS all told (larger of 2)`,
          value: mib(idle),
          measured: idle / (1024 * 1024),
          target: atMost(IDLE_WORKER_TARGET_BYTES / (1024 * 1024), 'MiB'),
        });
      }
      ctx.progress(`${name}: triggering the run`);
      const run = await triggerDagRun(env.db, DAG_ID, {});
      const ended = await waitForRunEnd(env.db, DAG_ID, run.runId, 120_000);
      const tasks = await taskTimes(env.db, DAG_ID, run.runId); // t000..t199: chain order
      rows.push(await outcomeRow(env.db, name, DAG_ID, [run.runId], TASKS));
      // Only pairs where both tasks really ran (a failure upstream-fails the rest of the chain).
      const ran = tasks.map((t) => t.tryNumber > 0);
      const gaps = tasks.slice(1).flatMap((t, i) => (ran[i] && ran[i + 1] ? [t.startMs - tasks[i]!.endMs] : []));
      const durations = tasks.filter((_, i) => ran[i]).map((t) => t.endMs - t.startMs);
      const g = summarize(gaps);
      const d = summarize(durations);
      const hop = summarize(gaps.map((gap, i) => gap + durations[i + 1]!));
      const inline = isolation === 'inline';
      rows.unshift(
        { scenario: name, metric: 'hop: end → next end (the gap and a no-op try), p50', value: ms(hop.p50, 2), ...(inline ? {} : { measured: hop.p50, target: atMost(HOP_TARGET_P50_MS, 'ms') }) },
        { scenario: name, metric: 'gap end → next start, p50', value: ms(g.p50, 2), ...(inline ? { measured: g.p50, target: atMost(GAP_TARGET_P50_MS, 'ms') } : {}) },
        { scenario: name, metric: 'gap end → next start, p95', value: ms(g.p95, 2) },
        { scenario: name, metric: 'gap end → next start, p99', value: ms(g.p99, 2), measured: g.p99, target: atMost(10, 'ms') },
        { scenario: name, metric: 'gap end → next start, max', value: ms(g.max, 2) },
        { scenario: name, metric: 'no-op try start → end, p50 / p99', value: `${ms(d.p50, 2)} / ${ms(d.p99, 2)}` },
        { scenario: name, metric: 'trigger → first task start', value: ms(tasks[0]!.startMs - ended.queuedMs) },
        { scenario: name, metric: `run wall time (queued → end, run ${ended.state})`, value: seconds(ended.endMs - ended.queuedMs) },
      );
    } finally {
      rows.push(...(await stopClusterAndReport(cluster, name, ctx)));
      // The processes have stopped, so they have sent everything: one span per try, one for the run.
      if (receiver) rows.push(spansRow(name, receiver.spans.length));
      await receiver?.close();
    }
    return rows;
  });
}

function spansRow(scenario: string, received: number): ResultRow {
  const expected = TASKS + 1;
  const row = { scenario, metric: 'trace spans received (a run span and one per try)', value: `${received} of ${expected}` };
  return received === expected ? row : { ...row, failure: `${expected - received} span(s) missing` };
}

export const chainScenario: Scenario = {
  id: 'chain',
  title: `A chain of ${TASKS} no-op tasks, tries in runner processes and inline, and with traces exported`,
  run: async (ctx) => [...(await runChain(ctx, 'process')), ...(await runChain(ctx, 'inline')), ...(await runChain(ctx, 'process', true))],
};
