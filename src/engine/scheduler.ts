/**
 * The scheduler process: parses the DAGs folder, creates scheduled runs, starts queued runs, and
 * runs the safety-net sweep. Several may run at once: every step is guarded in Postgres.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { DagFolder } from '../loader/dag-folder.ts';
import { ParserProcess } from '../loader/parser-process.ts';
import { syncDagFolder } from '../loader/sync.ts';
import type { Db } from '../store/db.ts';
import { recordSchedulerHeartbeat, removeSchedulerHeartbeat } from '../store/schedulers.ts';
import { nextDueAt } from '../store/task-instances.ts';
import { analyzeTaskInstancesIfStale } from '../store/statistics.ts';
import { CallbackQueue } from '../queue/callback-queue.ts';
import { createAssetTriggeredRuns } from './asset-runs.ts';
import { dispatchCallbacks } from './callbacks.ts';
import { NotifyListener } from './notify-listener.ts';
import { openServices } from './open-services.ts';
import { createScheduledRuns } from './scheduled-runs.ts';
import { WAKE_CHANNEL, type Services } from './services.ts';
import {
  admitWaitingTasks,
  completeBackfills,
  failLostTries,
  failTasksThatCannotFit,
  resendLostMessages,
  startRuns,
  sweepRunningRuns,
} from './sweep.ts';

/** Messages younger than this may simply not have been sent yet by whoever committed them. */
const RESEND_AFTER_MS = 5000;

/**
 * The shortest wait between two passes that only admit due retries and sensor checks: with
 * 1,000 sensors checking every second something is always due, and this bounds the passes to
 * ten a second.
 */
const DUE_PASS_MIN_MS = 100;

