import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { RunnerPool, type PooledRunner } from '../../../../workers/runner/runner-pool.ts';
import type { RunnerExit } from '../../../../workers/runner/runner.ts';
import type { CodeMessage } from '../../../../workers/runner/protocol.ts';

/** A runner process stand-in: ready when the test says, retired on request; loads code when the test says. */
class FakeRunner implements PooledRunner {
  readonly loaded = new Set<string>();
  warming: string | undefined;
  /** The code hashes it was asked to load ahead of its tries. */
  readonly preloads: string[] = [];
  tries = 0;
  alive = true;
  retired = false;
  readonly ready: Promise<void>;
  readonly exited: Promise<RunnerExit>;
  private markReady: () => void = () => undefined;
  private markExit: (exit: RunnerExit) => void = () => undefined;

  constructor() {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.exited = new Promise((resolve) => (this.markExit = resolve));
  }

  start(): void {
    this.markReady();
  }

  /** As Runner.preload: a blank runner only. */
  preload(code: CodeMessage): void {
    if (this.warming !== undefined || this.loaded.size > 0) return;
    this.warming = code.codeHash;
    this.preloads.push(code.codeHash);
  }

  /** The code it was warming is loaded. */
  warmed(): void {
    this.loaded.add(this.warming!);
    this.warming = undefined;
  }

  /** Its resident memory, as the test sets it. */
  rss = 1;

  rssBytes(): number {
    return this.rss;
  }

  async retire(): Promise<RunnerExit> {
    this.retired = true;
    this.alive = false;
    this.markExit({ code: 0, signal: null });
    return { code: 0, signal: null };
  }
}

