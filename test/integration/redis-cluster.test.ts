/**
 * Sluice on a Redis Cluster (SLUICE_REDIS_CLUSTER_NODES): a real scheduler and worker process run
 * a DAG through a cluster of 3 primaries with a replica each, SLUICE_REDIS_URL pointing nowhere
 * (a fallback to it would run nothing). Then the primary that serves the pool queue's slot is
 * killed mid-run: its replica is promoted, and every run still finishes with every task run
 * exactly once per try the database records. The run times with and without the failover are
 * reported as diagnostics (not asserted).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { DEFAULT_QUEUE } from '../../src/queue/jobs.ts';
import { keysFor } from '../../src/queue/keys.ts';
import { pruneQueueJobs } from '../../src/queue/retention.ts';
import { Harness } from '../support/harness.ts';
import { RedisClusterProcesses } from '../support/redis-cluster.ts';
import { sluice } from '../support/cli.ts';
import { startSluice, type SluiceProcess } from '../support/sluice-process.ts';

const WIDTH = 24;

/**
 * start → 24 tasks of 200 ms → end; each try notes itself in `ranLog` as it starts. The run's
 * onSuccess callback goes through the callbacks queue, in a slot of its own.
 */
const dagSource = (ranLog: string) => `
import { appendFileSync } from 'node:fs';
import { dag, chain } from 'sluice';
const d = dag('cluster_run', { maxActiveTasks: 64, onSuccess: () => undefined });
const ran = (ctx) => appendFileSync(${JSON.stringify(ranLog)}, ctx.runId + ' ' + ctx.taskId + ' ' + ctx.tryNumber + '\\n');
const middle = Array.from({ length: ${WIDTH} }, (_, i) =>
  d.task('m' + i, async (ctx) => { ran(ctx); await new Promise((r) => setTimeout(r, 200)); return i; }));
chain(d.task('start', async (ctx) => { ran(ctx); }), middle, d.task('end', async (ctx) => { ran(ctx); }));
export default d;
`;

