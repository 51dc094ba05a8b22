/**
 * Runs one try of a task function with its context, in this process: the shared core of the
 * worker and of `sluice dags test` / `tasks test`. It never throws; every way a try can end is a
 * TryResult, including an error the task's code lets escape while the try runs (with the process
 * handlers of stray-errors.ts installed by the caller). What it hands on is storable text.
 */
import { pino } from 'pino';
import { formatDuration } from '../src/core/durations.ts';
import { redactError, redactSecrets } from '../src/core/redact.ts';
import { SecretMask } from '../src/core/secret-mask.ts';
import { isSecretKey, noSuchConnection, noSuchVariable } from '../src/core/secret-names.ts';
import type { TaskSecrets } from '../src/engine/task-secrets.ts';
import { storableText, unstorableTextProblem } from '../src/core/text.ts';
import type { TryResult } from '../src/core/try-outcome.ts';
import type { TaskContext, TaskFn } from '../src/sdk/context.ts';
import { isFailTask, isRescheduleTask, isSkipTask, NotFoundError } from '../src/sdk/errors.ts';
import { outsideTry, runAsTry, strayErrorMessage, type StrayKind, type StrayTarget } from './stray-errors.ts';

/** What the task's context is made of (its log, signal and xcom are made here). */
export type ContextFacts = Pick<
  TaskContext,
  | 'dagId'
  | 'runId'
  | 'taskId'
  | 'mapIndex'
  | 'mapItem'
  | 'tryNumber'
  | 'maxTries'
  | 'tryStartDate'
  | 'rescheduleCount'
  | 'logicalDate'
  | 'dataIntervalStart'
  | 'dataIntervalEnd'
  | 'params'
>;

export interface TryInput extends ContextFacts {
  fn: TaskFn;
  /** What an asset-triggered run consumed; left out (no events) for any other run. */
  triggeringAssetEvents?: TaskContext['triggeringAssetEvents'];
  executionTimeoutMs: number | null;
  xcom: (taskId: string) => Promise<unknown>;
  /** Answers ctx.connection() and ctx.variable(). */
  secrets: TaskSecrets;
  /** Receives each log line (one JSON object, newline-terminated) as the task writes it. */
  writeLog: (line: string) => void;
  logLevel?: string;
  /** Aborted by the caller to take the try away (cleared, marked, worker shutting down). */
  cancel?: AbortSignal;
}

export interface TryExecution {
  result: TryResult;
  /** The return value as JSON, when the try succeeded and returned something. */
  xcomJson?: string;
  /**
   * The try ended before its code did (a timeout, a stop, an error the code let escape): the code
   * may still be running. A runner process that ran it is not reused (runner-pool.ts).
   */
  stoppedEarly?: true;
}

/** The largest XCom we store; bigger results belong in object storage, with their key in XCom. */
export const MAX_XCOM_BYTES = 8 * 1024 * 1024;

/** The error of a try stopped from outside (cleared, marked, its run timed out, its worker stopping). */
export const STOPPED_ERROR = 'the try was stopped before it finished';

/** A try's timeout, as its error says it. */
export function timeoutError(executionTimeoutMs: number): string {
  return `the task exceeded its executionTimeout of ${formatDuration(executionTimeoutMs)}`;
}

class TryTimeout extends Error {}
class TryCancelled extends Error {}
/** An error the task's code let escape its promise chain while the try ran (see stray-errors.ts). */
class TryStrayError extends Error {
  constructor(
    readonly error: unknown,
    readonly kind: StrayKind,
  ) {
    super(strayErrorMessage(error, kind));
  }
}

/** One root logger per level, made once per process (see tryLogger). */
const rootLoggers = new Map<string, pino.Logger>();

/**
 * A logger of its own for one try, writing its lines to `write`. Making a pino logger costs about
 * 100 µs (it captures a stack trace to resolve transports), more than a no-op try's own work; a
 * child of a root made once costs a few. A child writes to the stream it finds on itself, which
 * is its root's unless it has its own: so each try's child gets its own, and children that the
 * task makes of ctx.log inherit it.
 */
function tryLogger(level: string, write: (line: string) => void): pino.Logger {
  let root = rootLoggers.get(level);
  if (!root) {
    root = pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, { write: () => undefined });
    rootLoggers.set(level, root);
  }
  const child = root.child({});
  Object.defineProperty(child, pino.symbols.streamSym, { value: { write }, enumerable: false });
  return child;
}

