/**
 * What the CLI runs that lives outside src/: the worker process and in-process test runs are in
 * workers/, which builds on src/ and so cannot be imported from it. The `sluice` entry point
 * (workers/cli-entry.ts) hands these in; the shapes below are the CLI's side of that contract,
 * and the compiler checks workers/' functions against them there.
 */
import type { Config } from '../config.ts';
import type { DagSpec, TaskSpec } from '../core/spec.ts';
import type { TaskState } from '../core/states.ts';
import type { TaskSecrets } from '../engine/task-secrets.ts';
import type { Logger } from '../log.ts';
import type { Dag } from '../sdk/dag.ts';

/** How one task of a local run ended. */
export interface LocalTaskEnd {
  taskId: string;
  /** A mapped task's instance; absent for a task that is not mapped. */
  mapIndex?: number;
  state: TaskState;
  tries: number;
  durationMs: number;
  error: string | null;
  xcom?: unknown;
}

/** The run a local test pretends to be, and where its output goes. */
export interface LocalRunRequest {
  runId: string;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  conf: Record<string, unknown>;
  /** Answers the tasks' ctx.connection() and ctx.variable(). */
  secrets: TaskSecrets;
  /** Every log line of every try (one JSON object); a mapped instance's task is named `task[i]`. */
  onLog: (taskId: string, tryNumber: number, line: string) => void;
  onTaskEnd?: (task: LocalTaskEnd) => void;
}

export interface RunningWorker {
  /** Stops taking tries; running ones get `graceMs` to finish, then go back to the queue. */
  stop(graceMs: number): Promise<void>;
}

export interface CliRuntime {
  /** `sluice worker`: a worker in this process, started. */
  startWorker: (config: Config, options: { concurrency: number; pools: string[]; queues: string[] }, log: Logger) => Promise<RunningWorker>;
  /** The worker process's heap policy (SLUICE_WORKER_HEAP_GROWTH_PERCENT). */
  applyHeapGrowth: (percent: number) => void;
  /** `sluice dags test`: a whole run in this process, no database, Redis or workers. */
  runDagLocally: (dag: Dag, spec: DagSpec, request: LocalRunRequest) => Promise<{ state: 'success' | 'failed'; tasks: LocalTaskEnd[] }>;
  /** `sluice tasks test`: one task through all its tries; `xcom` answers its reads of upstream results. */
  runTaskLocally: (
    dag: Dag,
    task: TaskSpec,
    dagParams: Record<string, unknown>,
    request: LocalRunRequest,
    xcom: (taskId: string) => unknown,
  ) => Promise<LocalTaskEnd>;
}
