/**
 * What every notifier says about an event, built once so that a webhook's JSON, a Slack message
 * and a mail name the same fields the same way.
 */
import type { CallbackContext } from '../sdk/callbacks.ts';

/** The JSON a webhook receives: the callback context without what cannot travel (params, log). */
export interface NotificationPayload {
  event: CallbackContext['event'];
  dagId: string;
  runId: string;
  taskId: string | null;
  mapIndex: number;
  tryNumber: number | null;
  state: CallbackContext['state'];
  error: string | null;
  /** ISO 8601, UTC. */
  logicalDate: string;
  url: string;
}

/**
 * The payload of `c`. Params are left out on purpose: they are a run's conf, which may hold
 * anything a user passed in, and a receiver that needs them can follow `url`.
 */
export function notificationPayload(c: CallbackContext): NotificationPayload {
  return {
    event: c.event,
    dagId: c.dagId,
    runId: c.runId,
    taskId: c.taskId,
    mapIndex: c.mapIndex,
    tryNumber: c.tryNumber,
    state: c.state,
    error: c.error,
    logicalDate: c.logicalDate.toISOString(),
    url: c.url,
  };
}

/** "load" or, for an instance of a mapped task, "load[3]"; null for DAG events. */
export function taskLabel(c: Pick<CallbackContext, 'taskId' | 'mapIndex'>): string | null {
  if (c.taskId === null) return null;
  return c.mapIndex >= 0 ? `${c.taskId}[${c.mapIndex}]` : c.taskId;
}

/** One line naming the event: "dag_failure: my_dag / load (run manual__2026-…)". */
export function headline(c: CallbackContext): string {
  const task = taskLabel(c);
  return `${c.event}: ${c.dagId}${task === null ? '' : ` / ${task}`} (run ${c.runId})`;
}

/** Every field as "Name: value" lines, for plain-text messages; the error last but the link. */
export function detailLines(c: CallbackContext): string[] {
  const task = taskLabel(c);
  return [
    `Event: ${c.event}`,
    `DAG: ${c.dagId}`,
    `Run: ${c.runId}`,
    ...(task === null ? [] : [`Task: ${task}`]),
    ...(c.tryNumber === null ? [] : [`Try: ${c.tryNumber}`]),
    `State: ${c.state}`,
    `Logical date: ${c.logicalDate.toISOString()}`,
    `Error: ${c.error ?? '(none)'}`,
    `Link: ${c.url}`,
  ];
}

/** `text` cut to at most `max` characters, an ellipsis marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
