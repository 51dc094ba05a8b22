/**
 * How much of the machine's CPU went unused lately: what tells the runner pool whether another
 * runner process could get work done, or would only take turns with the ones already busy.
 */
import { cpus } from 'node:os';

/** Shorter windows than this are too coarse to read (the kernel counts in 10 ms ticks). */
const MIN_WINDOW_MS = 100;

interface CpuTotals {
  idle: number;
  all: number;
}

function cpuTotals(): CpuTotals {
  let idle = 0;
  let all = 0;
  for (const { times } of cpus()) {
    idle += times.idle;
    all += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, all };
}

/**
 * A function giving the share (0 to 1) of every core's time spent idle since it last measured;
 * within MIN_WINDOW_MS of that, the same answer again. The first window runs from its creation.
 */
export function machineIdleSampler(now: () => number = Date.now): () => number {
  let last = cpuTotals();
  let lastAt = now();
  let share = 1;
  return () => {
    if (now() - lastAt < MIN_WINDOW_MS) return share;
    const current = cpuTotals();
    const elapsed = current.all - last.all;
    share = elapsed > 0 ? (current.idle - last.idle) / elapsed : share;
    last = current;
    lastAt = now();
    return share;
  };
}
