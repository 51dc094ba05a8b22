/**
 * Scenario 2: start → 5,000 parallel no-op tasks → end, with maxActiveTasks and default_pool
 * large enough that nothing but the engine limits the rate, with tries in runner processes (the
 * default) and then inline. Then the same number of no-op jobs through bare BullMQ (addBulk, then
 * two worker processes with the same concurrency), for the ratio.
 */
import { Queue } from 'bullmq';
import { createRedis } from '../../src/queue/redis.ts';
import { jobIdFor } from '../../src/queue/jobs.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { setPool } from '../../src/store/pools.ts';
import { EngineCostProbe, engineCostRows, type EngineCost } from '../lib/engine-cost.ts';
import { withEnvironment, type BenchEnvironment } from '../lib/env.ts';
import { bareWorkerReady, bareWorkerStats, forkBareWorker, startCluster, waitForQueueWorkers } from '../lib/processes.ts';
import { atLeast, type ResultRow } from '../lib/report.ts';
import { outcomeRow, taskTimes, waitForDags, waitForRunEnd } from '../lib/runs.ts';
import { stopClusterAndReport, type Scenario, type ScenarioContext } from '../lib/scenario.ts';
import { perSecond, rate, seconds } from '../lib/stats.ts';
import { waitFor } from '../lib/wait.ts';

const WIDTH = 5000;
const DAG_ID = 'bench_fanout';
const NAME = '2. fan-out 1→5,000→1';
const TARGET = 2000;
const END_TO_END_TARGET = 1500;
/** Sluice's middle-window rate ÷ bare BullMQ's, same run. */
const BARE_RATIO_TARGET = 0.5;

const dagSource = () => `import { dag, chain } from 'sluice';

const d = dag('${DAG_ID}', { maxActiveTasks: ${WIDTH}, description: 'bench: 1 → ${WIDTH} → 1 no-op tasks' });
const middle = Array.from({ length: ${WIDTH} }, (_, i) => d.task('m' + String(i).padStart(4, '0'), async () => undefined));
chain(d.task('start', async () => undefined), middle, d.task('end', async () => undefined));
export default d;
`;

interface SluiceResult {
  workers: number;
  cost: EngineCost;
  runState: string;
  middleRan: number;
  middlePerSecond: number;
  middleWindowMs: number;
  endToEndPerSecond: number;
  endToEndMs: number;
  startToFirstMiddleMs: number;
  lastMiddleToEndMs: number;
}

type Isolation = 'process' | 'inline';

async function runSluice(
  env: BenchEnvironment,
  ctx: ScenarioContext,
  rows: ResultRow[],
  workers: number,
  isolation: Isolation,
  round?: number,
): Promise<SluiceResult> {
  await env.writeDag('fanout.ts', dagSource());
  await setPool(env.db, 'default_pool', WIDTH * 2);
  const label = `${NAME} (${[isolation === 'inline' ? 'inline' : 'runner processes', workers === 2 ? '' : `${workers} workers`, round === undefined ? '' : `round ${round}`].filter(Boolean).join(', ')})`;
  const probe = await EngineCostProbe.start(env);
  const cluster = await startCluster(env, ctx.concurrency, { env: { SLUICE_TASK_ISOLATION: isolation } }, workers);
  let result: Omit<SluiceResult, 'cost'>;
  try {
    await waitForDags(env.db, [DAG_ID]);
    ctx.progress(`${label}: triggering the run (${workers} worker processes)`);
    await probe.beginWindow(cluster.workers, cluster.scheduler);
    const run = await triggerDagRun(env.db, DAG_ID, {});
    const ended = await waitForRunEnd(env.db, DAG_ID, run.runId, 180_000);
    await probe.endWindow(cluster.workers, cluster.scheduler);
    const tasks = await taskTimes(env.db, DAG_ID, run.runId);
    rows.push(await outcomeRow(env.db, label, DAG_ID, [run.runId], WIDTH + 2));
    const middle = tasks.filter((t) => /^m\d+$/.test(t.taskId) && t.tryNumber > 0);
    const start = tasks.find((t) => t.taskId === 'start')!;
    const end = tasks.find((t) => t.taskId === 'end')!;
    const firstStart = Math.min(...middle.map((t) => t.startMs));
    const lastEnd = Math.max(...middle.map((t) => t.endMs));
    const e2e = ended.endMs - ended.queuedMs;
    result = {
      workers,
      runState: ended.state,
      middleRan: middle.length,
      middlePerSecond: perSecond(middle.length, lastEnd - firstStart),
      middleWindowMs: lastEnd - firstStart,
      endToEndPerSecond: perSecond(WIDTH + 2, e2e),
      endToEndMs: e2e,
      startToFirstMiddleMs: firstStart - start.endMs,
      lastMiddleToEndMs: end.tryNumber > 0 ? end.startMs - lastEnd : Number.NaN,
    };
  } finally {
    rows.push(...(await stopClusterAndReport(cluster, label, ctx)));
  }
  return { ...result, cost: await probe.finish() };
}

