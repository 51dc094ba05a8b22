/**
 * Where a worker runs its tries: in runner processes (the default, SLUICE_TASK_ISOLATION=process),
 * or in its own event loop (`inline`). Either way a try runs its run's version of the code, and
 * its end is what the worker records; in a runner, that end comes only once the try's code is
 * gone (its runner killed if need be), so no retry can start beside it.
 */
import { formatByteSize } from '../src/core/sizes.ts';
import { formatDuration } from '../src/core/durations.ts';
import { executeTry, STOPPED_ERROR, timeoutError, type TryExecution, type TryInput } from './execute.ts';
import type { RunRequest } from './runner/protocol.ts';
import { RunnerExited, TSX_ENTRY } from './runner/runner.ts';
import { buildRunnerBundle } from './runner/runner-bundle.ts';
import type { Logger } from '../src/log.ts';
import { taskErrorLine } from '../src/log-format.ts';
import type { RunnerPool } from './runner/runner-pool.ts';
import { TaskCodeError, type TaskFunctions } from './task-functions.ts';
import type { VersionCodes } from './version-codes.ts';
import type { VersionCode } from '../src/store/dag-versions.ts';

/** One try as the worker hands it over. */
export interface TryToRun extends Omit<TryInput, 'fn' | 'cancel' | 'logLevel'> {
  version: string;
  memoryLimitBytes: number | null;
  logLevel: string;
  /** Aborted when the try must end (cleared, marked, its run timed out, its worker stopping past its grace). */
  cancel: AbortSignal;
}

export interface TryExecutor {
  start(): Promise<void>;
  run(t: TryToRun): Promise<TryExecution>;
  /** After the worker's tries have ended. */
  close(): Promise<void>;
}

/** An error line in the try's log, written by the worker (the task's code wrote none). */
function logError(t: TryToRun, message: string): void {
  t.writeLog(taskErrorLine(message));
}

/** A try that could not start, as a failed (retryable) outcome with its reason also in the try's log. */
function failedBeforeStart(t: TryToRun, message: string): TryExecution {
  logError(t, message);
  return { result: { kind: 'failed', error: message, retryable: true } };
}

/** The version's code, or the reason it cannot be had (TaskCodeError: the try fails with it). */
async function codeOf(codes: VersionCodes, t: TryToRun): Promise<VersionCode | string> {
  try {
    return await codes.get(t.dagId, t.version);
  } catch (error) {
    if (error instanceof TaskCodeError) return error.message;
    throw error;
  }
}

export class InlineExecutor implements TryExecutor {
  constructor(
    private readonly codes: VersionCodes,
    private readonly functions: TaskFunctions,
  ) {}

  async start(): Promise<void> {}

  async run(t: TryToRun): Promise<TryExecution> {
    const code = await codeOf(this.codes, t);
    if (typeof code === 'string') return failedBeforeStart(t, code);
    let fn;
    try {
      fn = await this.functions.get(code, t.dagId, t.version, t.taskId);
    } catch (error) {
      if (!(error instanceof TaskCodeError)) throw error;
      return failedBeforeStart(t, error.message);
    }
    return executeTry({ ...t, fn });
  }

  async close(): Promise<void> {}
}

/** How often a try's runner's memory is looked at, when its task has a memoryLimit. */
const MEMORY_POLL_MS = 100;

type StopReason = 'timeout' | 'cancel' | 'memory';

export class ProcessExecutor implements TryExecutor {
  constructor(
    private readonly codes: VersionCodes,
    private readonly pool: RunnerPool,
    private readonly killGraceMs: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    let entry: string;
    try {
      entry = await buildRunnerBundle();
    } catch (err) {
      this.log.warn({ err }, 'could not bundle the runner code (is node_modules writable?); runners start under the TypeScript loader, slower and larger');
      entry = TSX_ENTRY;
    }
    this.pool.start(entry);
  }

