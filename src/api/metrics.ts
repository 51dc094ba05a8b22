/** GET /metrics: the Prometheus text exposition format (version 0.0.4), read from the metadata store. */
import { DAG_RUN_STATES, TASK_STATES } from '../core/states.ts';
import type { Queryable } from '../store/db.ts';
import { listSchedulerHeartbeats } from '../store/schedulers.ts';
import { listLiveWorkers, listQueueStatus } from '../store/workers.ts';
import {
  countDags,
  countImportErrors,
  countQueuedAndRunning,
  countRunsByDagAndState,
  countTaskInstancesByState,
  queuedToStartLatency,
  upstreamToStartLatency,
  type LatencySummary,
} from './queries.ts';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Latencies are taken over tries started within this window, so a scrape reflects recent behaviour. */
export const LATENCY_WINDOW_SECONDS = 3600;

type Labels = Record<string, string>;

class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'gauge' | 'counter' | 'summary', help: string, samples: [Labels, number][]): void {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.sample(name, labels, value);
  }

  sample(name: string, labels: Labels, value: number): void {
    const entries = Object.entries(labels);
    const labelText = entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
    this.lines.push(`${name}${labelText} ${formatNumber(value)}`);
  }

  summary(name: string, help: string, s: LatencySummary): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} summary`);
    this.sample(name, { quantile: '0.5' }, s.p50 ?? Number.NaN);
    this.sample(name, { quantile: '0.9' }, s.p90 ?? Number.NaN);
    this.sample(name, { quantile: '0.99' }, s.p99 ?? Number.NaN);
    this.sample(`${name}_sum`, {}, s.sum);
    this.sample(`${name}_count`, {}, s.count);
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export async function renderMetrics(db: Queryable): Promise<string> {
  const [runs, tis, active, importErrors, dags, heartbeats, queuedLatency, handoffLatency, workers, queues] = await Promise.all([
    countRunsByDagAndState(db),
    countTaskInstancesByState(db),
    countQueuedAndRunning(db),
    countImportErrors(db),
    countDags(db),
    listSchedulerHeartbeats(db),
    queuedToStartLatency(db, LATENCY_WINDOW_SECONDS),
    upstreamToStartLatency(db, LATENCY_WINDOW_SECONDS),
    listLiveWorkers(db),
    listQueueStatus(db),
  ]);
  const out = new Exposition();

  out.family('sluice_dags', 'gauge', 'DAGs defined by the files of the DAGs folder.', [[{}, dags.active]]);
  out.family('sluice_dags_paused', 'gauge', 'DAGs that are paused.', [[{}, dags.paused]]);
  out.family('sluice_import_errors', 'gauge', 'DAG files that failed to import.', [[{}, importErrors]]);

  // Every state of a DAG that has runs is present, zeros included, so a rate over a state never has gaps.
  const byDag = new Map<string, Map<string, number>>();
  for (const r of runs) {
    if (!byDag.has(r.dagId)) byDag.set(r.dagId, new Map());
    byDag.get(r.dagId)!.set(r.state, r.n);
  }
  const runSamples: [Labels, number][] = [];
  for (const [dagId, states] of byDag) {
    for (const state of DAG_RUN_STATES) runSamples.push([{ dag_id: dagId, state }, states.get(state) ?? 0]);
  }
  out.family('sluice_dag_runs', 'gauge', 'DAG runs by DAG and state.', runSamples);

  const tiCounts = new Map(tis.map((t) => [t.state, t.n]));
  out.family(
    'sluice_task_instances',
    'gauge',
    'Task instances by state.',
    TASK_STATES.map((state) => [{ state }, tiCounts.get(state) ?? 0]),
  );
  out.family('sluice_task_instances_queued', 'gauge', 'Task instances queued, waiting for a worker.', [[{}, active.queued]]);
  out.family('sluice_task_instances_running', 'gauge', 'Task instances running on a worker.', [[{}, active.running]]);

  out.family(
    'sluice_scheduler_heartbeat_age_seconds',
    'gauge',
    'Seconds since each scheduler last heart-beat.',
    heartbeats.map((h) => [{ scheduler_id: h.schedulerId, hostname: h.hostname }, h.ageSeconds]),
  );
  out.family(
    'sluice_scheduler_latest_heartbeat_age_seconds',
    'gauge',
    'Seconds since any scheduler last heart-beat (NaN when no scheduler ever ran).',
    [[{}, heartbeats[0]?.ageSeconds ?? Number.NaN]],
  );
  out.family('sluice_schedulers', 'gauge', 'Schedulers that have registered a heartbeat.', [[{}, heartbeats.length]]);

  out.family('sluice_workers', 'gauge', 'Workers heard from in the last 30 seconds.', [[{}, workers.length]]);
  out.family(
    'sluice_queue_tries_queued',
    'gauge',
    'Task instances queued, by pool and queue (pairs with tries queued or running).',
    queues.map((q) => [{ pool: q.pool, queue: q.queue }, q.queuedTries]),
  );
  out.family(
    'sluice_queue_workers',
    'gauge',
    'Running workers that serve each pool and queue with tries queued or running; 0 with tries queued: they wait for a worker started with --queues <queue>.',
    queues.map((q) => [{ pool: q.pool, queue: q.queue }, q.workers]),
  );
  out.family(
    'sluice_task_instances_queued_unserved',
    'gauge',
    'Task instances queued on a pool and queue that no running worker serves (alert on > 0).',
    [[{}, queues.filter((q) => q.workers === 0).reduce((sum, q) => sum + q.queuedTries, 0)]],
  );

  out.summary(
    'sluice_task_queued_to_start_seconds',
    `Seconds from a task instance being queued to its try starting on a worker, over tries started in the last ${LATENCY_WINDOW_SECONDS}s.`,
    queuedLatency,
  );
  out.summary(
    'sluice_task_upstream_to_start_seconds',
    `Seconds from a task's last upstream task ending to the task starting, over tasks started in the last ${LATENCY_WINDOW_SECONDS}s.`,
    handoffLatency,
  );
  return out.text();
}
