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
  // Each task's instances' states: one for a plain task, one per element for a mapped one.
  const states = new Map<string, TaskState[]>(spec.tasks.map((t) => [t.taskId, ['none']]));
  const xcoms = new Map<string, unknown>();
  const results = new Map<string, LocalTaskResult[]>();
  const settle = (task: TaskSpec, ended: LocalTaskResult[]) => {
    states.set(task.taskId, ended.map((r) => r.state));
    results.set(task.taskId, ended);
    for (const result of ended) options.onTaskEnd?.(result);
  };
  let progressed = true;
  while (progressed) {
    progressed = false;
    // Tasks come in topological order, so one pass settles everything that can be settled.
    for (const task of spec.tasks) {
      if (states.get(task.taskId)?.[0] !== 'none') continue;
      // Trigger rules count every instance of a mapped upstream, as the scheduler's do.
      const upstream = task.upstream.flatMap((u) => states.get(u) ?? (['none'] as TaskState[]));
      const decision = evaluateTriggerRule(task.triggerRule, countUpstreamStates(upstream));
      if (decision === 'wait') continue;
      progressed = true;
      if (decision !== 'run') {
        settle(task, [{ taskId: task.taskId, state: decision === 'skip' ? 'skipped' : 'upstream_failed', tries: 0, durationMs: 0, error: null }]);
        continue;
      }
      const read = (id: string) => xcoms.get(id);
      const expansion = task.expand ? expandLocally(task, read) : null;
      if (expansion && !Array.isArray(expansion)) {
        settle(task, [{ taskId: task.taskId, state: expansion.state, tries: 0, durationMs: 0, error: expansion.error }]);
        continue;
      }
      const ended: LocalTaskResult[] = [];
      for (const [mapIndex, mapItem] of (expansion ?? [undefined]).entries()) {
        const instance = expansion ? { mapIndex, mapItem } : { mapIndex: -1, mapItem: undefined };
        ended.push(await runTask(dag, task, spec.params, options, read, instance));
      }
      settle(task, ended);
      const values = ended.map((r) => (r.state === 'success' ? (r.xcom ?? null) : null));
      if (expansion) xcoms.set(task.taskId, values);
      else if (ended[0]!.state === 'success' && ended[0]!.xcom !== undefined) xcoms.set(task.taskId, ended[0]!.xcom);
    }
  }
  // Every task is decided by now (a pass that settles nothing ends the loop, and each upstream
  // comes first), so the run-end rule gives an outcome; 'failed' covers a task left undecided.
  const outcome = runOutcome(
    spec.tasks.flatMap((t) => (states.get(t.taskId) ?? ['none']).map((state) => ({ state, isLeaf: t.downstream.length === 0 }))),
  );
  return { state: outcome ?? 'failed', tasks: spec.tasks.flatMap((t) => results.get(t.taskId) ?? []) };
}

/**
 * A mapped task's array in a local run, or how its expansion ended without instances: the rules
 * of the metadata store's expansion (ti_expand_mapped.sql), with the same messages.
 */
function expandLocally(task: TaskSpec, xcom: (taskId: string) => unknown): unknown[] | { state: 'skipped' | 'failed'; error: string | null } {
  const expand = task.expand!;
  const source = 'source' in expand ? expand.source : null;
  const items = source === null ? (expand as { items: unknown[] }).items : xcom(source);
  let error: string | null = null;
  if (items === undefined) {
    error = `cannot expand: task "${source}" returned nothing, and a mapped task needs an array to expand over (make "${source}" return an array)`;
  } else if (!Array.isArray(items)) {
    const kind = items === null ? 'null' : typeof items === 'object' ? 'an object' : `a ${typeof items}`;
    error = `cannot expand: task "${source}" returned ${kind}, not an array (make "${source}" return an array)`;
  } else if (items.length > task.maxMapLength!) {
    error = `cannot expand over ${items.length} items: more than its maxMapLength of ${task.maxMapLength} (raise the task's maxMapLength, or split the work into fewer, larger items)`;
  }
  if (error) return { state: 'failed', error };
  if ((items as unknown[]).length === 0) return { state: 'skipped', error: null };
  return items as unknown[];
}

/** Runs one task through all its tries. */
export async function runTaskLocally(
  dag: Dag,
  task: TaskSpec,
  dagParams: Record<string, unknown>,
  options: LocalRunOptions,
  xcom: (taskId: string) => unknown,
): Promise<LocalTaskResult> {
  return catchingStrayErrors(options, () => runTask(dag, task, dagParams, options, xcom, { mapIndex: -1, mapItem: undefined }));
}

async function runTask(
  dag: Dag,
  task: TaskSpec,
  dagParams: Record<string, unknown>,
  options: LocalRunOptions,
  xcom: (taskId: string) => unknown,
  instance: { mapIndex: number; mapItem: unknown },
): Promise<LocalTaskResult> {
  const fn = dag.getTask(task.taskId)?.fn;
  const label = instance.mapIndex >= 0 ? `${task.taskId}[${instance.mapIndex}]` : task.taskId;
  if (!fn) throw new Error(`DAG ${dag.dagId} has no task ${task.taskId}`);
  const maxTries = task.retries + 1;
  const started = Date.now();
  let tryStartDate = new Date(started);
  let rescheduleCount = 0;
  for (let tryNumber = 1; ; ) {
    const execution = await executeTry({
      fn,
      dagId: dag.dagId,
      runId: options.runId,
      taskId: task.taskId,
      ...instance,
      tryNumber,
      maxTries,
      tryStartDate,
      rescheduleCount,
      logicalDate: options.logicalDate,
      dataIntervalStart: options.dataIntervalStart,
      dataIntervalEnd: options.dataIntervalEnd,
      params: { ...dagParams, ...options.conf },
      executionTimeoutMs: task.executionTimeoutMs,
      xcom: async (id) => xcom(id),
      secrets: options.secrets,
      writeLog: (line) => options.onLog(label, tryNumber, line),
    });
    const outcome = outcomeOfTry(task, tryNumber, maxTries, execution.result, new Date());
    if (outcome.state === 'up_for_retry' || outcome.state === 'up_for_reschedule') {
      await (options.sleep ?? sleepFor)(outcome.nextTryAt!.getTime() - Date.now());
      // A reschedule is the same try again (a sensor's next check); a retry is the next try.
      if (outcome.state === 'up_for_reschedule') {
        rescheduleCount++;
      } else {
        tryNumber++;
        rescheduleCount = 0;
        tryStartDate = new Date();
      }
      continue;
    }
    return {
      taskId: task.taskId,
      ...(instance.mapIndex >= 0 ? { mapIndex: instance.mapIndex } : {}),
      state: outcome.state,
      tries: tryNumber,
      durationMs: Date.now() - started,
      error: outcome.error,
      xcom: execution.xcomJson === undefined ? undefined : JSON.parse(execution.xcomJson),
    };
  }
}
