/**
 * A worker's runner processes: a spare started ahead of need, one given to each try for as long
 * as the try runs, taken back when the try ended cleanly. A runner whose try was stopped (its code
 * may still run), that died, that ran many tries (each version it loaded stays loaded) or that
 * grew large is retired. So is one that a long try left holding more than twice the memory it
 * started with: a process does not give back to the machine what its heap and buffers once took
 * (a runner that ran an ETL extract kept some 170 MB where it started with 50), and an idle
 * runner beyond the spare is retired only after a minute, the spare never. A new runner costs
 * 0.3 s of CPU, little beside a try of LONG_TRY_MS or more.
 *
 * Starting a runner costs some 0.3 s of CPU (Node's own start, Sluice's code) and loading a
 * version's code in it more (a 5,000-task DAG: 0.1 s); handing a try to an idle runner costs two
 * IPC messages (0.3 ms). So a try that finds no idle runner waits for whichever comes first: a
 * runner another try gives back, or a new one, started only once a try has waited STARTS_AFTER_MS
 * while every busy runner has held its try that long too (and only a couple at a time). Short
 * tries then share a few runners, and long ones get one each as the starts catch up. A runner per
 * slot for short tries was slower, not faster: on 2 cores, 32 runners of two workers took turns
 * on the CPU, and a no-op try took 8 ms instead of 0.3. The spare is replaced under the same
 * condition: replaced as soon as it was taken, a busy worker's runners grew to one per slot.
 * And a runner is started for waiting tries only while the machine's CPU has room
 * (MIN_IDLE_SHARE): with every core busy, short tries hold their runners for tens of
 * milliseconds waiting for a core, which looks like long tries, and more runners only mean more
 * processes taking turns (and 0.3 s of CPU each to start). Tries that wait on I/O leave the CPU
 * idle, so their runners keep coming; and one that has waited CPU_WAIT_LIMIT_MS gets one anyway.
 *
 * A blank runner (a spare, or one just started) is warmed with the code of the version whose try
 * the worker took last: loading a version's code in a new runner (its DAG file and the packages
 * that imports: the showcase ETL's MongoDB, S3 and Postgres clients) took 1.5 to 2.3 s of a busy
 * machine, and the chains of a run (migrate, then three extracts at once; extracts, then three
 * loads at once) keep needing one more runner of that same version. Only blank runners are warmed,
 * so a runner holds at most the one version it was warmed with beyond those its tries loaded.
 */
import { machineIdleSampler } from './machine-idle.ts';
import type { CodeMessage } from './protocol.ts';
import { Runner, type RunnerOptions } from './runner.ts';

/** What the pool needs of a runner (Runner; tests give it stand-ins). */
export type PooledRunner = Pick<Runner, 'ready' | 'exited' | 'loaded' | 'warming' | 'preload' | 'tries' | 'alive' | 'rssBytes' | 'retire'>;

/** Whether a runner has loaded this code, or is loading it ahead of its tries. */
const holds = (runner: PooledRunner, codeHash: string) => runner.loaded.has(codeHash) || runner.warming === codeHash;

export interface RunnerPoolOptions extends Omit<RunnerOptions, 'entry'> {
  /** Idle runners kept ready (fewer if the worker runs fewer tries at once). */
  spare: number;
  /** The most tries that run at once (the worker's concurrency): the most runners there can be. */
  max: number;
  /** An idle runner beyond the spares is retired after this long. */
  idleMs: number;
  /** Retire a runner after this many tries... */
  maxTries: number;
  /** ...or when, after a try, it uses more than this many bytes. */
  maxIdleRssBytes: number;
  /** Starts a runner process (default: a Runner of these options); tests give stand-ins. */
  start?: (entry: string) => PooledRunner;
  /** The share of the machine's CPU idle lately (default: machineIdleSampler); tests give their own. */
  machineIdle?: () => number;
}

/** Runners starting at once, at most: more would only slow each other down on a small machine. */
const MAX_STARTING = 2;
/** How often (in tries) a runner's memory is looked at when it is given back. */
const RSS_CHECK_EVERY = 50;
/** A try at least this long is followed by a look at its runner's memory, whatever its count. */
const LONG_TRY_MS = 10_000;
/** A runner that a long try left with more than this many times its memory at start is retired. */
const GROWN_FACTOR = 2;
/** How long a try waits for a runner to be given back before one is started for it. */
const STARTS_AFTER_MS = 25;
/** The share of the machine's CPU that must have gone unused lately for a runner to start for waiting tries. */
const MIN_IDLE_SHARE = 0.2;
/** How soon the CPU is looked at again while tries wait for it to have room. */
const CPU_RECHECK_MS = 100;
/**
 * A try that has waited this long gets a runner started whatever the CPU: with the machine busy
 * with something else, tries that need little of it would otherwise wait for a runner for ever.
 */