  async run(t: TryToRun): Promise<TryExecution> {
    const code = await codeOf(this.codes, t);
    if (typeof code === 'string') return failedBeforeStart(t, code);
    let runner;
    try {
      runner = await this.pool.acquire(code.codeHash);
    } catch (error) {
      return failedBeforeStart(t, `the try could not start: ${(error as Error).message}`);
    }
    // After the try has its runner: warmed first, a blank one would be sent the code twice (to load, then with the try).
    this.pool.warm(code, t.dagId);
    const request: RunRequest = {
      dagId: t.dagId,
      runId: t.runId,
      taskId: t.taskId,
      mapIndex: t.mapIndex,
      mapItem: t.mapItem,
      tryNumber: t.tryNumber,
      maxTries: t.maxTries,
      tryStartDate: t.tryStartDate,
      rescheduleCount: t.rescheduleCount,
      logicalDate: t.logicalDate,
      dataIntervalStart: t.dataIntervalStart,
      dataIntervalEnd: t.dataIntervalEnd,
      params: t.params,
      ...(t.triggeringAssetEvents?.length ? { triggeringAssetEvents: t.triggeringAssetEvents } : {}),
      executionTimeoutMs: t.executionTimeoutMs,
      logLevel: t.logLevel,
      version: t.version,
      codeHash: code.codeHash,
      code: runner.loaded.has(code.codeHash) ? undefined : code,
    };

    // The runner times its try out itself; this is for a runner that cannot (its event loop
    // blocked), and for a try that must end from outside: abort its signal, then kill the runner
    // if the code has not ended by the grace.
    let stopped: StopReason | undefined;
    let killAt = Infinity;
    let killTimer: NodeJS.Timeout | undefined;
    let usedBytes: number | undefined;
    const stop = (reason: StopReason) => {
      if (stopped) return;
      stopped = reason;
      if (reason === 'memory') {
        runner.kill();
        return;
      }
      // On a timeout the runner aborts the signal itself (executeTry's own timer, due at the same
      // moment): told to stop as well, it might say "stopped" rather than "timed out".
      if (reason === 'cancel') runner.stop();
      killAt = Date.now() + this.killGraceMs;
      killTimer = setTimeout(() => runner.kill(), this.killGraceMs);
    };
    const onCancel = () => stop('cancel');
    if (t.cancel.aborted) onCancel();
    else t.cancel.addEventListener('abort', onCancel, { once: true });
    const timeout = t.executionTimeoutMs === null ? undefined : setTimeout(() => stop('timeout'), t.executionTimeoutMs);
    const limit = t.memoryLimitBytes;
    const watch =
      limit === null
        ? undefined
        : setInterval(() => {
            const rss = runner.rssBytes();
            if (rss !== undefined && rss > limit) {
              usedBytes = rss;
              stop('memory');
            }
          }, MEMORY_POLL_MS);

    let execution: TryExecution;
    /** Whether the outcome is the runner's own (it logged it), or made here (logged below). */
    let fromRunner = true;
    try {
      execution = await runner.run(request, { writeLog: t.writeLog, xcom: t.xcom, secrets: t.secrets });
    } catch (error) {
      if (!(error instanceof RunnerExited)) throw error;
      fromRunner = false;
      execution = { result: { kind: 'failed', error: this.endedBy(error, stopped, t), retryable: true } };
    } finally {
      clearTimeout(timeout);
      clearInterval(watch);
      t.cancel.removeEventListener('abort', onCancel);
    }
    if (stopped === 'memory') {
      fromRunner = false;
      execution = {
        result: {
          kind: 'failed',
          error: `the task exceeded its memoryLimit of ${formatByteSize(limit!)} (its runner process used ${Math.round(usedBytes! / 1_000_000)} MB); it was stopped`,
          retryable: true,
        },
      };
    }
    if (stopped || execution.stoppedEarly || !runner.alive) {
      if (!fromRunner && execution.result.kind === 'failed') logError(t, execution.result.error);
      // Its code may still run: the try ends when the runner has (killed at the grace, at the latest).
      await this.pool.release(runner, false, Math.max(0, Math.min(killAt, Date.now() + this.killGraceMs) - Date.now()));
      clearTimeout(killTimer);
    } else {
      clearTimeout(killTimer);
      await this.pool.release(runner, true, 0);
    }
    return execution;
  }

  /** The error of a try whose runner ended before the try did. */
  private endedBy(error: RunnerExited, stopped: StopReason | undefined, t: TryToRun): string {
    const grace = formatDuration(this.killGraceMs);
    if (stopped === 'timeout') {
      return `${timeoutError(t.executionTimeoutMs!)}; its code did not stop within SLUICE_TASK_KILL_GRACE (${grace}) of its signal, so its runner process was killed`;
    }
    // A stopped try's outcome is dropped (it was cleared or marked), and memory's is made by run().
    if (stopped === 'cancel' || stopped === 'memory') return STOPPED_ERROR;
    const hint = error.exit.signal === 'SIGABRT' || error.exit.code === 134 ? ' (it ran out of JavaScript heap)' : '';
    return `the try failed: ${error.message}${hint} while it ran`;
  }

  async close(): Promise<void> {
    await this.pool.close(this.killGraceMs);
  }
}
