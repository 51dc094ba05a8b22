/**
 * The serialized form of a DAG: what the loader stores and the scheduler and API read, so they
 * never need to import DAG files or the SDK. JSON-serializable; dates are ISO strings.
 */
import { createHash } from 'node:crypto';
import { withDownstream } from './graph.ts';
import type { ParamSchema } from './params.ts';
import type { TriggerRule } from './trigger-rules.ts';

export interface DagSpec {
  dagId: string;
  description: string;
  /** As written in the DAG file (a cron or a preset), or null for manual-only DAGs. */
  schedule: string | null;
  timezone: string;
  startDate: string | null;
  endDate: string | null;
  catchup: boolean;
  maxActiveRuns: number;
  maxActiveTasks: number;
  isPausedUponCreation: boolean;
  dagrunTimeoutMs: number | null;
  /** Each param's default (a required param has none): what a run's conf is merged over. */
  params: Record<string, unknown>;
  /**
   * Every param's rules (`{}` for a plain value) in declaration order; absent when no param is
   * typed, so that a DAG without typed params keeps the spec (and version) it had before them.
   */
  paramSchemas?: { name: string; schema: ParamSchema }[];
  tags: string[];
  /** In a topological order (ties in declaration order). */
  tasks: TaskSpec[];
  /** The DAG's task groups, in declaration order; absent when it has none (specs before groups existed). */
  groups?: GroupSpec[];
  /**
   * The run events the DAG has callbacks for (its onSuccess, onFailure), in that order; absent when
   * none, so that a DAG without callbacks keeps the spec (and version) it had before them. The
   * functions stay in the DAG's code, where a worker finds them (README, "Callbacks").
   */
  callbacks?: DagCallbackKind[];
  /**
   * The URIs of an asset schedule (README, "Assets"), in the order written: `schedule` is then null,
   * and a run is made once each has had an event since the DAG's previous asset-triggered run.
   * Absent for a cron or manual-only DAG, so that such a DAG keeps the spec (and version) it had.
   */
  assetSchedule?: string[];
}

/** A run event a DAG may have callbacks for: `success` (onSuccess), `failure` (onFailure). */
export type DagCallbackKind = 'success' | 'failure';

/** A task event a task may have callbacks for: `success`, `failure`, `retry` (onSuccess, onFailure, onRetry). */
export type TaskCallbackKind = 'success' | 'failure' | 'retry';

/** A task group: its id (the parent group's id, a dot, its own) and its tooltip ('' if none). */
export interface GroupSpec {
  groupId: string;
  tooltip: string;
}

/** A task's settings once resolved: its own options over the DAG's defaultArgs over the defaults. */
export interface TaskSettings {
  retries: number;
  retryDelayMs: number;
  retryExponentialBackoff: boolean;
  maxRetryDelayMs: number;
  executionTimeoutMs: number | null;
  /**
   * The most memory (RSS, bytes) a try's runner process may use; null: the worker's
   * SLUICE_TASK_MEMORY_LIMIT, if any. Absent in specs stored before it existed (read as null).
   */
  memoryLimitBytes: number | null;
  pool: string;
  poolSlots: number;
  queue: string;
  priorityWeight: number;
  triggerRule: TriggerRule;
}

/** How a mapped task expands (src/sdk/mapping.ts, ti_expand_mapped.sql). */
export interface TaskMapping {
  /** The task whose return value is the array, or the literal array. */
  expand: { source: string } | { items: unknown[] };
  maxMapLength: number;
}

/** A sensor's own settings (src/sdk/sensor.ts); the check itself stays in the DAG's code. */
export interface SensorSpec {
  mode: 'reschedule' | 'poke';
  pokeIntervalMs: number;
  timeoutMs: number;
  softFail: boolean;
  exponentialBackoff: boolean;
}

export interface TaskSpec extends TaskSettings, Partial<TaskMapping> {
  taskId: string;
  /** Set for a sensor (d.sensor); absent for any other task. */
  sensor?: SensorSpec;
  /** The innermost task group the task was declared in; absent when none. */
  group?: string;
  /** The events the task has callbacks for, in the order success, failure, retry; absent when none (see DagSpec.callbacks). */
  callbacks?: TaskCallbackKind[];
  /** The URIs of the assets the task updates: an event each per success; absent when none (see DagSpec.callbacks). */
  outlets?: string[];
  /** Sorted. */
  upstream: string[];
  /** Sorted. */
  downstream: string[];
}

/**
 * A fingerprint of what a DAG does: equal specs hash equal whatever the key order, and the task
 * list is hashed in id order so that reordering declarations alone does not count as a change.
 */
export function specHash(spec: DagSpec): string {
  const tasks = [...spec.tasks].sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
  return createHash('sha256').update(canonicalJson({ ...spec, tasks })).digest('hex');
}

/** JSON with object keys sorted at every level; undefined members are left out, as JSON does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

export function taskById(spec: DagSpec): Map<string, TaskSpec> {
  return new Map(spec.tasks.map((task) => [task.taskId, task]));
}

/** The given tasks and every task downstream of them, in the spec's topological order. */
export function downstreamClosure(spec: DagSpec, taskIds: Iterable<string>): string[] {
  const tasks = taskById(spec);
  const ids = [...taskIds];
  const unknown = ids.filter((id) => !tasks.has(id));
  if (unknown.length > 0) {
    throw new Error(`DAG "${spec.dagId}" has no task ${unknown.map((id) => `"${id}"`).join(', ')}; its tasks are ${[...tasks.keys()].join(', ')}`);
  }
  return withDownstream(spec.tasks, ids);
}