export async function executeTry(input: TryInput): Promise<TryExecution> {
  const controller = new AbortController();
  // The passwords and secret values this try has read: masked in every line of its log and in
  // its error here, in the process that runs its code, so that neither the runner → worker
  // channel nor the store ever holds them (README, "Masking").
  const mask = new SecretMask();
  // Made on first use: most tasks that log little should not pay for a logger per try.
  let logger: pino.Logger | undefined;
  // pino escapes NUL, but writes a short string's lone surrogate as it is (node-postgres then
  // sends it as U+FFFD). Cleaning here makes every line storable whatever pino does: lines of
  // all running tries are stored together, so one bad line must not cost the others theirs.
  const log = () => (logger ??= tryLogger(input.logLevel ?? 'info', (line) => input.writeLog(storableText(mask.apply(line)))));
  const ctx: TaskContext = {
    dagId: input.dagId,
    runId: input.runId,
    taskId: input.taskId,
    mapIndex: input.mapIndex,
    mapItem: input.mapItem,
    tryNumber: input.tryNumber,
    maxTries: input.maxTries,
    tryStartDate: input.tryStartDate,
    rescheduleCount: input.rescheduleCount,
    logicalDate: input.logicalDate,
    dataIntervalStart: input.dataIntervalStart,
    dataIntervalEnd: input.dataIntervalEnd,
    params: input.params,
    triggeringAssetEvents: input.triggeringAssetEvents ?? [],
    get log() {
      return log();
    },
    signal: controller.signal,
    xcom: async <T>(taskId: string) => (await outsideTry(() => input.xcom(taskId))) as T | undefined,
    connection: async (connectionId) => {
      const connection = await outsideTry(() => input.secrets.connection(connectionId));
      if (connection === undefined) throw new NotFoundError('connection', connectionId, noSuchConnection(connectionId));
      mask.add(connection.password);
      if (connection.password) mask.add(encodeURIComponent(connection.password));
      // An extra entry whose key names a secret (an api_key in a URI's query) is one too, as the API shows it.
      for (const [key, value] of Object.entries(connection.extra)) if (isSecretKey(key) && typeof value === 'string') mask.add(value);
      return connection;
    },
    variable: async (key, fallback) => {
      const found = await outsideTry(() => input.secrets.variable(key));
      if (found === undefined) {
        if (fallback !== undefined) return fallback;
        throw new NotFoundError('variable', key, noSuchVariable(key));
      }
      if (found.secret) mask.add(found.value);
      return found.value;
    },
  };
  let timer: NodeJS.Timeout | undefined;
  let onCancel: (() => void) | undefined;
  let stop: (reason: Error) => void = () => undefined;
  // The task code may ignore ctx.signal; racing it lets the try end on time regardless.
  const watchdog = new Promise<never>((_, reject) => {
    stop = reject;
    if (input.executionTimeoutMs !== null) {
      timer = setTimeout(() => reject(new TryTimeout()), input.executionTimeoutMs);
    }
    onCancel = () => reject(new TryCancelled());
    if (input.cancel?.aborted) onCancel();
    else input.cancel?.addEventListener('abort', onCancel, { once: true });
  });
  let ended = false;
  let stray: TryStrayError | undefined;
  const target: StrayTarget = {
    dagId: input.dagId,
    runId: input.runId,
    taskId: input.taskId,
    tryNumber: input.tryNumber,
    take: (error, kind) => {
      if (ended) {
        // Into the try's log if its writer still takes lines (`sluice dags test` prints them; the
        // worker closes a try's log with its outcome). The process handler reports it as well.
        log().error(
          { err: error instanceof Error ? error : undefined, kind },
          `after the try had ended, ${strayErrorMessage(error, kind)}; the try keeps the outcome it ended with, which cannot be taken back`,
        );
        return 'ended';
      }
      stray ??= new TryStrayError(error, kind);
      stop(stray);
      return 'running';
    },
  };
  try {
    const running = runAsTry(target, () => Promise.resolve().then(() => input.fn(ctx)));
    const value = await Promise.race([running, watchdog]);
    // Node reports a rejection nobody handled once the microtasks have run, which may be after
    // the task returned (`Promise.reject(e); return x;`). One turn of the event loop lets that
    // report fail this try instead of arriving after its end.
    await new Promise((resolve) => setImmediate(resolve));
    if (stray) throw stray;
    return succeed(value, log);
  } catch (error) {
    return fail(error, input, controller, log(), (text) => shownText(mask.apply(text)));
  } finally {
    // From here on, the outcome is decided: a stray error only goes to the try's log.
    ended = true;
    clearTimeout(timer);
    if (onCancel) input.cancel?.removeEventListener('abort', onCancel);
  }
}