export class Scheduler {
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly db: Db;
  private readonly services: Services;
  private readonly closeServices: () => Promise<void>;
  /** Where pending callbacks are sent to the workers (dispatchCallbacks). */
  private readonly callbackQueue: CallbackQueue;
  private readonly folder: DagFolder;
  /** Where the folder's files are imported: a child process, so no file can stall or end this one. */
  private readonly parser: ParserProcess;
  /** The DAG processor's pass in progress: it runs beside the scheduling loop, never inside it. */
  private parsing: Promise<void> | undefined;
  private readonly listener: NotifyListener;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private wakeRequested = false;
  private lastParse = 0;
  private lastResend = 0;
  private lastFullPass = 0;
  /** When the next retry or sensor check is due, as last read (null: none waits). */
  private nextDue: number | null = null;
  private loopDone: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    const opened = openServices(config, log, { poolSize: 5 });
    this.services = opened.services;
    this.db = opened.services.db;
    this.closeServices = opened.close;
    this.callbackQueue = new CallbackQueue(opened.redis, config.queuePrefix);
    this.parser = new ParserProcess({
      timeoutMs: config.dagImportTimeoutMs,
      memoryLimitBytes: config.dagImportMemoryLimitBytes,
      env: { ...process.env, SLUICE_LOG_LEVEL: config.logLevel },
    });
    this.folder = new DagFolder(config.dagsFolder, this.parser.parse);
    // New runs and cleared tasks NOTIFY us, so they start now rather than at the next loop.
    this.listener = new NotifyListener({
      databaseUrl: config.databaseUrl,
      channel: WAKE_CHANNEL,
      log: log.child({ schedulerId: this.id }),
      onNotify: () => this.wake(),
      onRelisten: () => this.wake(),
    });
  }

  async start(): Promise<void> {
    // The first pass is waited for (bounded by SLUICE_DAG_IMPORT_TIMEOUT per file): a scheduler
    // that has started knows the DAGs.
    this.parseDags();
    await this.parsing;
    await this.listener.start();
    this.log.info({ schedulerId: this.id, dagsFolder: this.folder.root }, 'scheduler started');
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.loopDone;
    // A file being imported is not waited for: the parser is killed, and the pass ends at once.
    await this.parser.close();
    await this.parsing;
    await this.listener.stop();
    await removeSchedulerHeartbeat(this.db, this.id).catch(() => undefined);
    await this.callbackQueue.close().catch((err) => this.log.debug({ err }, 'the callbacks queue did not close cleanly'));
    await this.closeServices();
    this.log.info({ schedulerId: this.id }, 'scheduler stopped');
  }

  private wake(): void {
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.loopDone = this.loop();
    }, delayMs);
  }

  private async loop(): Promise<void> {
    this.running = true;
    this.wakeRequested = false;
    try {
      await this.tick();
    } catch (err) {
      this.log.error({ err }, 'scheduler loop failed; retrying');
    } finally {
      this.running = false;
      this.schedule(this.wakeRequested ? 0 : this.nextDelayMs());
    }
  }

  /**
   * The loop interval, or less when a retry or a sensor's check falls due sooner: a sensor
   * checking every second would otherwise wait for the next full pass, up to a second late.
   */
  private nextDelayMs(): number {
    const loop = this.config.schedulerLoopMs;
    if (this.nextDue === null) return loop;
    return Math.min(loop, Math.max(DUE_PASS_MIN_MS, this.nextDue - Date.now()));
  }

  /**
   * One pass; each step is idempotent, so a pass interrupted anywhere is simply done again. A
   * pass that a wake (a new run, a clear, a backfill) brings before the loop interval is over
   * starts runs and nothing else: the rest is the safety net, which runs once per interval. With
   * 500 runs triggered one after the other, each woke a full pass, and every pass read every
   * waiting task of every running run. Asset-triggered runs are made on both kinds of pass: an
   * asset event wakes the schedulers (asset_events_enqueue.sql), and its consumer should start
   * at once; with no event queued the step is one small query.
   */
  async tick(): Promise<void> {
    const now = Date.now();
    if (now - this.lastFullPass < this.config.schedulerLoopMs) {
      await this.createAssetTriggeredRuns();
      await startRuns(this.services);
      if (this.nextDue !== null && this.nextDue <= now) {
        await admitWaitingTasks(this.services);
        this.nextDue = await this.readNextDue();
      }
      return;
    }
    this.lastFullPass = now;
    await recordSchedulerHeartbeat(this.db, this.id);
    if (now - this.lastParse >= this.config.dagRescanIntervalMs) this.parseDags();
    await analyzeTaskInstancesIfStale(this.db);
    const created = await createScheduledRuns(this.db, new Date(now), this.log);
    if (created.length) this.log.info({ dags: created }, 'scheduled runs created');
    await this.createAssetTriggeredRuns();
    await startRuns(this.services);
    await sweepRunningRuns(this.services);
    await admitWaitingTasks(this.services);
    this.nextDue = await this.readNextDue();
    await failTasksThatCannotFit(this.services);
    await failLostTries(this.services, this.config.taskHeartbeatTimeoutMs);
    // Its own trouble (Redis away, say) must not hold up the steps after it: it is done again next loop.
    await dispatchCallbacks(this.db, this.callbackQueue, this.log).catch((err) => this.log.warn({ err }, 'could not dispatch callbacks; will try again'));
    if (now - this.lastResend >= RESEND_AFTER_MS) {
      this.lastResend = now;
      await resendLostMessages(this.services, RESEND_AFTER_MS).catch((err) =>
        this.log.warn({ err }, 'could not check Redis for lost messages'),
      );
    }
    await completeBackfills(this.services);
  }

  private async readNextDue(): Promise<number | null> {
    return (await nextDueAt(this.db))?.getTime() ?? null;
  }

  private async createAssetTriggeredRuns(): Promise<void> {
    const runs = await createAssetTriggeredRuns(this.db, this.log);
    for (const run of runs) {
      this.log.info({ dagId: run.dagId, runId: run.runId, events: run.consumedAssetEvents.length }, 'asset-triggered run created');
    }
  }

  /**
   * Starts a pass of the DAG processor unless one is going: a file that takes its whole import
   * timeout holds up that pass, not the scheduling of the DAGs already known.
   */
  private parseDags(): void {
    if (this.parsing) return;
    this.lastParse = Date.now();
    this.parsing = syncDagFolder(this.db, this.folder, this.log)
      .then(() => undefined)
      .catch((err) => {
        if (!this.stopped) this.log.error({ err }, 'could not read the DAGs folder');
      })
      .finally(() => {
        this.parsing = undefined;
        this.lastParse = Date.now();
      });
  }
}