describe('Redis Cluster: runs go through a cluster, and a primary failing over mid-run loses none', () => {
  let cluster: RedisClusterProcesses | undefined;
  let h: Harness;
  let ranLog: string;
  let env: NodeJS.ProcessEnv;
  const processes: SluiceProcess[] = [];

  before(async () => {
    cluster = await RedisClusterProcesses.start({ nodeTimeoutMs: 1_000 });
    h = new Harness({ env: { SLUICE_REDIS_CLUSTER_NODES: cluster.seeds, SLUICE_REDIS_URL: 'redis://127.0.0.1:1/0' } });
    ranLog = path.join(h.dagsFolder, '..', `${h.id}-ran.log`);
    await h.setUp();
    await h.writeDag('cluster_run.ts', dagSource(ranLog));
    env = { ...h.childEnv(), SLUICE_REDIS_CLUSTER_NODES: cluster.seeds };
    processes.push(startSluice(['scheduler'], env), startSluice(['worker', '--concurrency', '4'], env));
    await h.waitForDag('cluster_run');
    await h.waitFor('the worker to serve', async () => (await h.db.query('SELECT 1 FROM worker_heartbeats')).rowCount! > 0);
  });

  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    processes.forEach((p) => p.killGroup());
    try {
      await h?.tearDown();
    } finally {
      await cluster?.stop();
      await rm(ranLog, { force: true });
    }
  });

  /** Triggers a run; `during` runs once it is under way; resolves with the run's wall time. */
  async function runOnce(logicalDate: string, during?: () => Promise<void>): Promise<{ runId: string; ms: number }> {
    const started = Date.now();
    const run = await triggerDagRun(h.db, 'cluster_run', { logicalDate: new Date(logicalDate) });
    if (during) {
      await h.waitFor('a few tasks to succeed', async () => Object.values(await h.taskStates('cluster_run', run.runId)).filter((s) => s === 'success').length >= 6);
      await during();
    }
    const ended = await h.waitForRunEnd('cluster_run', run.runId, 90_000);
    const ms = Date.now() - started;
    await h.waitFor('the run\'s onSuccess callback to run', async () => {
      const { rows } = await h.db.query(`SELECT 1 FROM callbacks WHERE dag_id = 'cluster_run' AND run_id = $1 AND state = 'success'`, [run.runId]);
      return rows.length === 1;
    }, 60_000);
    assert.equal(ended.state, 'success', `${JSON.stringify(await h.taskStates('cluster_run', run.runId))}\n${processes.map((p) => p.stderr()).join('\n')}`);
    return { runId: run.runId, ms };
  }

  /** Every task instance succeeded, and every try the database records ran exactly once (the DAG's own log). */
  async function assertRanOncePerTry(runId: string): Promise<void> {
    const states = await h.taskStates('cluster_run', runId);
    assert.equal(Object.keys(states).length, WIDTH + 2);
    assert.deepEqual(Object.entries(states).filter(([, s]) => s !== 'success'), []);
    const { rows } = await h.db.query<{ t: string }>(
      `SELECT task_id || ' ' || try_number AS t FROM task_tries WHERE dag_id = 'cluster_run' AND run_id = $1`,
      [runId],
    );
    const ran = (await readFile(ranLog, 'utf8')).split('\n').filter((l) => l.startsWith(`${runId} `)).map((l) => l.slice(runId.length + 1)).sort();
    assert.deepEqual(ran, rows.map((r) => r.t).sort());
  }

  let firstRunId = '';

  test('a run goes through the cluster, its pool queue hash-tagged in a slot of its own; /health says Redis is healthy', async () => {
    firstRunId = (await runOnce('2026-01-01T00:00:00Z')).runId;
    await assertRanOncePerTry(firstRunId);
    // Found by a SCAN of every primary, under the tagged name (the worker used the cluster), and
    // cleaned by BullMQ's scripts there (the queue retention of the metadata cleanup).
    assert.deepEqual(await pruneQueueJobs(h.redis, h.config.queuePrefix, { olderThan: new Date() }), { removed: 0, queues: ['{pool.default_pool}'] });
    const web = await h.startWebserver();
    const health = (await (await fetch(`${web.url}/api/v1/health`)).json()) as { redis: { status: string } };
    assert.deepEqual(health.redis, { status: 'healthy' });
  });

  test('the primary of the pool queue is killed mid-run: its replica takes over and the run finishes, each try run once', async (t) => {
    // For comparison, a run with nothing killed (the first run above also started the runners).
    const baseline = await runOnce('2026-01-02T00:00:00Z');
    await assertRanOncePerTry(baseline.runId);
    t.diagnostic(`run of ${WIDTH + 2} tasks without a failover: ${baseline.ms} ms`);
    const queue = keysFor(h.redis, h.config.queuePrefix).poolQueue({ pool: 'default_pool', queue: DEFAULT_QUEUE });
    let promotedMs = 0;
    const { runId, ms } = await runOnce('2026-01-03T00:00:00Z', async () => {
      const { primary, replica } = await cluster!.primaryAndReplicaOf(queue);
      const killedAt = Date.now();
      await cluster!.kill(primary);
      await cluster!.waitForPromotion(replica);
      promotedMs = Date.now() - killedAt;
    });
    await assertRanOncePerTry(runId);
    t.diagnostic(`run of ${WIDTH + 2} tasks with its queue's primary killed mid-run: ${ms} ms (the replica was promoted ${promotedMs} ms after the kill)`);
  });

  test('after the failover, the CLI clears a task through the cluster and it runs again', async () => {
    const cleared = await sluice(['tasks', 'clear', 'cluster_run', firstRunId, '--task', 'end'], env);
    assert.equal(cleared.code, 0, cleared.stderr);
    await h.waitFor('the cleared task to run again', async () => (await h.taskInstances('cluster_run', firstRunId)).end?.tryNumber === 2);
    assert.equal((await h.waitForRunEnd('cluster_run', firstRunId, 90_000)).state, 'success');
    await assertRanOncePerTry(firstRunId);
  });
});
