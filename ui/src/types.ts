/** The REST API's JSON shapes (README, "REST API"), with the extra fields the UI reads. */
import type { DagRunState, RunType, TaskState } from '../../src/core/states.ts';

export type { DagRunState, RunType, TaskState };

export interface RunSummary {
  dagRunId: string;
  state: DagRunState;
  runType: RunType;
  logicalDate: string;
  startDate: string | null;
  endDate: string | null;
}

export interface Dag {
  dagId: string;
  description: string;
  schedule: string | null;
  timezone: string;
  isPaused: boolean;
  tags: string[];
  fileloc: string;
  catchup: boolean;
  maxActiveRuns: number;
  maxActiveTasks: number;
  nextDagRunDataIntervalStart: string | null;
  nextDagRunDataIntervalEnd: string | null;
  scheduleDescription: string | null;
  startDate: string | null;
  endDate: string | null;
  params: Record<string, unknown>;
  dagrunTimeoutMs: number | null;
  isActive: boolean;
  lastParsedAt: string | null;
}

export interface DagListEntry extends Dag {
  latestDagRun: DagRun | null;
  recentDagRuns?: RunSummary[];
}

export interface TaskDefinition {
  taskId: string;
  upstream: string[];
  downstream: string[];
  triggerRule: string;
  retries: number;
  pool: string;
  queue: string;
  retryDelayMs: number;
  retryExponentialBackoff: boolean;
  maxRetryDelayMs: number;
  executionTimeoutMs: number | null;
  poolSlots: number;
  priorityWeight: number;
}

export interface DagDetail extends Dag {
  tasks: TaskDefinition[];
}

export interface DagRun {
  dagId: string;
  dagRunId: string;
  runType: RunType;
  state: DagRunState;
  logicalDate: string;
  dataIntervalStart: string;
  dataIntervalEnd: string;
  conf: Record<string, unknown>;
  queuedAt: string | null;
  startDate: string | null;
  endDate: string | null;
  backfillId: number | null;
}

/** Where a task instance has got: a grid cell, and part of every task instance. */
export interface TaskInstanceProgress {
  state: TaskState;
  tryNumber: number;
  maxTries: number;
  startDate: string | null;
  endDate: string | null;
  durationMs: number | null;
}

export interface TaskInstance extends TaskInstanceProgress {
  dagId: string;
  dagRunId: string;
  taskId: string;
  pool: string;
  queue: string;
  hostname: string | null;
  error: string | null;
  queuedAt: string | null;
  nextTryAt: string | null;
  triggerRule: string;
}

export interface TaskTry {
  tryNumber: number;
  state: TaskState;
  startDate: string | null;
  endDate: string | null;
  durationMs: number | null;
  hostname: string | null;
  error: string | null;
}

export type GridCell = TaskInstanceProgress;

export interface GridTask {
  taskId: string;
  upstream: string[];
  downstream: string[];
  triggerRule: string;
}

export interface Grid {
  dagRuns: DagRun[];
  totalEntries: number;
  tasks: GridTask[];
  taskInstances: Record<string, Record<string, GridCell>>;
}

export interface ImportError {
  filename: string;
  message: string;
  timestamp?: string | null;
}

export type IntervalPlan = 'create' | 'reprocess' | 'skip';

export interface PlannedInterval {
  logicalDate: string;
  dataIntervalStart: string;
  dataIntervalEnd: string;
  plan: IntervalPlan;
  existingRunId?: string;
  existingState?: string;
}

export interface BackfillProgress {
  total: number;
  queued: number;
  running: number;
  success: number;
  failed: number;
}

export interface Backfill {
  id: number | null;
  dagId: string;
  fromDate: string;
  toDate: string;
  reprocessBehavior: 'none' | 'failed' | 'completed';
  maxActiveRuns: number;
  runBackwards: boolean;
  dagRunConf: Record<string, unknown>;
  isCancelled: boolean;
  createdAt: string | null;
  completedAt: string | null;
  dagRunIds: string[];
  dryRun: boolean;
  intervals?: PlannedInterval[];
  progress?: BackfillProgress | null;
}

/** A dry run's (or a new backfill's) answer: one page of its intervals (the first 1,000), and how many there are in all. */
export interface PlannedBackfill extends Backfill {
  intervals: PlannedInterval[];
  totalEntries: number;
  planCounts: Record<PlannedInterval['plan'], number>;
}

export interface Health {
  status: 'healthy' | 'unhealthy';
  metadatabase: { status: string };
  redis: { status: string };
  scheduler: { status: string; latestHeartbeat: string | null };
}
