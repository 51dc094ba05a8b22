/**
 * Runs callbacks on a worker (README, "Callbacks"): takes messages from the callbacks queue,
 * claims each callback in Postgres with a lease (claimCallback: a stale or duplicate message is
 * dropped there), runs the functions of its event from the code of its run's DAG version, and
 * records the outcome and the try's log (finishCallback): success, or pending again after a short
 * backoff while tries remain, else failed.
 *
 * Callbacks run in the worker's own process, each function with a time limit (CALLBACK_TIMEOUT_MS),
 * not in a runner process: they are short (a notifier is an HTTP request or a mail), and the
 * runner protocol carries tries only. So a callback that blocks the event loop blocks this
 * worker, and one that ignores its time limit is abandoned rather than stopped (as inline tries
 * are, SLUICE_TASK_ISOLATION=inline). The code is the run's version whatever the isolation, loaded
 * once per process.
 *
 * Never lost: the row exists before any message; the lease is extended while the functions run,
 * and a worker that dies (SIGKILL) or stops answering lets it expire, after which the scheduler
 * makes the callback pending again (releaseExpiredCallbackLeases) and another worker runs it.
 * So a callback runs at least once, and a function may run again after a try that failed or was
 * cut short: make it safe to repeat.
 */
import { Worker, type Job } from 'bullmq';
import { pino } from 'pino';
import type { Config } from '../src/config.ts';
import type { Logger } from '../src/log.ts';
import type { RedisClient } from '../src/queue/redis.ts';
import { formatDuration } from '../src/core/durations.ts';
import { redactError, redactSecrets } from '../src/core/redact.ts';
import { storableText } from '../src/core/text.ts';
import { withTimeout } from '../src/core/with-timeout.ts';
import { describeCallback, type CallbackContext } from '../src/sdk/callbacks.ts';
import type { CallbackMessage } from '../src/queue/callback-queue.ts';
import { keysFor } from '../src/queue/keys.ts';
import { claimCallback, extendCallbackLeases, finishCallback, type CallbackOutcome, type ClaimedCallback } from '../src/store/callbacks.ts';
import type { Db } from '../src/store/db.ts';
import { callbackContext, callbackFunctions } from './callback-functions.ts';
import { TaskCodeError, type TaskFunctions } from './task-functions.ts';
import type { VersionCodes } from './version-codes.ts';

/** Callbacks one worker runs at once. */
const CALLBACK_CONCURRENCY = 4;
/** How long one function of a callback may take before its try fails (a notifier's own timeout is 10 s). */
export const CALLBACK_TIMEOUT_MS = 60_000;
/** The most log one callback try keeps; the lines past it are dropped and counted. */
const CALLBACK_LOG_LIMIT_BYTES = 256 * 1024;

/** The wait before try n+1 after try n failed: 1 s, then 2 s. */
export function callbackRetryDelayMs(triesDone: number): number {
  return 1000 * 2 ** Math.max(0, triesDone - 1);
}

export class CallbackRunner {
  private worker: Worker<CallbackMessage> | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  /** Callbacks this worker holds (claimed, not yet finished), whose leases it extends. */
  private readonly held = new Set<number>();
  /**
   * The lease: a worker that has not extended it this long is taken for dead. The tries'
   * heartbeat timeout (SLUICE_TASK_HEARTBEAT_TIMEOUT) means the same for tries.
   */
  private readonly leaseMs: number;

  constructor(
    private readonly config: Config,
    private readonly db: Db,
    private readonly consumer: RedisClient,
    private readonly codes: VersionCodes,
    private readonly functions: TaskFunctions,
    private readonly workerId: string,
    private readonly log: Logger,
  ) {
    this.leaseMs = config.taskHeartbeatTimeoutMs;
  }

  start(): void {
    this.worker = new Worker<CallbackMessage>(keysFor(this.consumer, this.config.queuePrefix).callbackQueue, (job) => this.process(job), {
      connection: this.consumer,
      prefix: this.config.queuePrefix,
      concurrency: CALLBACK_CONCURRENCY,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
    });
    this.worker.on('error', (err) => this.log.warn({ err }, 'callbacks queue connection problem'));
    this.leaseTimer = setInterval(() => void this.extendLeases(), Math.max(100, Math.floor(this.leaseMs / 4)));
  }