function succeed(value: unknown, log: () => pino.Logger): TryExecution {
  if (value === undefined) return { result: { kind: 'success' } };
  const problem = xcomProblem(value);
  let json: string | undefined;
  if (!problem) {
    try {
      json = JSON.stringify(value);
    } catch (error) {
      return xcomFailure(`it cannot be turned into JSON (${(error as Error).message})`, log);
    }
  }
  if (problem || json === undefined) return xcomFailure(problem ?? 'it has no JSON form', log);
  const refused = JSONB_REFUSED_ESCAPE.exec(json);
  if (refused) {
    const nul = refused[1] === '0000';
    const problem = unstorableTextProblem(nul ? '\u0000' : String.fromCharCode(parseInt(refused[1]!, 16)));
    const fix = nul ? 'remove it, or return binary data encoded (e.g. base64)' : 'String.prototype.toWellFormed() replaces lone surrogates';
    return xcomFailure(`${problem ?? 'it contains text PostgreSQL cannot store'}; ${fix}`, log);
  }
  if (Buffer.byteLength(json) > MAX_XCOM_BYTES) {
    return xcomFailure(
      `it is ${Buffer.byteLength(json)} bytes as JSON, over the ${MAX_XCOM_BYTES}-byte limit; ` +
        'store large results elsewhere (e.g. S3) and return their location',
      log,
    );
  }
  return { result: { kind: 'success' }, xcomJson: json };
}

/**
 * An escape that jsonb refuses in JSON text: \u0000, or a surrogate. JSON.stringify writes a whole
 * surrogate pair as it is and escapes a surrogate only when it is lone, so any escaped surrogate is
 * a lone one. The backslashes before the escape must be even in number: in `\\u0000` the
 * backslash is itself escaped and what follows is plain text, which jsonb stores.
 */
const JSONB_REFUSED_ESCAPE = /(?<!\\)(?:\\\\)*\\u(0000|d[89a-f][0-9a-f]{2})/i;

function xcomProblem(value: unknown): string | undefined {
  if (typeof value === 'function') return 'it is a function';
  if (typeof value === 'symbol') return 'it is a symbol';
  if (typeof value === 'bigint') return 'it is a BigInt; return it as a string or number';
  return undefined;
}

function xcomFailure(why: string, log: () => pino.Logger): TryExecution {
  const error = `the task's return value could not be stored as XCom: ${why}`;
  log().error(error);
  return { result: { kind: 'failed', error, retryable: false } };
}

/** `shown`: the text of the try's error or skip reason as stored (shownText, and the try's secrets masked). */
function fail(error: unknown, input: TryInput, controller: AbortController, log: pino.Logger, shown: (text: string) => string): TryExecution {
  if (error instanceof TryTimeout) {
    const message = timeoutError(input.executionTimeoutMs ?? 0);
    controller.abort(new Error(message));
    log.error(message);
    return { result: { kind: 'failed', error: message, retryable: true }, stoppedEarly: true };
  }
  if (error instanceof TryCancelled) {
    controller.abort(new Error('the try was taken away'));
    log.warn('the try was stopped: it was cleared, marked, or its worker is shutting down');
    return { result: { kind: 'failed', error: STOPPED_ERROR, retryable: true }, stoppedEarly: true };
  }
  if (error instanceof TryStrayError) {
    // The task's code may still be running (its main promise never settled): tell it to stop.
    controller.abort(new Error(error.message));
    const message = shown(error.message);
    log.error(
      { err: error.error instanceof Error ? redactError(error.error) : undefined, kind: error.kind },
      `task failed: ${message}. Await every promise the task starts (or give it a .catch), and catch errors in callbacks`,
    );
    // A task failure like any exception: retried while tries remain.
    return { result: { kind: 'failed', error: message, retryable: true }, stoppedEarly: true };
  }
  if (isRescheduleTask(error)) {
    // Not a failure: the try pauses, and its code runs again once the delay has passed.
    log.info({ delayMs: error.delayMs }, shown(error.message));
    return { result: { kind: 'reschedule', delayMs: error.delayMs } };
  }
  if (isSkipTask(error)) {
    const reason = shown((error as Error).message);
    log.info({ reason }, 'task skipped');
    return { result: { kind: 'skipped', reason } };
  }
  const message = shown(error instanceof Error ? error.message || error.name : String(error));
  log.error({ err: error instanceof Error ? redactError(error) : undefined }, `task failed: ${message}`);
  return { result: { kind: 'failed', error: message, retryable: !isFailTask(error) } };
}

/**
 * Text from the task's code (an error message, a skip reason) as it is stored with the try and
 * shown in the API, the UI and the log: task code may throw any text, and a driver's error may
 * quote a connection string with its password.
 */
function shownText(text: string): string {
  return storableText(redactSecrets(text));
}