function pool(options: { spare: number; max: number; machineIdle?: () => number }) {
  const started: FakeRunner[] = [];
  const p = new RunnerPool<FakeRunner>({
    machineIdle: () => 1,
    ...options,
    idleMs: 60_000,
    maxTries: 1000,
    maxIdleRssBytes: 1_000_000,
    execArgv: [],
    env: {},
    start: () => {
      const r = new FakeRunner();
      started.push(r);
      return r;
    },
  });
  p.start('entry.mjs');
  return { p, started };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const code = (codeHash: string): CodeMessage => ({ codeHash, code: '', sourceMap: null, fileloc: 'etl.ts' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Whether a promise has settled by now. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await tick();
  return done;
}

describe('RunnerPool', () => {
  it('starts its spare at once, gives it to the first try, and starts the next spare once that try has run 25 ms', async () => {
    const { p, started } = pool({ spare: 1, max: 4 });
    assert.equal(started.length, 1);
    started[0]!.start();
    await tick();
    assert.equal(await p.acquire('code'), started[0]);
    assert.equal(started.length, 1, 'a runner just given a try may be back at once: no new spare yet');
    await sleep(40);
    assert.equal(started.length, 2, 'a new spare');
    await p.close(0);
  });

  it('a try that finds no idle runner waits for one to be given back, and no runner starts before 25 ms', async () => {
    const { p, started } = pool({ spare: 1, max: 4 });
    started[0]!.start();
    await tick();
    const first = await p.acquire('code');
    const second = p.acquire('code');
    assert.equal(await settled(second), false, 'the new spare is still starting');
    await p.release(first, true, 0);
    assert.equal(await second, first, 'the runner given back goes to the waiting try');
    assert.equal(started.length, 1, 'no other runner was started');
    await p.close(0);
  });

  it('runners start two at a time, never more than the worker runs tries at once', async () => {
    const { p, started } = pool({ spare: 0, max: 3 });
    assert.equal(started.length, 0);
    const first = p.acquire('a');
    assert.equal(started.length, 1, 'with no runner at all, a try does not wait to start one');
    const tries = [first, p.acquire('a'), p.acquire('a'), p.acquire('a')];
    assert.equal(started.length, 2, 'nor do the next ones, two starting at a time');
    await sleep(40);
    assert.equal(started.length, 2, 'still two at a time');
    started[0]!.start();
    started[1]!.start();
    await tick();
    assert.equal(started.length, 2, 'the two runners just given a try may be back soon: no third yet');
    await sleep(40);
    assert.equal(started.length, 3, 'the third, once they have held their tries 25 ms');
    started[2]!.start();
    await tick();
    assert.deepEqual(await Promise.all(tries.slice(0, 3)), started);
    assert.equal(await settled(tries[3]!), false, 'the fourth waits: three runners is the most');
    await sleep(40);
    assert.equal(started.length, 3);
    await p.release(started[1]!, true, 0);
    assert.equal(await tries[3], started[1]);
    await p.close(0);
  });

  it('retires a runner that a try of 10 s or more left with more than twice the memory it started with', async () => {
    const { p, started } = pool({ spare: 1, max: 4 });
    const runner = started[0]!;
    runner.rss = 50;
    runner.start();
    await tick();
    mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    try {
      const held = async (ms: number, rss: number) => {
        const r = await p.acquire('x');
        r.tries++;
        r.rss = rss;
        mock.timers.tick(ms);
        await p.release(r, true, 0);
        return r;
      };
      await held(9_000, 120);
      assert.equal(runner.retired, false, 'a shorter try: its memory is not looked at');
      await held(10_000, 100);
      assert.equal(runner.retired, false, 'twice what it started with is still kept');
      await held(10_000, 101);
      assert.equal(runner.retired, true, 'more than twice after a long try: retired');
    } finally {
      mock.timers.reset();
    }
    await p.close(0);
  });

  it('retires a runner whose try was stopped, and prefers an idle runner that has the code loaded', async () => {
    const { p, started } = pool({ spare: 2, max: 4 });
    for (const r of started) r.start();
    await tick();
    const [a, b] = [await p.acquire('x'), await p.acquire('x')];
    b.loaded.add('y');
    await p.release(b, true, 0);
    await p.release(a, true, 0);
    assert.equal(await p.acquire('y'), b, 'the runner that loaded y, though a is the most recent');
    await p.release(b, false, 0);
    assert.equal(b.retired, true);
    assert.notEqual(await p.acquire('y'), b);
    await p.close(0);
  });

  it('a try that waited 25 ms gets a new runner only once no runner was given a try in the last 25 ms', async () => {
    const { p, started } = pool({ spare: 1, max: 4 });
    started[0]!.start();
    await tick();
    const tries = Array.from({ length: 6 }, () => p.acquire('code'));
    // Short tries: the runner comes back every 10 ms and goes to the next try at once.
    for (let i = 0; i < 3; i++) {
      const runner = await tries[i]!;
      await sleep(10);
      await p.release(runner, true, 0);
    }
    assert.equal(await tries[3], started[0]);
    assert.equal(started.length, 1, 'none, though tries waited 30 ms: the runner was always just handed one');
    await sleep(40);
    assert.equal(started.length, 3, 'the runner held its try 25 ms: more start for the tries that waited, two at a time');
    await p.close(0);
    await Promise.allSettled(tries);
  });

  it('no runner starts for waiting tries while the CPU has no room; one does once it has', async () => {
    let idle = 0.05;
    const { p, started } = pool({ spare: 1, max: 4, machineIdle: () => idle });
    started[0]!.start();
    await tick();
    const tries = [p.acquire('code'), p.acquire('code'), p.acquire('code')];
    await sleep(60);
    assert.equal(started.length, 1, 'every core busy: another runner would only take turns with this one');
    idle = 0.6;
    await sleep(150);
    assert.equal(started.length, 3, 'with room, runners start for the waiting tries (and no spare beyond the slots)');
    await p.close(0);
    await Promise.allSettled(tries);
  });

  it('a try that waited a second gets a runner started even while the CPU has no room', async () => {
    const { p, started } = pool({ spare: 1, max: 4, machineIdle: () => 0 });
    started[0]!.start();
    await tick();
    const tries = [p.acquire('code'), p.acquire('code')];
    await sleep(500);
    assert.equal(started.length, 1);
    await sleep(700);
    assert.equal(started.length, 2, 'the waiting try is not left waiting for ever on a busy machine');
    await p.close(0);
    await Promise.allSettled(tries);
  });

  it("a runner given back goes to a waiting try whose code it has loaded, ahead of the first, until the first has waited 25 ms", async () => {
    const { p, started } = pool({ spare: 1, max: 1 });
    started[0]!.start();
    await tick();
    const runner = await p.acquire('x');
    runner.loaded.add('x');
    const first = p.acquire('y');
    const second = p.acquire('x');
    await p.release(runner, true, 0);
    assert.equal(await second, runner, 'the try of the code it has loaded');
    assert.equal(await settled(first), false);
    const third = p.acquire('x');
    await sleep(30);
    await p.release(runner, true, 0);
    assert.equal(await first, runner, 'the first, once it has waited 25 ms');
    assert.equal(await settled(third), false);
    await p.close(0);
    await Promise.allSettled([third]);
  });

  it('warms blank idle runners, and spares started later, with the version of the try taken last; never a runner that has loaded code', async () => {
    const { p, started } = pool({ spare: 2, max: 4 });
    for (const r of started) r.start();
    await tick();
    const [a, b] = started as [FakeRunner, FakeRunner];
    p.warm(code('v1'), 'etl');
    assert.deepEqual([a.preloads, b.preloads], [['v1'], ['v1']], 'both idle spares load v1');
    a.warmed();
    assert.equal(await p.acquire('v1'), a, 'a try of v1 takes a runner that has loaded v1');
    assert.equal(await p.acquire('v1'), b, 'and then one still loading it');
    await sleep(40);
    const c = started[2]!;
    c.start();
    await tick();
    assert.deepEqual(c.preloads, ['v1'], 'a spare started afterwards is warmed with v1 as soon as it is idle');
    c.warmed();
    p.warm(code('v2'), 'etl');
    assert.deepEqual(c.preloads, ['v1'], 'a runner that has loaded code is not warmed again: one version each at most');
    await p.close(0);
  });

  it('close rejects the tries waiting for a runner', async () => {
    const { p } = pool({ spare: 1, max: 1 });
    const waiting = p.acquire('code');
    await p.close(0);
    await assert.rejects(waiting, /the worker is stopping/);
    await assert.rejects(p.acquire('code'), /the worker is stopping/);
  });
});