  /**
   * Takes no more callbacks and waits up to `graceMs` for those running. One still running then
   * is abandoned: its lease runs out, and it runs again elsewhere.
   */
  async stop(graceMs: number): Promise<void> {
    if (!this.worker) return;
    const closing = this.worker.close();
    const grace = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([closing.then(() => 'closed' as const), grace])) === 'timeout') {
      this.log.warn({ callbacks: [...this.held] }, 'shutdown grace period over: callbacks still running are abandoned and will run again elsewhere');
    }
    clearInterval(this.leaseTimer);
  }

  private async extendLeases(): Promise<void> {
    const ids = [...this.held];
    if (ids.length === 0) return;
    try {
      const kept = await extendCallbackLeases(this.db, this.workerId, ids, this.leaseMs);
      for (const id of ids) {
        if (!kept.has(id) && this.held.has(id)) this.log.warn({ callback: id }, 'lost the lease of a running callback; its outcome will not be recorded here');
      }
    } catch (err) {
      this.log.warn({ err }, 'could not extend the leases of running callbacks; will try again');
    }
  }

  private async process(job: Job<CallbackMessage>): Promise<void> {
    const claimed = await claimCallback(this.db, job.data.id, this.workerId, this.leaseMs);
    if (!claimed) return; // taken by another worker, finished, or not due: a stale message
    this.held.add(claimed.id);
    try {
      const log = new CallbackLog(CALLBACK_LOG_LIMIT_BYTES);
      const outcome = await this.runTry(claimed, log);
      const state = await finishCallback(
        this.db,
        { id: claimed.id, workerId: this.workerId, tries: claimed.tries },
        outcome,
        log.text(),
        callbackRetryDelayMs(claimed.tries),
      );
      if (state === undefined) {
        this.log.warn({ callback: claimed.id, try: claimed.tries }, 'a callback try ended after its lease was taken back; its outcome was not recorded (it runs again)');
      } else if (state !== 'success') {
        this.log.info({ callback: claimed.id, event: claimed.event, try: claimed.tries, state }, 'callback try failed');
      }
    } finally {
      // A failure to record leaves it running: its lease expires, and it is tried again.
      this.held.delete(claimed.id);
    }
  }

  /**
   * One try: every function of the event, in order. Throws only when the database fails it (the
   * code cannot be fetched): the callback then stays running until its lease expires, and runs again.
   */
  private async runTry(c: ClaimedCallback, log: CallbackLog): Promise<CallbackOutcome> {
    const logger = pino({ level: 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, { write: (line: string) => log.write(line) });
    const about = { event: c.event, ...(c.taskId === null ? {} : { taskId: c.taskId }), ...(c.mapIndex >= 0 ? { mapIndex: c.mapIndex } : {}) };
    logger.info(about, `callback try ${c.tries} of ${c.maxTries}`);
    let context: CallbackContext;
    let fns;
    try {
      const code = await this.codes.get(c.dagId, c.versionHash);
      const dag = await this.functions.dag(code, c.dagId);
      fns = callbackFunctions(dag, c.event, c.taskId, c.versionHash);
      context = callbackContext(dag, c, this.config.baseUrl, logger);
    } catch (error) {
      if (!(error instanceof TaskCodeError)) throw error;
      return failed(logger, error.message);
    }
    if (typeof fns === 'string') return failed(logger, fns);
    let firstError: string | undefined;
    // Each function even after one failed, so that one broken notifier does not silence the others.
    for (const fn of fns) {
      const what = describeCallback(fn);
      try {
        await withTimeout(Promise.resolve().then(() => fn(context)), CALLBACK_TIMEOUT_MS, what);
      } catch (error) {
        const message = storableText(redactSecrets(error instanceof Error ? error.message || error.name : String(error)));
        const timedOut = message === `${what} did not answer within ${CALLBACK_TIMEOUT_MS}ms`;
        const why = timedOut ? `${what} took longer than ${formatDuration(CALLBACK_TIMEOUT_MS)} and was abandoned` : `${what} failed: ${message}`;
        logger.error({ err: error instanceof Error ? redactError(error) : undefined }, why);
        firstError ??= why;
      }
    }
    if (firstError !== undefined) return { ok: false, error: firstError };
    logger.info(`callback ran ${fns.length} function${fns.length === 1 ? '' : 's'}`);
    return { ok: true };
  }
}

function failed(logger: pino.Logger, message: string): CallbackOutcome {
  logger.error(message);
  return { ok: false, error: message };
}

/** A callback try's log lines, kept in memory up to a limit (the lines past it are counted, not kept). */
class CallbackLog {
  private readonly lines: string[] = [];
  private bytes = 0;
  private dropped = 0;

  constructor(private readonly limitBytes: number) {}

  write(line: string): void {
    const text = storableText(line);
    if (this.bytes + text.length > this.limitBytes) {
      this.dropped++;
      return;
    }
    this.bytes += text.length;
    this.lines.push(text);
  }

  text(): string {
    const cut = this.dropped
      ? `${JSON.stringify({ level: 40, time: new Date().toISOString(), msg: `${this.dropped} more log lines of this try were dropped (over ${this.limitBytes} bytes)` })}\n`
      : '';
    return this.lines.join('') + cut;
  }
}