const CPU_WAIT_LIMIT_MS = 1_000;

export class RunnerPool<R extends PooledRunner = Runner> {
  /** Ready runners no try holds, the most recently used last. */
  private readonly idle: { runner: R; since: number }[] = [];
  private readonly starting = new Set<R>();
  /** Tries waiting for a runner, first come first served. */
  private readonly waiters: { resolve: (r: R) => void; reject: (e: Error) => void; since: number; codeHash: string }[] = [];
  /** Looks again when a waiting try may count (startMore's conditions may have changed by then). */
  private waitTimer: NodeJS.Timeout | undefined;
  /** The busy runners: each with when it was given its try. */
  private readonly heldSince = new Map<R, number>();
  /** Each runner's resident memory when it was ready (read once; unreadable: absent). */
  private readonly startRss = new WeakMap<R, number>();
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private entry: string | undefined;
  private readonly machineIdle: () => number;
  /** The version of the try taken last: what blank runners are warmed with. */
  private latest: { code: CodeMessage; dagId: string } | undefined;

  constructor(private readonly options: RunnerPoolOptions) {
    this.machineIdle = options.machineIdle ?? machineIdleSampler();
    this.timer = setInterval(() => this.retireIdle(), Math.max(1000, options.idleMs / 4));
    this.timer.unref();
  }

  /** Starts the spares, running the runner code of `entry` (runner-bundle.ts). */
  start(entry: string): void {
    this.entry = entry;
    this.startMore();
  }

  get size(): { idle: number; busy: number; starting: number } {
    return { idle: this.idle.length, busy: this.busy, starting: this.starting.size };
  }

  private get busy(): number {
    return this.heldSince.size;
  }

