/**
 * Debian's Chromium driven by playwright-core, for the scenarios that measure the web UI. No browser
 * is ever downloaded: the executable is the system's (BENCH_CHROMIUM overrides the path).
 *
 * Main-thread work is read from a Chrome trace (the same data as DevTools' Performance panel):
 * every top-level task the page's renderer main thread ran, with its exact duration, and the
 * `console.timeStamp()` markers the page wrote, so that a measurement can be placed on it.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS } from '../../test/support/browser.ts';

export const CHROMIUM_PATH = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Playwright's own signal handlers are off: they would close the browser under the running
 * scenario and, on SIGINT, exit the process before run.ts has dropped the databases. Its exit
 * handler still kills Chromium however the bench process ends.
 */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's (apt-get install chromium) or set BENCH_CHROMIUM to a Chromium or Chrome executable`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_FLAGS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  /** Microseconds on the trace clock. */
  ts: number;
  dur?: number;
  /** Thread (CPU) time, where the event has it. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { data?: Record<string, unknown> };
}

/** Times in milliseconds on the trace's clock. */
export interface MainThreadTask {
  start: number;
  end: number;
  duration: number;
  /**
   * The thread's CPU time in the task: less than `duration` when the OS ran something else
   * meanwhile (on a loaded 2-core machine the difference is contention, not the page's work).
   */
  cpu: number;
  /** Time in the events inside the task by name, e.g. "Layout", "Paint", "FunctionCall" (different names may nest). */
  inside: Map<string, number>;
  /** Garbage collection that ran inside script (a GC can also be a task of its own). */
  gcInScript: number;
}

/** Trace events that are JavaScript running, and garbage collection. */
export const SCRIPT_EVENTS = ['FunctionCall', 'EvaluateScript'];
export const GC_EVENTS = ['MinorGC', 'MajorGC'];

export class PageTrace {
  /** Top-level tasks of the page's renderer main thread, in order. */
  readonly tasks: MainThreadTask[];
  private readonly events: TraceEvent[];
  private readonly all: TraceEvent[];

  constructor(all: TraceEvent[], threadMarker: string) {
    this.all = all;
    const marker = all.find((e) => e.name === 'TimeStamp' && e.args?.data?.message === threadMarker);
    if (!marker) throw new Error(`the trace has no console.timeStamp("${threadMarker}"): the page did not write it while tracing`);
    this.events = all.filter((e) => e.pid === marker.pid && e.tid === marker.tid).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
    this.tasks = [];
    let current: MainThreadTask | undefined;
    let open: { name: string; end: number }[] = [];
    for (const e of this.events) {
      if (e.ph !== 'X' || e.dur === undefined) continue;
      const start = e.ts / 1000;
      const end = (e.ts + e.dur) / 1000;
      if (current && start < current.end) {
        while (open.length && open.at(-1)!.end <= start) open.pop();
        // An event inside another of the same name (Paint of <html> in Paint of #document) counts once.
        const nested = open.some((o) => o.name === e.name);
        const inScript = open.some((o) => SCRIPT_EVENTS.includes(o.name));
        open.push({ name: e.name, end });
        if (nested) continue;
        current.inside.set(e.name, (current.inside.get(e.name) ?? 0) + e.dur / 1000);
        if (inScript && GC_EVENTS.includes(e.name)) current.gcInScript += e.dur / 1000;
      } else if (e.name === 'RunTask') {
        current = { start, end, duration: e.dur / 1000, cpu: (e.tdur ?? e.dur) / 1000, inside: new Map(), gcInScript: 0 };
        this.tasks.push(current);
        open = [];
      }
    }
  }

  /** When the page wrote `console.timeStamp(message)`, each time. */
  marks(message: string): number[] {
    return this.events.filter((e) => e.name === 'TimeStamp' && e.args?.data?.message === message).map((e) => e.ts / 1000);
  }

  /** The task running at `time`, or the first one after it. */
  taskAt(time: number): MainThreadTask | undefined {
    return this.tasks.find((t) => t.end >= time);
  }

  /** The first task that starts at or after `time` and paints (a frame's rendering). */
  paintAfter(time: number): MainThreadTask | undefined {
    return this.tasks.find((t) => t.start >= time && t.inside.has('Paint'));
  }

  /** Tasks that overlap [from, to] (a task cut by the window counts in part, its CPU time in proportion). */
  tasksBetween(from: number, to: number): MainThreadTask[] {
    return this.tasks
      .filter((t) => t.end > from && t.start < to)
      .map((t) => {
        const duration = Math.min(t.end, to) - Math.max(t.start, from);
        return { ...t, start: Math.max(t.start, from), end: Math.min(t.end, to), duration, cpu: t.duration > 0 ? (t.cpu * duration) / t.duration : 0 };
      });
  }

  /** When the renderer received the response of the last request to a URL containing `urlPart` before `time`. */
  responseBefore(urlPart: string, time: number): number | undefined {
    const ids = new Set(
      this.all.filter((e) => e.name === 'ResourceSendRequest' && String(e.args?.data?.url ?? '').includes(urlPart)).map((e) => e.args?.data?.requestId),
    );
    const received = this.all
      .filter((e) => e.name === 'ResourceReceiveResponse' && ids.has(e.args?.data?.requestId) && e.ts / 1000 <= time)
      .map((e) => e.ts / 1000);
    return received.length ? Math.max(...received) : undefined;
  }
}

/**
 * The timeline categories DevTools' Performance panel records (tasks, script, style, layout,
 * paint, GC, network), less screenshots, JS sampling and the low-level `toplevel` events.
 */
const TRACE_CATEGORIES = ['-*', 'devtools.timeline', 'disabled-by-default-devtools.timeline'];

/**
 * Runs `body` while Chrome traces, and returns the page's main thread. The page must call
 * `console.timeStamp(threadMarker)` while tracing: that is how its renderer's thread is found.
 */
export async function traceMainThread<T>(
  browser: Browser,
  page: Page,
  threadMarker: string,
  body: () => Promise<T>,
): Promise<{ result: T; trace: PageTrace }> {
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  let result: T;
  try {
    result = await body();
  } catch (error) {
    await browser.stopTracing().catch(() => undefined);
    throw error;
  }
  const buffer = await browser.stopTracing();
  const { traceEvents } = JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] };
  return { result, trace: new PageTrace(traceEvents, threadMarker) };
}

export interface PageMemory {
  jsHeapUsedBytes: number;
  jsHeapTotalBytes: number;
  domNodes: number;
}

/** The page's JS heap after a full garbage collection, and its DOM node count (CDP Performance.getMetrics). */
export async function pageMemory(page: Page): Promise<PageMemory> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name: string) => {
      const found = metrics.find((m) => m.name === name);
      if (!found) throw new Error(`Performance.getMetrics has no ${name}`);
      return found.value;
    };
    return { jsHeapUsedBytes: metric('JSHeapUsedSize'), jsHeapTotalBytes: metric('JSHeapTotalSize'), domNodes: metric('Nodes') };
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/**
 * With BENCH_CPU_PROF=<dir>: a .cpuprofile of the page's JavaScript while `body` runs (CDP
 * Profiler, 100 µs sampling), for Chrome DevTools or speedscope. Without it, just `body`.
 */
export async function profilePage<T>(page: Page, name: string, body: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return body();
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
    try {
      return await body();
    } finally {
      const { profile } = await cdp.send('Profiler.stop');
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(path.resolve(dir), `${name}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
    }
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}
