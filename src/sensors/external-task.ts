/**
 * `externalTaskSensor({ dagId, taskId?, logicalDate?, allowedStates?, failedStates? })`: waits for
 * another DAG's run for the same logical date (or one task of it) to reach a state, as Airflow's
 * ExternalTaskSensor does. It reads Sluice's metadata database (metadata-db.ts).
 */
import { checkOptionsObject } from '../sdk/validate.ts';
import { DAG_RUN_STATES, TASK_STATES, type TaskState } from '../core/states.ts';
import { FailTask } from '../sdk/errors.ts';
import type { TaskContext } from '../sdk/context.ts';
import { getRunByLogicalDate } from '../store/runs.ts';
import { taskStateCounts } from '../store/task-instance-reads.ts';
import { checkDateResult, checkStates, optionalFunction, requireText, type SensorCheck } from './checks.ts';
import { metadataDb } from './metadata-db.ts';

export interface ExternalTaskSensorOptions {
  /** The DAG to watch. */
  dagId: string;
  /** A task of it to watch; unset: the whole run. */
  taskId?: string;
  /** The logical date of the run to watch; default: the sensing run's own. */
  logicalDate?: (ctx: TaskContext) => Date;
  /** States that mean done; default ['success']. */
  allowedStates?: string[];
  /** States that fail the sensor at once, without retries; default ['failed']. */
  failedStates?: string[];
}

export interface ExternalTaskResult {
  dagId: string;
  runId: string;
  taskId: string | null;
  state: string;
}

const FN = 'externalTaskSensor()';
const KEYS = ['dagId', 'taskId', 'logicalDate', 'allowedStates', 'failedStates'] as const;

/**
 * Not yet while the run does not exist or is (the task is) in neither list. A mapped task is in
 * an allowed state when all of its instances are, and in a failed state as soon as one instance is:
 * a failed instance stays failed, so waiting for its siblings would only delay the failure.
 */
export function externalTaskSensor(options: ExternalTaskSensorOptions): SensorCheck<ExternalTaskResult> {
  const given = checkOptionsObject(options, FN, KEYS);
  const dagId = requireText(given.dagId, `${FN}: dagId`, "externalTaskSensor({ dagId: 'orders_daily' })");
  const taskId = given.taskId === undefined ? undefined : requireText(given.taskId, `${FN}: taskId`, "externalTaskSensor({ dagId: 'orders_daily', taskId: 'load' })");
  const logicalDateOf = optionalFunction<(ctx: TaskContext) => Date>(
    given.logicalDate,
    `${FN}: logicalDate`,
    'logicalDate: (ctx) => new Date(ctx.logicalDate.getTime() - 3_600_000)',
  );
  // A run and a task have different states: the lists are checked against the one watched.
  const known: readonly string[] = taskId === undefined ? DAG_RUN_STATES : TASK_STATES;
  const allowed = checkStates(given.allowedStates, `${FN}: allowedStates`, known, ['success']);
  const failed = checkStates(given.failedStates, `${FN}: failedStates`, known, ['failed']);
  if (allowed.length === 0) throw new Error(`${FN}: allowedStates is empty, so the sensor could never be done; name at least one state, e.g. ['success']`);
  const both = allowed.find((s) => failed.includes(s));
  if (both) throw new Error(`${FN}: "${both}" is in both allowedStates and failedStates; a state can only mean one of done or failed`);
  const watched = taskId === undefined ? `DAG "${dagId}"` : `task "${taskId}" of DAG "${dagId}"`;

  return async (ctx) => {
    const logicalDate = logicalDateOf ? checkDateResult(await logicalDateOf(ctx), `${FN}: logicalDate`) : ctx.logicalDate;
    const db = metadataDb();
    const run = await getRunByLogicalDate(db, dagId, logicalDate);
    const at = `logical date ${logicalDate.toISOString()}`;
    if (!run) {
      ctx.log.info({ dagId, logicalDate }, `not yet: DAG "${dagId}" has no run for ${at}`);
      return null;
    }
    let state: string;
    if (taskId === undefined) {
      state = run.state;
    } else {
      const counts = await taskStateCounts(db, dagId, run.runId, taskId);
      if (counts.size === 0) {
        throw new Error(`${FN}: run "${run.runId}" of DAG "${dagId}" has no task "${taskId}"; check taskId against "sluice dags show ${dagId}"`);
      }
      state = stateOfTask(counts, allowed, failed);
    }
    if (failed.includes(state)) {
      throw new FailTask(`${watched} is ${state} in run "${run.runId}" (${at}), one of failedStates [${failed.join(', ')}]`);
    }
    if (allowed.includes(state)) return { dagId, runId: run.runId, taskId: taskId ?? null, state };
    ctx.log.info({ dagId, runId: run.runId, taskId, state }, `not yet: ${watched} is ${state} in run "${run.runId}"`);
    return null;
  };
}

/**
 * One state for all of a task's instances: a failed state if any instance is in one, an allowed
 * state if all are in the same allowed one (or all in allowed ones: the first of them), else the
 * state of an instance still on its way.
 */
function stateOfTask(counts: Map<TaskState, number>, allowed: string[], failed: string[]): string {
  const states = [...counts.keys()];
  const failing = states.find((s) => failed.includes(s));
  if (failing) return failing;
  if (states.every((s) => allowed.includes(s))) return states.length === 1 ? states[0]! : allowed.find((s) => counts.has(s as TaskState))!;
  return states.find((s) => !allowed.includes(s))!;
}