  /** A runner for one try: an idle one (one that has loaded `codeHash`, if any), else the first to be free or started. */
  acquire(codeHash: string): Promise<R> {
    if (this.closed) return Promise.reject(new Error('the worker is stopping'));
    if (this.idle.length > 0) {
      let index = this.idle.findIndex((i) => holds(i.runner, codeHash));
      if (index < 0) index = this.idle.length - 1;
      const runner = this.idle.splice(index, 1)[0]!.runner;
      this.heldSince.set(runner, Date.now());
      this.startMore();
      return Promise.resolve(runner);
    }
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject, since: Date.now(), codeHash });
      this.startMore();
    });
  }

  /** A try of this version was given a runner: blank idle runners, and those to come, load its code meanwhile. */
  warm(code: CodeMessage, dagId: string): void {
    if (this.latest?.code.codeHash !== code.codeHash) this.latest = { code, dagId };
    for (const { runner } of this.idle) runner.preload(code, dagId);
  }

  /** Takes a runner back after its try: reused if the try ended cleanly, else retired (resolves once it has ended). */
  async release(runner: R, clean: boolean, graceMs: number): Promise<void> {
    const heldMs = Date.now() - (this.heldSince.get(runner) ?? Date.now());
    this.heldSince.delete(runner);
    if (clean && runner.alive && !this.worn(runner, heldMs) && !this.closed) {
      this.offer(runner);
      return;
    }
    this.startMore();
    await runner.retire(graceMs);
  }

  /**
   * Whether a runner given back should be retired rather than reused. Its memory is read only
   * every RSS_CHECK_EVERY tries, or after a long try: a read of /proc per try cost more than the IPC.
   */
  private worn(runner: R, heldMs: number): boolean {
    if (runner.tries >= this.options.maxTries) return true;
    const everyFew = runner.tries % RSS_CHECK_EVERY === 0;
    const long = heldMs >= LONG_TRY_MS;
    if (!everyFew && !long) return false;
    const rss = runner.rssBytes() ?? 0;
    if (everyFew && rss > this.options.maxIdleRssBytes) return true;
    const atStart = this.startRss.get(runner);
    return long && atStart !== undefined && rss > GROWN_FACTOR * atStart;
  }

  /** Retires every runner: idle ones at once; busy ones are the worker's to end (it has stopped their tries). */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.waitTimer);
    for (const w of this.waiters.splice(0)) w.reject(new Error('the worker is stopping'));
    const all = [...this.idle.map((i) => i.runner), ...this.starting];
    this.idle.length = 0;
    await Promise.all(all.map((r) => r.retire(graceMs)));
  }

  /**
   * A ready runner to a waiting try, else to the idle ones: to the first try whose code it has
   * loaded, else (or once the first try has waited STARTS_AFTER_MS) to the first. Loading a
   * version's code costs a runner far more than a try (a chain's next task, often kept by the
   * worker that ran the one before, then finds the runner that ran it); the first in line is
   * passed over only until it has waited STARTS_AFTER_MS.
   */
  private offer(runner: R): void {
    const head = this.waiters[0];
    let index = 0;
    if (head && !holds(runner, head.codeHash) && Date.now() - head.since < STARTS_AFTER_MS) {
      index = Math.max(0, this.waiters.findIndex((w) => holds(runner, w.codeHash)));
    }
    const waiter = this.waiters.splice(index, 1)[0];
    if (waiter) {
      this.heldSince.set(runner, Date.now());
      waiter.resolve(runner);
    } else {
      this.idle.push({ runner, since: Date.now() });
      if (this.latest) runner.preload(this.latest.code, this.latest.dagId);
    }
  }

  /**
   * Starts runners for the tries waiting beyond those already starting, and for the spares, at
   * most MAX_STARTING at a time and never more in all than the worker runs tries at once. A try
   * counts as waiting once it has waited STARTS_AFTER_MS, and only while no busy runner was given
   * its try less than that long ago (that runner is likely to be back first).
   */
  private startMore(): void {
    if (this.closed || !this.entry) return;
    const now = Date.now();
    let freshUntil = 0;
    for (const since of this.heldSince.values()) freshUntil = Math.max(freshUntil, since + STARTS_AFTER_MS);
    // With no runner at all, the first try does not wait for the timer.
    const none = this.idle.length + this.busy === 0;
    const stale = none || freshUntil <= now;
    const waited = stale ? this.waiters.filter((w) => now - w.since >= STARTS_AFTER_MS || none).length : 0;
    // A spare is replaced under the same conditions: with every runner busy with short tries, a
    // spare started whenever one was taken grew the pool to a runner per slot, each of which
    // then loaded the version's code (0.1 s and more for a big DAG). The CPU is read only when
    // it decides something, and the first runner needs no room.
    const wanted = () => waited > this.starting.size || (stale && this.spareShort());
    const starved = this.waiters.length > 0 && now - this.waiters[0]!.since >= CPU_WAIT_LIMIT_MS;
    const cpuFull = !none && !starved && wanted() && this.machineIdle() < MIN_IDLE_SHARE;
    while (!cpuFull && wanted() && this.idle.length + this.busy + this.starting.size < this.options.max && this.starting.size < MAX_STARTING) {
      this.spawn(this.entry);
    }
    // Look again when a try held back only by a fresh runner may count, or the next try will have waited long enough.
    const next = this.waiters.find((w) => now - w.since < STARTS_AFTER_MS);
    const heldBack = !stale && (this.spareShort() || this.waiters.some((w) => now - w.since >= STARTS_AFTER_MS));
    const at = Math.min(
      heldBack ? freshUntil : Infinity,
      next ? Math.max(next.since + STARTS_AFTER_MS, freshUntil) : Infinity,
      cpuFull ? now + CPU_RECHECK_MS : Infinity,
    );
    if (at !== Infinity && !this.waitTimer) {
      this.waitTimer = setTimeout(() => {
        this.waitTimer = undefined;
        this.startMore();
      }, at - now);
    }
  }

  /** Fewer idle or starting runners than the spares wanted (no more than slots left free). */
  private spareShort(): boolean {
    return this.idle.length + this.starting.size < Math.min(this.options.spare, this.options.max - this.busy);
  }

  private spawn(entry: string): void {
    const runner = (this.options.start ? this.options.start(entry) : new Runner({ ...this.options, entry })) as R;
    this.starting.add(runner);
    void runner.ready.then(
      () => {
        this.starting.delete(runner);
        const rss = runner.rssBytes();
        if (rss !== undefined) this.startRss.set(runner, rss);
        if (this.closed) void runner.retire(0);
        else this.offer(runner);
        this.startMore();
      },
      (error: Error) => {
        this.starting.delete(runner);
        // Nothing to wait for if runners cannot start at all: the tries fail with the reason.
        if (this.starting.size === 0 && this.busy + this.idle.length === 0) for (const w of this.waiters.splice(0)) w.reject(error);
        else setTimeout(() => this.startMore(), 1000).unref();
      },
    );
    void runner.exited.then(() => this.forget(runner));
  }

  /** A runner that died while idle leaves the pool. */
  private forget(runner: R): void {
    const index = this.idle.findIndex((i) => i.runner === runner);
    if (index >= 0) {
      this.idle.splice(index, 1);
      this.startMore();
    }
  }

  private retireIdle(): void {
    const now = Date.now();
    // The least recently used first: the others keep doing the work.
    while (this.idle.length > this.options.spare && now - this.idle[0]!.since >= this.options.idleMs) {
      void this.idle.shift()!.runner.retire(0);
    }
  }
}
