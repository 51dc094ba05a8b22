/**
 * Callbacks and notifiers as DAG files write them (the DAG options `onSuccess` and `onFailure`,
 * the task options `onSuccess`, `onFailure` and `onRetry`): their public types, and the checks
 * that turn an option's value into a list of functions. Pure: the notifiers that send something
 * live in src/notifiers; running a callback is the engine's.
 */
import { showValue } from '../core/show-value.ts';
import type { DagRunState, TaskState } from '../core/states.ts';
import type { TaskContext } from './context.ts';

/** What happened: a run ended, a task ended for good, or a try failed and another follows. */
export type CallbackEvent = 'dag_success' | 'dag_failure' | 'task_success' | 'task_failure' | 'task_retry';

export const CALLBACK_EVENTS: readonly CallbackEvent[] = ['dag_success', 'dag_failure', 'task_success', 'task_failure', 'task_retry'];

/** What a callback receives. */
export interface CallbackContext {
  event: CallbackEvent;
  dagId: string;
  runId: string;
  /** The task of a task event; null for `dag_success` and `dag_failure`. */
  taskId: string | null;
  /** The instance of a mapped task (0, 1, …); -1 for an unmapped task and for DAG events. */
  mapIndex: number;
  /** The try the event is about (1 on the first); null for DAG events. */
  tryNumber: number | null;
  /** The run's state for DAG events, the task instance's for task events (`up_for_retry` for a retry). */
  state: DagRunState | TaskState;
  /** The error's message, or null (a success, or a failure with no message). */
  error: string | null;
  logicalDate: Date;
  /** The DAG's params merged with the run's conf. */
  params: Record<string, unknown>;
  /** The UI page of the run (DAG events) or of the try (task events). */
  url: string;
  /** The same logger type as a task's `ctx.log`: its lines are kept as the callback's log. */
  log: TaskContext['log'];
}

export type Callback = (c: CallbackContext) => void | Promise<void>;

export type NotifierKind = 'webhook' | 'slack' | 'email';

const NOTIFIER_KINDS: readonly NotifierKind[] = ['webhook', 'slack', 'email'];

/** What a notifier is, for people: the engine's log and the UI show "slack → #alerts". Never a secret. */
export interface NotifierInfo {
  readonly kind: NotifierKind;
  readonly describe: string;
}

/** A callback made by `sluice/notifiers` (webhook, slack, email): a function that says what it is. */
export interface Notifier {
  (c: CallbackContext): Promise<void>;
  readonly notifier: NotifierInfo;
}

/** The value of an `onSuccess`, `onFailure` or `onRetry` option. */
export type CallbackValue = Callback | Notifier | ReadonlyArray<Callback | Notifier>;

/**
 * Brands `send` as a notifier. The brand is a plain property rather than a class or a symbol of
 * this module, so that a notifier made by another copy of Sluice's code (a package of the DAGs
 * folder importing 'sluice/notifiers') is still recognized.
 */
export function defineNotifier(info: NotifierInfo, send: (c: CallbackContext) => Promise<void>): Notifier {
  const notifier = (c: CallbackContext): Promise<void> => send(c);
  Object.defineProperty(notifier, 'name', { value: `${info.kind} notifier` });
  Object.defineProperty(notifier, 'notifier', { value: Object.freeze({ kind: info.kind, describe: info.describe }), enumerable: true });
  return notifier as Notifier;
}

export function isNotifier(value: unknown): value is Notifier {
  if (typeof value !== 'function') return false;
  const info = (value as { notifier?: unknown }).notifier;
  if (typeof info !== 'object' || info === null) return false;
  const { kind, describe } = info as Record<string, unknown>;
  return NOTIFIER_KINDS.includes(kind as NotifierKind) && typeof describe === 'string';
}

/**
 * The callbacks of an option's value, in order: a function or a notifier is a list of one, an
 * array a list of its elements, and an unset option (undefined or null) no callback. Anything
 * else is refused with an Error whose message starts with `where` (which option, of which DAG or
 * task), as the other option checks do, e.g.
 * `DAG "x" onFailure: expected a function, a notifier or an array of them; got a string ("#alerts")`.
 */
export function callbackList(value: unknown, where: string): Callback[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'function') return [value as Callback];
  if (!Array.isArray(value)) {
    throw new Error(`${where}: expected a function, a notifier or an array of them; got ${describeValue(value)}`);
  }
  return value.map((item: unknown, i) => {
    if (typeof item === 'function') return item as Callback;
    // A nested array is refused too: flattening it would hide a mistake, such as a list of lists.
    throw new Error(`${where}[${i}]: expected a function or a notifier; got ${describeValue(item)}`);
  });
}

/** A callback for logs and the UI: a notifier's description, else the function's name. */
export function describeCallback(fn: Callback | Notifier): string {
  if (isNotifier(fn)) return fn.notifier.describe;
  return fn.name || 'anonymous function';
}

/** "a string ("#alerts")", "a number (3)", "an object": what was given, in words. */
function describeValue(value: unknown): string {
  // Never echoed: a URL here is most likely a webhook's, whose path is its secret.
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return 'a string holding a URL; pass it to a notifier, e.g. slack({ webhookUrl }) or webhook({ url }) from \'sluice/notifiers\'';
  }
  if (typeof value === 'string') return `a string (${showValue(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  if (typeof value === 'number') return `a number (${showValue(value)})`;
  if (typeof value === 'boolean') return `a boolean (${showValue(value)})`;
  return showValue(value);
}
