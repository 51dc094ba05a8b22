/**
 * The worker process: takes try messages from the queues of the pools and queues it serves
 * (`--pools`, `--queues`), fences each with a guarded
 * queued → running update, runs the task, and records the outcome (which also enqueues whatever
 * it made ready). Heartbeats prove the try is alive; a worker that dies is noticed by the scheduler.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import type { Config } from '../src/config.ts';
import type { Logger } from '../src/log.ts';
import { cachedPromise } from '../src/core/promise-cache.ts';
import { taskById, type DagSpec, type TaskSpec } from '../src/core/spec.ts';
import { triesOf, type QueuedTry, type QueueMessage } from '../src/queue/jobs.ts';
import { keysFor, type RedisKeys } from '../src/queue/keys.ts';
import type { Destination } from '../src/queue/task-queues.ts';
import { createRedis, type RedisClient } from '../src/queue/redis.ts';
import { claimAndCompleteTries, type CompletedTry, type CompletionResult } from '../src/engine/complete-try.ts';
import { finishClear } from '../src/engine/actions.ts';
import { requireVersion } from '../src/engine/run-lifecycle.ts';
import { openServices } from '../src/engine/open-services.ts';
import type { Services } from '../src/engine/services.ts';
import type { Db } from '../src/store/db.ts';
import { appendLogChunks, type LogChunk } from '../src/store/logs.ts';
import { listPools } from '../src/store/pools.ts';
import { claimTries, handBackTry, type ClaimedTry, heartbeatTries, tryKeyString, type TryKey } from '../src/store/task-instances.ts';
import { readXcom } from '../src/store/xcom.ts';
import { triggeringAssetEvents } from '../src/store/assets.ts';
import { registerWorker, recordWorkerHeartbeat, removeWorkerHeartbeat, WORKER_HEARTBEAT_MS, type WorkerRegistration } from '../src/store/workers.ts';
import { heapGrowthFlag } from './heap.ts';
import { GroupCommit } from './group-commit.ts';
import { LocalTries, type LocalTry } from './local-tries.ts';
import { LogBuffer } from './log-buffer.ts';
import { RunnerPool } from './runner/runner-pool.ts';
import { TaskFunctions } from './task-functions.ts';
import { VersionCodes } from './version-codes.ts';
import { InlineExecutor, ProcessExecutor, type TryExecutor } from './try-executors.ts';
import { catchStrayErrors } from './stray-errors.ts';
import { CallbackRunner } from './callbacks.ts';
import { SecretBox } from '../src/engine/secret-box.ts';
import { taskSecrets, type TaskSecrets } from '../src/engine/task-secrets.ts';

export interface WorkerOptions {
  concurrency: number;
  /** Only these pools' tries; all pools when empty. */
  pools: string[];
  /** Only tries of tasks whose `queue` is one of these (the CLI's default: DEFAULT_QUEUE). */
  queues: string[];
  /**
   * How long a bundled try may wait here for a free slot before it goes back to Redis
   * (default LOCAL_WAIT_MS; tests shorten it).
   */
  localWaitMs?: number;
  /** The tries this worker sends are bundled from this many of a pool (TaskQueuesOptions; tests lower it). */
  bundleFrom?: number;
}

/** See WorkerOptions.localWaitMs: long enough that a busy worker's own slots drain its bundles. */
const LOCAL_WAIT_MS = 500;

/** What the worker writes: a claim of a try it was sent, or the end of a try it ran. */
type Write = { kind: 'claim'; key: TryKey } | { kind: 'end'; done: CompletedTry };
/** What it gets back, in the same order: the try claimed (undefined: a stale message), or the end's result. */
type Written = { kind: 'claim'; claimed: ClaimedTry | undefined } | { kind: 'end'; result: CompletionResult };

/** A try this worker claimed: its message's key and what the claim returned. */
interface Claimed {
  key: TryKey;
  claimed: ClaimedTry;
}

interface RunningTry {
  key: TryKey;
  cancel: AbortController;
  /** Set when shutdown takes the try away: it goes back to the queue with the same try number. */
  handBack: boolean;
}

