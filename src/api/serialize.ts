/**
 * Store records as the API's JSON (README, "REST API"). Each function's result is typed by the
 * schema it answers with (schemas/), so a field left out, renamed or added is a type error here.
 * Contract fields are never renamed or dropped; fields beyond it are declared like the others.
 */
import { paramSpecs } from '../core/params.ts';
import { CronSchedule } from '../core/schedule.ts';
import type { TaskSpec } from '../core/spec.ts';
import type { BackfillRecord, PlannedInterval } from '../engine/backfill.ts';
import type { DagRecord } from '../store/dags.ts';
import type { DagRunRecord } from '../store/runs.ts';
import type { TaskInstanceRecord, TryRecord } from '../store/task-instance-reads.ts';
import type { Backfill, PlannedInterval as PlannedIntervalJson } from './schemas/backfills.ts';
import type { DagRun, RunSummary } from './schemas/dag-runs.ts';
import type { Dag, TaskDefinition } from './schemas/dags.ts';
import type { TaskInstance, TaskInstanceProgress, TaskTry } from './schemas/task-instances.ts';

/** ISO 8601 in UTC, or null when absent. */
export function iso(date: Date): string;
export function iso(date: Date | null | undefined): string | null;
export function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/** "every day at 00:00 UTC" for a cron; null for manual-only DAGs or a schedule that no longer parses. */
function describeSchedule(schedule: string | null, timezone: string): string | null {
  if (!schedule) return null;
  try {
    return new CronSchedule(schedule, timezone).describe();
  } catch {
    return null;
  }
}

export function dagJson(dag: DagRecord): Dag {
  const spec = dag.spec;
  return {
    dagId: dag.dagId,
    description: spec.description ?? '',
    schedule: spec.schedule,
    timezone: spec.timezone,
    isPaused: dag.isPaused,
    tags: spec.tags ?? [],
    fileloc: dag.fileloc,
    catchup: spec.catchup,
    maxActiveRuns: spec.maxActiveRuns,
    maxActiveTasks: spec.maxActiveTasks,
    nextDagRunDataIntervalStart: iso(dag.nextDagrunDataIntervalStart),
    nextDagRunDataIntervalEnd: iso(dag.nextDagrunDataIntervalEnd),
    // Beyond the contract:
    scheduleDescription: describeSchedule(spec.schedule, spec.timezone),
    assetSchedule: spec.assetSchedule ?? null,
    startDate: spec.startDate,
    endDate: spec.endDate,
    params: paramSpecs(spec),
    dagrunTimeoutMs: spec.dagrunTimeoutMs,
    isActive: dag.isActive,
    lastParsedAt: iso(dag.lastParsedAt),
  };
}

export function taskJson(task: TaskSpec): TaskDefinition {
  return {
    taskId: task.taskId,
    group: task.group ?? null,
    upstream: task.upstream,
    triggerRule: task.triggerRule,
    retries: task.retries,
    pool: task.pool,
    queue: task.queue,
    // Beyond the contract:
    downstream: task.downstream,
    retryDelayMs: task.retryDelayMs,
    retryExponentialBackoff: task.retryExponentialBackoff,
    maxRetryDelayMs: task.maxRetryDelayMs,
    executionTimeoutMs: task.executionTimeoutMs,
    memoryLimitBytes: task.memoryLimitBytes ?? null,
    poolSlots: task.poolSlots,
    priorityWeight: task.priorityWeight,
    mapped: task.expand !== undefined,
    sensor: task.sensor ?? null,
  };
}

export function dagRunJson(run: DagRunRecord): DagRun {
  return {
    dagId: run.dagId,
    dagRunId: run.runId,
    runType: run.runType,
    state: run.state,
    logicalDate: iso(run.logicalDate),
    dataIntervalStart: iso(run.dataIntervalStart),
    dataIntervalEnd: iso(run.dataIntervalEnd),
    conf: run.conf,
    queuedAt: iso(run.queuedAt),
    startDate: iso(run.startDate),
    endDate: iso(run.endDate),
    backfillId: run.backfillId,
    dagVersion: run.versionHash,
    consumedAssetEvents: run.consumedAssetEvents,
    triggeredBy: run.triggeredBy && { dagId: run.triggeredBy.dagId, dagRunId: run.triggeredBy.runId, taskId: run.triggeredBy.taskId },
  };
}

/** A run as a list view's row of coloured squares shows it: no conf, no intervals. */
export function dagRunSummaryJson(run: DagRunRecord): RunSummary {
  return {
    dagRunId: run.runId,
    state: run.state,
    runType: run.runType,
    logicalDate: iso(run.logicalDate),
    startDate: iso(run.startDate),
    endDate: iso(run.endDate),
  };
}

/** Where a task instance has got and how long it took: a cell of the grid, and part of the full instance. */
export function taskInstanceProgressJson(
  ti: Pick<TaskInstanceRecord, 'state' | 'tryNumber' | 'maxTries' | 'startDate' | 'endDate' | 'durationMs'>,
): TaskInstanceProgress {
  return {
    state: ti.state,
    tryNumber: ti.tryNumber,
    maxTries: ti.maxTries,
    startDate: iso(ti.startDate),
    endDate: iso(ti.endDate),
    durationMs: ti.durationMs,
  };
}

export function taskInstanceJson(ti: TaskInstanceRecord): TaskInstance {
  return {
    dagId: ti.dagId,
    dagRunId: ti.runId,
    taskId: ti.taskId,
    mapIndex: ti.mapIndex,
    ...taskInstanceProgressJson(ti),
    pool: ti.pool,
    queue: ti.queue,
    hostname: ti.hostname,
    error: ti.error,
    // Beyond the contract:
    queuedAt: iso(ti.queuedAt),
    nextTryAt: iso(ti.nextTryAt),
    poolSlots: ti.poolSlots,
    priorityWeight: ti.priorityWeight,
    triggerRule: ti.triggerRule,
  };
}

export function tryJson(dagId: string, runId: string, taskId: string, mapIndex: number, t: TryRecord): TaskTry {
  return {
    dagId,
    dagRunId: runId,
    taskId,
    mapIndex,
    tryNumber: t.tryNumber,
    state: t.state,
    startDate: iso(t.startDate),
    endDate: iso(t.endDate),
    durationMs: t.durationMs,
    hostname: t.hostname,
    error: t.error,
  };
}

function intervalJson(i: PlannedInterval): PlannedIntervalJson {
  return {
    logicalDate: iso(i.logicalDate),
    dataIntervalStart: iso(i.dataIntervalStart),
    dataIntervalEnd: iso(i.dataIntervalEnd),
    plan: i.plan,
    ...(i.existingRunId !== undefined ? { existingRunId: i.existingRunId } : {}),
    ...(i.existingState !== undefined ? { existingState: i.existingState } : {}),
  };
}

export function backfillJson(b: BackfillRecord): Backfill {
  return {
    id: b.id,
    dagId: b.dagId,
    fromDate: iso(b.fromDate),
    toDate: iso(b.toDate),
    reprocessBehavior: b.reprocessBehavior,
    maxActiveRuns: b.maxActiveRuns,
    runBackwards: b.runBackwards,
    dagRunConf: b.dagRunConf,
    isCancelled: b.isCancelled,
    createdAt: iso(b.createdAt),
    completedAt: iso(b.completedAt),
    dagRunIds: b.dagRunIds,
    // Beyond the contract:
    dryRun: b.dryRun,
    progress: b.progress,
    ...(b.intervals ? { intervals: b.intervals.map(intervalJson) } : {}),
  };
}
