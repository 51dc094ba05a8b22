/**
 * `sluice dags test` / `tasks test`: a whole run (or one task) in this process, with no database,
 * Redis or workers. The same trigger rules, retries and try execution as the real thing.
 */
import { countUpstreamStates, evaluateTriggerRule } from '../src/core/trigger-rules.ts';
import { outcomeOfTry } from '../src/core/try-outcome.ts';
import type { DagSpec, TaskSpec } from '../src/core/spec.ts';
import { runOutcome, type TaskState } from '../src/core/states.ts';
import type { LocalRunRequest, LocalTaskEnd } from '../src/cli/runtime.ts';
import { createLogger, type Logger } from '../src/log.ts';
import type { Dag } from '../src/sdk/dag.ts';
import { executeTry } from './execute.ts';
import { catchStrayErrors } from './stray-errors.ts';

/** How one task of a local run ended: the CLI's shape (src/cli/runtime.ts), which prints it. */
export type LocalTaskResult = LocalTaskEnd;

export interface LocalRunOptions extends LocalRunRequest {
  /** Waits between tries; tests may shorten it. */
  sleep?: (ms: number) => Promise<void>;
  /** Where errors that task code lets escape are reported besides the try's log (default: stderr, errors only). */
  log?: Logger;
}

/**
 * Runs `work` with the process handlers for stray errors installed: the tries run in this
 * process, so a task's un-awaited rejection or throw in a callback must fail that task (or, after
 * it ended, be reported), not crash the command. They are removed when the run is over, so a
 * task's timer that fires after that (the command waits for it before exiting) fails the process
 * as Node would: the run's results are printed by then.
 */
async function catchingStrayErrors<T>(options: LocalRunOptions, work: () => Promise<T>): Promise<T> {
  const release = catchStrayErrors(options.log ?? createLogger('error', 'sluice'));
  try {
    return await work();
  } finally {
    release();
  }
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runDagLocally(dag: Dag, spec: DagSpec, options: LocalRunOptions): Promise<{ state: 'success' | 'failed'; tasks: LocalTaskResult[] }> {
  return catchingStrayErrors(options, () => runDag(dag, spec, options));
}

async function runDag(dag: Dag, spec: DagSpec, options: LocalRunOptions): Promise<{ state: 'success' | 'failed'; tasks: LocalTaskResult[] }> {
  const states = new Map<string, TaskState>(spec.tasks.map((t) => [t.taskId, 'none']));
  const xcoms = new Map<string, unknown>();
  const results = new Map<string, LocalTaskResult>();
  let progressed = true;
  while (progressed) {
    progressed = false;
    // Tasks come in topological order, so one pass settles everything that can be settled.
    for (const task of spec.tasks) {
      if (states.get(task.taskId) !== 'none') continue;
      const decision = evaluateTriggerRule(task.triggerRule, countUpstreamStates(task.upstream.map((u) => states.get(u) ?? 'none')));
      if (decision === 'wait') continue;
      progressed = true;
      if (decision !== 'run') {
        const state = decision === 'skip' ? 'skipped' : 'upstream_failed';
        states.set(task.taskId, state);
        const result: LocalTaskResult = { taskId: task.taskId, state, tries: 0, durationMs: 0, error: null };
        results.set(task.taskId, result);
        options.onTaskEnd?.(result);
        continue;
      }
      const result = await runTask(dag, task, spec.params, options, (id) => xcoms.get(id));
      states.set(task.taskId, result.state);
      if (result.state === 'success' && result.xcom !== undefined) xcoms.set(task.taskId, result.xcom);
      results.set(task.taskId, result);
      options.onTaskEnd?.(result);
    }
  }
  // Every task is decided by now (a pass that settles nothing ends the loop, and each upstream
  // comes first), so the run-end rule gives an outcome; 'failed' covers a task left undecided.
  const outcome = runOutcome(spec.tasks.map((t) => ({ state: states.get(t.taskId) ?? 'none', isLeaf: t.downstream.length === 0 })));
  return { state: outcome ?? 'failed', tasks: spec.tasks.map((t) => results.get(t.taskId)!).filter(Boolean) };
}

/** Runs one task through all its tries. */
export async function runTaskLocally(
  dag: Dag,
  task: TaskSpec,
  dagParams: Record<string, unknown>,
  options: LocalRunOptions,
  xcom: (taskId: string) => unknown,
): Promise<LocalTaskResult> {
  return catchingStrayErrors(options, () => runTask(dag, task, dagParams, options, xcom));
}

async function runTask(
  dag: Dag,
  task: TaskSpec,
  dagParams: Record<string, unknown>,
  options: LocalRunOptions,
  xcom: (taskId: string) => unknown,
): Promise<LocalTaskResult> {
  const fn = dag.getTask(task.taskId)?.fn;
  if (!fn) throw new Error(`DAG ${dag.dagId} has no task ${task.taskId}`);
  const maxTries = task.retries + 1;
  const started = Date.now();
  for (let tryNumber = 1; ; tryNumber++) {
    const execution = await executeTry({
      fn,
      dagId: dag.dagId,
      runId: options.runId,
      taskId: task.taskId,
      tryNumber,
      maxTries,
      logicalDate: options.logicalDate,
      dataIntervalStart: options.dataIntervalStart,
      dataIntervalEnd: options.dataIntervalEnd,
      params: { ...dagParams, ...options.conf },
      executionTimeoutMs: task.executionTimeoutMs,
      xcom: async (id) => xcom(id),
      writeLog: (line) => options.onLog(task.taskId, tryNumber, line),
    });
    const outcome = outcomeOfTry(task, tryNumber, maxTries, execution.result, new Date());
    if (outcome.state === 'up_for_retry') {
      await (options.sleep ?? sleepFor)(outcome.nextTryAt!.getTime() - Date.now());
      continue;
    }
    return {
      taskId: task.taskId,
      state: outcome.state,
      tries: tryNumber,
      durationMs: Date.now() - started,
      error: outcome.error,
      xcom: execution.xcomJson === undefined ? undefined : JSON.parse(execution.xcomJson),
    };
  }
}