interface BareResult {
  perSecond: number;
  totalMs: number;
  addBulkMs: number;
}

/** The same number of no-op jobs, same job options, two worker processes with the same concurrency. */
async function runBareBullmq(env: BenchEnvironment, ctx: ScenarioContext): Promise<BareResult> {
  const queueName = 'bare-bullmq';
  const workers = [1, 2].map((n) => forkBareWorker(env, `bare-worker-${n}`, queueName, ctx.concurrency));
  const redis = createRedis(env.redis, 'producer');
  const queue = new Queue(queueName, { connection: redis, prefix: env.queuePrefix });
  try {
    await Promise.all(workers.map(bareWorkerReady));
    await waitForQueueWorkers(env, queueName, 2);
    const jobs = Array.from({ length: WIDTH }, (_, i) => {
      const data = { dagId: DAG_ID, runId: 'manual__bare', taskId: `m${String(i).padStart(4, '0')}`, mapIndex: -1, tryNumber: 1 };
      return { name: 'try', data, opts: { removeOnComplete: true, removeOnFail: true, jobId: jobIdFor(data) } };
    });
    ctx.progress(`${NAME}: ${WIDTH} jobs through bare BullMQ`);
    const t0 = Date.now();
    await queue.addBulk(jobs);
    const addBulkMs = Date.now() - t0;
    // Drained means every worker counted its jobs: a worker counts a job in its 'completed'
    // event, which fires after the job has left the queue's counts, so the counts reach zero a
    // moment before the last jobs are counted.
    let stats = await Promise.all(workers.map(bareWorkerStats));
    await waitFor(
      'bare BullMQ to drain',
      async () => {
        const counts = await queue.getJobCounts('wait', 'active', 'prioritized', 'delayed');
        if (!Object.values(counts).every((n) => n === 0)) return false;
        stats = await Promise.all(workers.map(bareWorkerStats));
        return stats.reduce((n, s) => n + s.processed, 0) >= WIDTH;
      },
      120_000,
      5,
    ).catch(() => undefined);
    const processed = stats.reduce((n, s) => n + s.processed, 0);
    if (processed !== WIDTH) throw new Error(`bare BullMQ processed ${processed} jobs, expected ${WIDTH}`);
    const totalMs = Math.max(...stats.map((s) => s.lastCompletedAt)) - t0;
    return { perSecond: perSecond(WIDTH, totalMs), totalMs, addBulkMs };
  } finally {
    await queue.close();
    redis.disconnect();
    await Promise.all(workers.map((w) => w.stop()));
  }
}

/**
 * Rounds of (Sluice, then bare BullMQ), each Sluice round in a database of its own. On a shared
 * machine one round can be a third off the next, so the rows report the median round (by
 * Sluice's middle-window rate) and list every round's figures.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_FANOUT_ROUNDS ?? 3));
/** Contract section 6: tries in runner processes (the default) at ≥ 0.8× the same round's inline rate. */
const ISOLATION_RATIO_TARGET = 0.8;
const whole = (n: number) => Math.round(n).toLocaleString('en-US');

