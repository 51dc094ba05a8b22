/**
 * What a callback try runs, found in the code of its run's DAG version as loaded on the worker:
 * the functions of the event's option (a DAG's onSuccess or onFailure, a task's onSuccess,
 * onFailure or onRetry), and the context they are given. Pure: the loading and the running are
 * callbacks.ts's.
 */
import type { Callback, CallbackContext, CallbackEvent } from '../src/sdk/callbacks.ts';
import type { Dag } from '../src/sdk/dag.ts';
import type { TaskCallbacks } from '../src/sdk/options.ts';

/** The option whose functions each event runs. */
const OPTION_OF: Record<CallbackEvent, keyof TaskCallbacks> = {
  dag_success: 'onSuccess',
  dag_failure: 'onFailure',
  task_success: 'onSuccess',
  task_failure: 'onFailure',
  task_retry: 'onRetry',
};

/**
 * The functions to run for `event`, in the order the option lists them; a string when they cannot
 * be had (the task is not in that version's code), which fails the try with it.
 */
export function callbackFunctions(dag: Dag, event: CallbackEvent, taskId: string | null, version: string): Callback[] | string {
  const option = OPTION_OF[event];
  if (taskId === null) return option === 'onRetry' ? [] : dag.options.callbacks[option];
  const task = dag.getTask(taskId);
  if (!task) return `version ${version.slice(0, 12)} of DAG ${dag.dagId} has no task ${taskId}, whose ${event} callback this is`;
  return task.callbacks[option] ?? [];
}

/**
 * The UI page of the run (a run's event) or of the try (a task's; of a mapped task, its instance's),
 * as ui/src/lib/routes.ts builds them (`href.run`, `href.task`, `href.mappedInstance`), under
 * `baseUrl` (SLUICE_BASE_URL).
 */
export function callbackUrl(
  baseUrl: string,
  dagId: string,
  runId: string,
  taskId: string | null,
  mapIndex: number,
  tryNumber: number | null,
): string {
  const enc = encodeURIComponent;
  const run = `${baseUrl}/dags/${enc(dagId)}/runs/${enc(runId)}`;
  if (taskId === null) return run;
  return `${run}/tasks/${enc(taskId)}${mapIndex >= 0 ? `/${mapIndex}` : ''}${tryNumber ? `?try=${tryNumber}` : ''}`;
}

/** What the callback row and its run say, for the context. */
export interface CallbackFacts {
  event: CallbackEvent;
  dagId: string;
  runId: string;
  taskId: string | null;
  mapIndex: number;
  tryNumber: number | null;
  eventState: string;
  eventError: string | null;
  logicalDate: Date;
  conf: Record<string, unknown>;
}

/** The context each function of a callback gets; `params` are the DAG's merged with the run's conf, as a task's are. */
export function callbackContext(dag: Dag, facts: CallbackFacts, baseUrl: string, log: CallbackContext['log']): CallbackContext {
  return {
    event: facts.event,
    dagId: facts.dagId,
    runId: facts.runId,
    taskId: facts.taskId,
    mapIndex: facts.mapIndex,
    tryNumber: facts.tryNumber,
    state: facts.eventState as CallbackContext['state'],
    error: facts.eventError,
    logicalDate: facts.logicalDate,
    params: { ...structuredClone(dag.options.params), ...facts.conf },
    url: callbackUrl(baseUrl, facts.dagId, facts.runId, facts.taskId, facts.mapIndex, facts.tryNumber),
    log,
  };
}
