/**
 * A worker's runner processes: a few started ahead of need and kept idle, one given to each try,
 * taken back when the try ended cleanly. A runner whose try was stopped (its code may still run),
 * that died, that ran many tries (each version it loaded stays loaded) or that grew large is
 * retired, and the pool starts another ahead of the next try. Starting one takes a few hundred
 * milliseconds (Node and Sluice's own code), which is why they are kept and reused: handing a try
 * to an idle runner costs two IPC messages.
 */
import { Runner, type RunnerOptions } from './runner.ts';

export interface RunnerPoolOptions extends Omit<RunnerOptions, 'entry'> {
  /** Idle runners kept ready (fewer if the worker runs fewer tries at once). */
  spare: number;
  /** The most tries that run at once (the worker's concurrency): runners beyond it are never needed. */
  max: number;
  /** An idle runner beyond the spares is retired after this long. */
  idleMs: number;
  /** Retire a runner after this many tries... */
  maxTries: number;
  /** ...or when, after a try, it uses more than this many bytes. */
  maxIdleRssBytes: number;
}

export class RunnerPool {
  private readonly idle: { runner: Runner; since: number }[] = [];
  private readonly starting = new Set<Runner>();
  private busy = 0;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private entry: string | undefined;

  constructor(private readonly options: RunnerPoolOptions) {
    this.timer = setInterval(() => this.retireIdle(), Math.max(1000, options.idleMs / 4));
    this.timer.unref();
  }

  /** Starts the spares, running the runner code of `entry` (runner-bundle.ts). */
  start(entry: string): void {
    this.entry = entry;
    this.topUp();
  }

  get size(): { idle: number; busy: number; starting: number } {
    return { idle: this.idle.length, busy: this.busy, starting: this.starting.size };
  }

  /** A runner for one try: an idle one (the one that ran the same code last, if any), else a new one. */
  async acquire(codeHash: string): Promise<Runner> {
    if (this.closed) throw new Error('the worker is stopping');
    this.busy++;
    try {
      let index = this.idle.findIndex((i) => i.runner.loaded.has(codeHash));
      if (index < 0) index = this.idle.length - 1;
      const runner = index >= 0 ? this.idle.splice(index, 1)[0]!.runner : this.spawn();
      this.topUp();
      await runner.ready;
      return runner;
    } catch (error) {
      this.busy--;
      throw error;
    }
  }

  /** Takes a runner back after its try: reused if the try ended cleanly, else retired (resolves once it has ended). */
  async release(runner: Runner, clean: boolean, graceMs: number): Promise<void> {
    this.busy--;
    const worn = runner.tries >= this.options.maxTries || (runner.rssBytes() ?? 0) > this.options.maxIdleRssBytes;
    if (clean && runner.alive && !worn && !this.closed) {
      // Most recently used last: acquire takes from the end, so the warmest runners do the work
      // and the others age out (retireIdle).
      this.idle.push({ runner, since: Date.now() });
      return;
    }
    this.topUp();
    await runner.retire(graceMs);
  }

  /** Retires every runner: idle ones at once; busy ones are the worker's to end (it has stopped their tries). */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const all = [...this.idle.map((i) => i.runner), ...this.starting];
    this.idle.length = 0;
    await Promise.all(all.map((r) => r.retire(graceMs)));
  }

  private spawn(): Runner {
    if (!this.entry) throw new Error('internal error: a runner was asked for before the pool started');
    const runner = new Runner({ ...this.options, entry: this.entry });
    this.starting.add(runner);
    void runner.exited.then(() => this.forget(runner));
    void runner.ready.then(
      () => this.starting.delete(runner),
      () => this.starting.delete(runner),
    );
    return runner;
  }

  /** Starts runners until `spare` are idle or starting, within what the worker can use. */
  private topUp(): void {
    if (this.closed || !this.entry) return;
    const wanted = Math.min(this.options.spare, this.options.max - this.busy);
    // Spares go into `idle` as they start: whoever takes one waits for it to be ready.
    let ready = this.idle.length;
    while (ready < wanted) {
      const runner = this.spawn();
      this.idle.push({ runner, since: Date.now() });
      ready++;
    }
  }

  /** A runner that died while idle leaves the pool. */
  private forget(runner: Runner): void {
    const index = this.idle.findIndex((i) => i.runner === runner);
    if (index >= 0) {
      this.idle.splice(index, 1);
      this.topUp();
    }
  }

  private retireIdle(): void {
    const now = Date.now();
    while (this.idle.length > this.options.spare && now - this.idle[0]!.since >= this.options.idleMs) {
      void this.idle.shift()!.runner.retire(0);
    }
  }
}