export const fanoutScenario: Scenario = {
  id: 'fanout',
  title: `1 → ${WIDTH.toLocaleString('en-US')} parallel no-op tasks → 1 (tries in runner processes, and inline), and bare BullMQ`,
  run: (ctx) =>
    withEnvironment('fanout', async (env) => {
      const rows: ResultRow[] = [];
      const rounds: { sluice: SluiceResult; inline: SluiceResult; bare: BareResult }[] = [];
      for (let i = 1; i <= ROUNDS; i++) {
        const sluice = await withEnvironment(`fanout-round-${i}`, (envI) => runSluice(envI, ctx, rows, 2, 'process', i));
        const inline = await withEnvironment(`fanout-inline-${i}`, (envI) => runSluice(envI, ctx, rows, 2, 'inline', i));
        // The Sluice processes are stopped by now, so the bare run has the machine to itself too.
        rounds.push({ sluice, inline, bare: await runBareBullmq(env, ctx) });
      }
      const median = (by: (r: (typeof rounds)[number]) => number) => [...rounds].sort((a, b) => by(a) - by(b))[(rounds.length - 1) >> 1]!;
      const { sluice, bare } = median((r) => r.sluice.middlePerSecond);
      const { inline } = median((r) => r.inline.middlePerSecond);
      const isolationRatio = median((r) => r.sluice.middlePerSecond / r.inline.middlePerSecond);
      // Does it scale with worker processes, or is PostgreSQL the wall? The same run on 4 workers,
      // in a database of its own.
      const wide = await withEnvironment('fanout-4-workers', (env4) => runSluice(env4, ctx, rows, 4, 'process'));
      const list = (f: (r: (typeof rounds)[number]) => string) => rounds.map(f).join(' / ');
      return [
        {
          scenario: NAME,
          metric: `tasks/s, first middle start → last middle end (${sluice.middleRan} tasks; runner processes; median of ${rounds.length} rounds)`,
          value: `${rate(sluice.middlePerSecond)} (${seconds(sluice.middleWindowMs)})`,
          measured: sluice.middlePerSecond,
          target: atLeast(TARGET, 'tasks/s'),
        },
        {
          scenario: NAME,
          metric: `tasks/s end to end (run queued → run end, ${WIDTH + 2} tasks, run ${sluice.runState}; runner processes; same round)`,
          value: `${rate(sluice.endToEndPerSecond)} (${seconds(sluice.endToEndMs)})`,
          measured: sluice.endToEndPerSecond,
          target: atLeast(END_TO_END_TARGET, 'tasks/s'),
        },
        {
          scenario: NAME,
          metric: `inline tries: tasks/s middle window; end to end (median of ${rounds.length} rounds)`,
          value: `${rate(inline.middlePerSecond)}; ${rate(inline.endToEndPerSecond)}`,
        },
        {
          scenario: NAME,
          metric: 'runner processes ÷ inline (middle-window rate, same round; median round)',
          value: `${(isolationRatio.sluice.middlePerSecond / isolationRatio.inline.middlePerSecond).toFixed(3)}×`,
          measured: isolationRatio.sluice.middlePerSecond / isolationRatio.inline.middlePerSecond,
          target: atLeast(ISOLATION_RATIO_TARGET, '×'),
        },
        { scenario: NAME, metric: 'start end → first middle start', value: `${sluice.startToFirstMiddleMs.toFixed(0)} ms` },
        { scenario: NAME, metric: 'last middle end → end start', value: Number.isNaN(sluice.lastMiddleToEndMs) ? 'end did not run' : `${sluice.lastMiddleToEndMs.toFixed(1)} ms` },
        {
          scenario: NAME,
          metric: `bare BullMQ: addBulk + 2 worker processes × ${ctx.concurrency} (same round)`,
          value: `${rate(bare.perSecond, 'jobs/s')} (${seconds(bare.totalMs)}; addBulk ${bare.addBulkMs} ms)`,
        },
        {
          scenario: NAME,
          metric: 'Sluice (runner processes) ÷ bare BullMQ (middle-window rate, same round)',
          value: `${(sluice.middlePerSecond / bare.perSecond).toFixed(3)}×`,
          measured: sluice.middlePerSecond / bare.perSecond,
          target: atLeast(BARE_RATIO_TARGET, '×'),
        },
        {
          scenario: NAME,
          metric: 'every round: middle window, runner processes / inline / bare BullMQ (tasks/s); runner processes ÷ inline; ÷ bare',
          value:
            `${list((r) => [r.sluice.middlePerSecond, r.inline.middlePerSecond, r.bare.perSecond].map(whole).join('/'))}; ` +
            `${list((r) => `${(r.sluice.middlePerSecond / r.inline.middlePerSecond).toFixed(2)}×`)}; ` +
            `${list((r) => `${(r.sluice.middlePerSecond / r.bare.perSecond).toFixed(2)}×`)}`,
        },
        ...engineCostRows(NAME, sluice.cost, WIDTH + 2, `${sluice.workers} workers, runner processes`),
        ...engineCostRows(NAME, inline.cost, WIDTH + 2, `${inline.workers} workers, inline`),
        {
          scenario: NAME,
          metric: `4 worker processes × ${ctx.concurrency} (runner processes): tasks/s middle window; end to end; ÷ the 2-worker middle rate`,
          value: `${rate(wide.middlePerSecond)}; ${rate(wide.endToEndPerSecond)}; ${(wide.middlePerSecond / sluice.middlePerSecond).toFixed(2)}×`,
        },
        ...engineCostRows(NAME, wide.cost, WIDTH + 2, `${wide.workers} workers`),
        ...rows,
      ];
    }),
};