export class SluiceWorker {
  /** Read once: os.hostname() is a system call, and every group write names the host. */
  private readonly hostname = hostname();
  readonly id = `${this.hostname}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly db: Db;
  private readonly consumer: RedisClient;
  /** The names of the queues it listens to (hash-tagged on a cluster). */
  private readonly keys: RedisKeys;
  private readonly services: Services;
  /** Closes the pool, the producer connection and the queues (openServices). */
  private readonly closeServices: () => Promise<void>;
  /**
   * Runs tries, in runner processes or in this one (SLUICE_TASK_ISOLATION), on the code stored
   * with each run's DAG version: the worker needs no DAGs folder.
   */
  private readonly executor: TryExecutor;
  /** Runs the callbacks of DAGs and tasks (onSuccess, onFailure, onRetry), from their own queue. */
  private readonly callbacks: CallbackRunner;
  private readonly logs: LogBuffer;
  private readonly running = new Map<string, RunningTry>();
  /** A BullMQ worker per pool and queue served, by BullMQ queue name (RedisKeys.poolQueue). */
  private readonly bullWorkers = new Map<string, Worker>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly handedBack: (QueuedTry | LocalTry)[] = [];
  /** Tries of bundles taken from Redis, and tries kept from this worker's ends, that no slot has started yet (see process, keep). */
  private readonly local = new LocalTries();
  /** Slots working through tries (process), as opposed to waiting on Redis for a message. */
  private busySlots = 0;
  /** Claims of tries just received and ends of tries just run, written together (see writeGroup). */
  private readonly writes: GroupCommit<Write, Written>;
  private stopping = false;
  /** Removes the process handlers for errors that task code lets escape (installed by start). */
  private releaseStrayErrors?: () => void;
  /** What tries read with ctx.connection() / ctx.variable(), answered here for runners too. */
  private readonly secrets: TaskSecrets;

  constructor(
    private readonly config: Config,
    private readonly options: WorkerOptions,
    private readonly log: Logger,
  ) {
    const opened = openServices(config, log, { poolSize: Math.min(options.concurrency + 4, 40), bundleFrom: options.bundleFrom });
    this.services = opened.services;
    this.db = opened.services.db;
    this.closeServices = opened.close;
    // BullMQ's workers block on their connection (BZPOPMIN), so they get one of their own.
    this.consumer = createRedis(config, 'consumer');
    this.keys = keysFor(this.consumer, config.queuePrefix);
    // One cache of each per worker: with inline tries, the tries and the callbacks of a version
    // then fetch and load its code once, not once each (two copies of the DAG's modules).
    const codes = new VersionCodes(this.db);
    const functions = new TaskFunctions(config.dagsFolder);
    this.executor = makeExecutor(config, options, codes, functions, log);
    this.callbacks = new CallbackRunner(config, this.db, this.consumer, codes, functions, this.id, log);
    this.logs = new LogBuffer(config.taskLogLimitBytes);
    this.secrets = taskSecrets(() => this.db, new SecretBox(config.secretKeys));
    this.writes = new GroupCommit((group) => this.writeGroup(group), {
      onGroupFailure: (err, tries) =>
        log.warn({ err, tries }, 'could not write a group of claims and ended tries together; writing them one by one'),
    });
  }

  /**
   * Writes a group of claims and ends in one statement, one round trip and one commit
   * (claimAndCompleteTries); claims alone in one (claimTries). A slot's next message arrives only
   * once its try's end is written, so under load a group holds the ends of some slots and the
   * claims of others: written apart, that was two round trips and two commits per group.
   */
  private async claim(key: TryKey): Promise<ClaimedTry | undefined> {
    const written = await this.writes.submit({ kind: 'claim', key });
    if (written.kind !== 'claim') throw new Error('internal error: a claim was answered with the result of an end');
    return written.claimed;
  }

  /**
   * Records a try's end and, in the same group, claims the try the slot runs next (`next`, taken
   * from the bundled tries waiting here). Written one after the other, each slot waited for two
   * group writes per try and a worker wrote twice the groups, each with half the rows: with a
   * fan-out's bundles that was most of the worker's and PostgreSQL's cost per try.
   */
  private endAndClaim(done: CompletedTry, next: LocalTry | undefined): { ended: Promise<CompletionResult>; claimed: Promise<Claimed | undefined> } {
    const [ended, claimed] = this.writes.submitAll([{ kind: 'end', done }, ...(next ? [{ kind: 'claim' as const, key: next }] : [])]);
    return {
      ended: ended!.then((w) => {
        if (w.kind !== 'end') throw new Error('internal error: an end was answered with the result of a claim');
        return w.result;
      }),
      // Never rejects: a claim that could not be written leaves its try queued in Postgres, and
      // it waits here again for the next free slot (whose own claim will tell).
      claimed: claimed
        ? claimed.then(
            (w) => (w.kind === 'claim' && w.claimed ? { key: next!, claimed: w.claimed } : undefined),
            (err) => {
              this.log.warn({ err }, 'could not claim a bundled try; it waits for the next free slot');
              this.local.putBack(next!);
              return undefined;
            },
          )
        : Promise.resolve(undefined),
    };
  }

  private async writeGroup(group: Write[]): Promise<Written[]> {
    const claims = group.flatMap((w) => (w.kind === 'claim' ? [w.key] : []));
    const ends = group.flatMap((w) => (w.kind === 'end' ? [w.done] : []));
    if (ends.length === 0) {
      const claimed = await claimTries(this.db, claims, this.id, this.hostname);
      return claims.map((k) => ({ kind: 'claim', claimed: claimed.get(tryKeyString(k)) }));
    }
    const request = claims.length > 0 ? { keys: claims, workerId: this.id, hostname: this.hostname } : undefined;
    const { claimed, results } = await claimAndCompleteTries(this.services, request, ends, (queued) => this.keep(queued, ends.length));
    let next = 0;
    return group.map((w) =>
      w.kind === 'claim' ? { kind: 'claim', claimed: claimed.get(tryKeyString(w.key)) } : { kind: 'end', result: results[next++]! },
    );
  }

  async start(): Promise<void> {
    // Tries run in this process: a task's stray rejection or late throw must fail its own try,
    // not exit the process with every other try it runs.
    this.releaseStrayErrors = catchStrayErrors(this.log);
    await this.executor.start();
    await this.refreshPools();
    // Before any try runs: from now on `dags show`, the UI and /metrics count these queues as served.
    await registerWorker(this.db, this.registration());
    this.callbacks.start();
    const heartbeatEvery = Math.max(200, Math.floor(this.config.taskHeartbeatTimeoutMs / 6));
    this.timers.push(
      setInterval(() => void this.heartbeat(), heartbeatEvery),
      setInterval(() => void this.workerHeartbeat(), WORKER_HEARTBEAT_MS),
      setInterval(() => void this.flushLogs(), 1000),
      setInterval(() => void this.refreshPools(), 10_000),
      setInterval(() => void this.returnWaitingTries(), Math.max(50, (this.options.localWaitMs ?? LOCAL_WAIT_MS) / 2)),
    );
    this.log.info(
      { workerId: this.id, pools: this.options.pools.length ? this.options.pools : 'all', queues: this.options.queues, concurrency: this.options.concurrency },
      'worker started',
    );
  }

  /** Stops taking tries; lets running ones finish for `graceMs`, then hands the rest back to the queue. */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // Beside the tries' own grace: a callback still running after it is left to its lease.
    const callbacksStopped = this.callbacks.stop(graceMs);
    // Heartbeats go on while running tries finish, or the scheduler would take them for lost.
    const closing = Promise.all([...this.bullWorkers.values()].map((w) => w.close()));
    const grace = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([closing.then(() => 'closed' as const), grace])) === 'timeout') {
      this.log.warn({ tries: this.running.size }, 'shutdown grace period over: handing running tries back');
      for (const t of this.running.values()) {
        t.handBack = true;
        t.cancel.abort();
      }
      await closing;
    }
    // Bundled tries no slot started: still queued in Postgres, they go back for another worker.
    this.handedBack.push(...this.local.takeAll());
    // Sent only now: until the BullMQ job of a handed-back try is finished, its id is taken.
    await this.services.queues.enqueue(this.handedBack).catch((err) =>
      this.log.warn({ err }, 'could not re-send handed-back tries; the scheduler will re-send them'),
    );
    await callbacksStopped;
    for (const t of this.timers) clearInterval(t);
    await removeWorkerHeartbeat(this.db, this.id).catch((err) => this.log.warn({ err }, 'could not remove this worker from worker_heartbeats'));
    await this.executor.close();
    await this.flushLogs();
    this.consumer.disconnect();
    await this.closeServices();
    this.releaseStrayErrors?.();
    this.log.info({ workerId: this.id }, 'worker stopped');
  }

  /** What worker_heartbeats says of this worker: the pools (null: all) and queues it serves. */
  private registration(): WorkerRegistration {
    const { pools, queues, concurrency } = this.options;
    return { workerId: this.id, hostname: this.hostname, pools: pools.length ? pools : null, queues, concurrency };
  }

  private async workerHeartbeat(): Promise<void> {
    try {
      await recordWorkerHeartbeat(this.db, this.registration());
    } catch (err) {
      this.log.warn({ err }, 'could not record the worker heartbeat; will try again');
    }
  }

  /** Listens to the queue of every pool and queue served: pools are read again as they are created. */
  private async refreshPools(): Promise<void> {
    if (this.stopping) return;
    try {
      const pools = this.options.pools.length ? this.options.pools : (await listPools(this.db)).map((p) => p.pool);
      for (const pool of pools) {
        for (const queue of this.options.queues) this.listen({ pool, queue });
      }
    } catch (err) {
      this.log.warn({ err }, 'could not read the pool list; will try again');
    }
  }

  private listen(from: Destination): void {
    const name = this.keys.poolQueue(from);
    if (this.bullWorkers.has(name)) return;
    const worker = new Worker<QueueMessage>(name, (job) => this.process(job, from), {
      connection: this.consumer,
      prefix: this.config.queuePrefix,
      concurrency: this.options.concurrency,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
    });
    worker.on('error', (err) => this.log.warn({ err, ...from }, 'queue connection problem'));
    this.bullWorkers.set(name, worker);
  }

  /**
   * Runs the try a message asks for (the first, for a bundle; the others wait in `local`), then,
   * in the same slot, the tries waiting in `local`: those the worker's ends made ready (keep: the
   * next task of a chain never goes through Redis, so it starts within milliseconds) and those of
   * bundles. Every slot does the same, so they spread over this worker's slots as they free up.
   */
  private async process(job: Job<QueueMessage>, from: Destination): Promise<void> {
    const [first, ...rest] = triesOf(job.data);
    const priorityWeight = 'tries' in job.data ? (job.data.priorityWeight ?? 1) : 1;
    this.local.add(rest.map((t) => ({ ...t, ...from, priorityWeight })));
    this.busySlots++;
    try {
      let next = await this.claimFirst(first);
      while (next) next = await this.runTry(next);
    } finally {
      this.busySlots--;
    }
    if ('tries' in job.data) {
      await this.services.queues.bundleTaken(from, job.data).catch((err) => this.log.warn({ err }, 'could not update the bundle index'));
    }
  }

  /**
   * Tries that waited in `local` localWaitMs while every slot was busy (long tasks) go back to
   * Redis one job each, where an idle slot of any worker takes them: a bundle or a kept try never
   * waits behind busy slots for longer than that. A failed send loses nothing: they are still
   * queued in Postgres, and the scheduler re-sends what Redis does not have.
   */
  private async returnWaitingTries(): Promise<void> {
    const waited = this.local.takeOlderThan(this.options.localWaitMs ?? LOCAL_WAIT_MS);
    if (waited.length === 0) return;
    await this.services.queues.enqueue(waited).catch((err) =>
      this.log.warn({ err, tries: waited.length }, 'could not send back tries that waited here for a slot; the scheduler will re-send them'),
    );
  }

  /**
   * Takes, among tries just made ready, those this worker runs itself, into `local`: its slots
   * claim them with the ends of their current tries (one group write per try, no Redis round
   * trips), the next task of a chain within milliseconds. As many as it has slots, less what
   * waits here already; the rest go to Redis for any worker, and what waits here too long goes
   * back there (returnWaitingTries).
   */
  private keep(queued: QueuedTry[], ends: number): QueuedTry[] {
    if (this.stopping) return [];
    // With a slot idle (waiting on Redis, where it never sees `local`), one per ended try: the
    // slot that ran it takes it next, and the rest go where idle slots wait. With every slot
    // busy, as many as there are slots: they would wait for one anyway.
    const room = this.busySlots >= this.options.concurrency ? this.options.concurrency - this.local.size : ends;
    if (room <= 0) return [];
    // Stops at `room`: a burst's thousands of admitted tries are not each named for the few kept.
    const kept: QueuedTry[] = [];
    for (const q of queued) {
      if (kept.length >= room) break;
      if (this.bullWorkers.has(this.keys.poolQueue(q))) kept.push(q);
    }
    this.local.add(kept);
    return kept;
  }

  /**
   * Claims `key`, or, when its message is stale (that try was taken, cleared or timed out), the
   * next bundled try waiting here, until one is claimed or none is left.
   */
  private async claimFirst(key: TryKey | undefined): Promise<Claimed | undefined> {
    let next = key;
    while (next) {
      const claimed = await this.claim(next);
      if (claimed) return { key: next, claimed };
      next = this.stopping ? undefined : this.local.take();
    }
    return undefined;
  }

  /**
   * Runs a claimed try and records its end; returns the try the slot runs next, already claimed:
   * a try waiting in `local` claimed along with the end (endAndClaim), else one waiting there
   * after it (the end may have made it ready: keep).
   */
  private async runTry({ key, claimed }: Claimed): Promise<Claimed | undefined> {
    /** The slot's next try, claimed in the same group as this try's end. */
    let following: Promise<Claimed | undefined> | undefined;
    const running: RunningTry = { key, cancel: new AbortController(), handBack: false };
    this.running.set(tryKeyString(key), running);
    // Made only when something is logged: at the default level a try logs nothing here, so a
    // child logger per try (its bindings serialised) was work for nothing.
    const log = () => this.log.child({ dagId: key.dagId, runId: key.runId, taskId: key.taskId, mapIndex: key.mapIndex, try: key.tryNumber });
    /** The try's last lines, handed to its completion: stored again if that fails. */
    let lastLines: LogChunk | undefined;
    try {
      const { spec, tasks } = await this.dagVersion(key.dagId, claimed.versionHash);
      const task = tasks.get(key.taskId);
      if (!task) throw new Error(`task ${key.taskId} is not in version ${claimed.versionHash} of DAG ${key.dagId}`);
      const execution = await this.executor.run({
        ...key,
        version: claimed.versionHash,
        maxTries: claimed.maxTries,
        tryStartDate: claimed.startDate,
        rescheduleCount: claimed.rescheduleCount,
        logicalDate: claimed.logicalDate,
        dataIntervalStart: claimed.dataIntervalStart,
        dataIntervalEnd: claimed.dataIntervalEnd,
        mapItem: claimed.mapItem,
        params: { ...spec.params, ...claimed.conf },
        triggeringAssetEvents: await triggeringAssetEvents(this.db, key.dagId, key.runId),
        executionTimeoutMs: task.executionTimeoutMs,
        memoryLimitBytes: task.memoryLimitBytes ?? this.config.taskMemoryLimitBytes,
        xcom: async (taskId) => (await readXcom(this.db, key.dagId, key.runId, taskId)).value,
        secrets: this.secrets,
        writeLog: this.logs.writer(key),
        logLevel: taskLogLevel(this.config.logLevel),
        cancel: running.cancel.signal,
      });
      // A try stopped from outside may have been cleared: with its code gone, it is reset now.
      if (running.cancel.signal.aborted && (await finishClear(this.services, key))) {
        await this.flushLogs(key);
        log().info('try stopped and reset: it was cleared while running');
        return this.claimFirst(this.stopping ? undefined : this.local.take());
      }
      if (running.handBack) {
        await this.flushLogs(key);
        const queued = await handBackTry(this.db, key);
        if (queued) this.handedBack.push(queued);
        log().info('try handed back to the queue at shutdown');
        return undefined;
      }
      // Waits for a periodic flush holding earlier lines of this try: once the outcome is
      // committed, the log is complete.
      lastLines = await this.logs.finish(key);
      const written = this.endAndClaim(
        { key, maxTries: claimed.maxTries, task, result: execution.result, xcomJson: execution.xcomJson, log: lastLines, startDate: claimed.startDate },
        this.stopping ? undefined : this.local.take(),
      );
      following = written.claimed;
      const ended = await written.ended;
      if (this.log.isLevelEnabled('debug')) log().debug({ state: ended.outcome?.state ?? 'dropped' }, 'try ended');
    } catch (err) {
      // Infrastructure trouble (database gone, say): the try stays running without heartbeats
      // and the scheduler fails and retries it once the heartbeat timeout passes.
      log().error({ err }, 'could not record the try; it will be retried after the heartbeat timeout');
      // Its lines so far (those the failed completion carried too), if the database takes them;
      // and no buffer is left behind.
      await this.flushLogs(key, lastLines);
    } finally {
      this.running.delete(tryKeyString(key));
    }
    return (await following) ?? this.claimFirst(this.stopping ? undefined : this.local.take());
  }

  private readonly versions = new Map<string, Promise<{ spec: DagSpec; tasks: Map<string, TaskSpec> }>>();

  /**
   * A DAG version's spec and its tasks by id, fetched once per process. When a big fan-out starts,
   * every slot asks for the same version at once: one fetch answers them all (each used to fetch
   * and parse the whole spec, 200 ms apiece for 5,000 tasks), and a task is found without a scan.
   * A failed fetch is forgotten, so the next try asks again.
   */
  private dagVersion(dagId: string, versionHash: string): Promise<{ spec: DagSpec; tasks: Map<string, TaskSpec> }> {
    return cachedPromise(this.versions, `${dagId}\u0000${versionHash}`, async () => {
      const spec = await requireVersion(this.db, dagId, versionHash);
      return { spec, tasks: taskById(spec) };
    });
  }

  private async heartbeat(): Promise<void> {
    const beating = [...this.running.values()];
    if (beating.length === 0) return;
    try {
      const alive = await heartbeatTries(this.db, this.id, beating.map((r) => r.key));
      // Only the tries this heartbeat asked about: one claimed meanwhile was not in the question.
      for (const r of beating) {
        if (!alive.has(tryKeyString(r.key)) && this.running.get(tryKeyString(r.key)) === r) r.cancel.abort();
      }
    } catch (err) {
      this.log.warn({ err }, 'heartbeat failed');
    }
  }

  /**
   * Stores the lines the running tries wrote since the last flush; given a try that ended with no
   * outcome to record (handed back, or not recordable), the rest of its log.
   */
  private async flushLogs(key?: TryKey, handedOver?: LogChunk): Promise<void> {
    try {
      if (!key) {
        await this.logs.flush((chunks) => appendLogChunks(this.db, chunks));
        return;
      }
      const rest = await this.logs.finish(key);
      const text = (handedOver?.chunk ?? '') + (rest?.chunk ?? '');
      if (text) await appendLogChunks(this.db, [{ ...key, chunk: text }]);
    } catch (err) {
      this.log.warn({ err }, 'could not store task log lines');
    }
  }
}

/** A try's own log keeps info and above even when the process logs less; debug/trace go further. */
function taskLogLevel(processLevel: string): string {
  return processLevel === 'debug' || processLevel === 'trace' ? processLevel : 'info';
}

/**
 * Idle runner processes kept ready for the next tries. One: a runner starts in about 0.2 s, and
 * each kept idle holds some 55 MB; the pool starts more as tries need them, and keeps them a minute.
 */
const SPARE_RUNNERS = 1;

function makeExecutor(config: Config, options: WorkerOptions, codes: VersionCodes, functions: TaskFunctions, log: Logger): TryExecutor {
  if (config.taskIsolation === 'inline') return new InlineExecutor(codes, functions);
  const heapFlag = heapGrowthFlag(config.workerHeapGrowthPercent);
  const pool = new RunnerPool({
    spare: Math.min(SPARE_RUNNERS, options.concurrency),
    max: options.concurrency,
    idleMs: 60_000,
    // Each version a runner ran stays loaded in it until it is retired.
    maxTries: 10_000,
    maxIdleRssBytes: 512 * 1024 * 1024,
    execArgv: heapFlag ? [heapFlag] : [],
    // The worker's database, not just its environment's: task code that reads Sluice's metadata
    // (sluice/sensors' externalTaskSensor, sluice/operators' triggerDag) must see the same one.
    env: { ...withoutSecretKeys(process.env), SLUICE_DATABASE_URL: config.databaseUrl, SLUICE_DAGS_FOLDER: config.dagsFolder, SLUICE_LOG_LEVEL: config.logLevel },
  });
  return new ProcessExecutor(codes, pool, config.taskKillGraceMs, log);
}

/**
 * The environment without the keys that open stored secrets: a runner asks its worker for the
 * connections and variables its try reads, so task code has no use for them (README, "Secrets").
 */
function withoutSecretKeys(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { SLUICE_SECRET_KEY: _key, SLUICE_SECRET_KEY_PREVIOUS: _previous, ...rest } = env;
  return rest;
}
