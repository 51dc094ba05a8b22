/**
 * Errors that task code lets escape its promise chain: a promise it never awaits that rejects, a
 * throw in a callback (setTimeout, an event listener). Node's default is to exit the process,
 * and with it every other try the worker is running. Tries run inside the worker's event loop, so
 * instead the process handlers here find the try whose code caused the error, from the async
 * context its task function was called in (AsyncLocalStorage follows timers, promises and I/O
 * callbacks the task creates), and hand the error to it: a running try fails with it, an ended
 * one gets it in its log. An error outside any try is logged, and the process goes on.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../src/log.ts';

export type StrayKind = 'unhandledRejection' | 'uncaughtException';

/** The try a stray error belongs to, as the process handlers see it. */
export interface StrayTarget {
  dagId: string;
  runId: string;
  taskId: string;
  tryNumber: number;
  /**
   * Takes an error that escaped this try's code: `running` if the try was still running (it
   * fails with the error), `ended` if its outcome was already decided.
   */
  take(error: unknown, kind: StrayKind): 'running' | 'ended';
}

const currentTry = new AsyncLocalStorage<StrayTarget>();

/** Calls `fn` as the code of a try: stray errors from anything it starts belong to `target`. */
export function runAsTry<T>(target: StrayTarget, fn: () => T): T {
  return currentTry.run(target, fn);
}

/**
 * Calls `fn` outside any try's context: for the worker's own code that a task calls into (a
 * database connection opened there serves the whole worker afterwards, and its errors are not the
 * task's).
 */
export function outsideTry<T>(fn: () => T): T {
  return currentTry.exit(fn);
}

/** What a try failed with, in words for the user. */
export function strayErrorMessage(error: unknown, kind: StrayKind): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return kind === 'unhandledRejection'
    ? `the task left an unhandled promise rejection: ${message}`
    : `the task threw outside its promise chain (in a callback such as setTimeout's): ${message}`;
}

// Several workers can live in one process (tests); the handlers are installed once, while any
// installer wants them, and report through the most recent installer's logger.
const installers: { log: Logger }[] = [];

/**
 * Installs the process handlers for stray errors until the returned function is called. With
 * them installed, neither kind of error exits the process.
 */
export function catchStrayErrors(log: Logger): () => void {
  const installer = { log };
  if (installers.length === 0) {
    process.on('unhandledRejection', onUnhandledRejection);
    process.on('uncaughtException', onUncaughtException);
  }
  installers.push(installer);
  return () => {
    const at = installers.indexOf(installer);
    if (at === -1) return;
    installers.splice(at, 1);
    if (installers.length === 0) {
      process.off('unhandledRejection', onUnhandledRejection);
      process.off('uncaughtException', onUncaughtException);
    }
  };
}

function onUnhandledRejection(reason: unknown): void {
  strayError(reason, 'unhandledRejection');
}

function onUncaughtException(error: unknown): void {
  strayError(error, 'uncaughtException');
}

function strayError(error: unknown, kind: StrayKind): void {
  const log = installers.at(-1)?.log;
  // Node runs these handlers in the async context of the rejected promise or of the callback
  // that threw, so the store is the try whose code it was.
  const target = currentTry.getStore();
  const err = error instanceof Error ? error : { message: String(error) };
  if (!target) {
    log?.error({ err, kind }, `${kind} outside any task (in Sluice or a library it uses): logged and ignored; the process goes on`);
    return;
  }
  const where = { err, kind, dagId: target.dagId, runId: target.runId, taskId: target.taskId, try: target.tryNumber };
  if (target.take(error, kind) === 'running') log?.error(where, `${strayErrorMessage(error, kind)}; the try fails`);
  else {
    log?.error(
      where,
      `${kind} from a task after its try had ended: the try keeps the outcome it ended with (an ended try's state cannot be taken back)`,
    );
  }
}
