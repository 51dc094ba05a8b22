/**
 * The readers of a ranged extract, all at once: the first range in the task's own thread, each
 * other one in a worker thread of its own, so that they flatten and compress on every core. The
 * threads live inside the try's runner process: killing the runner kills them, as it kills the
 * try. A thread cannot be given live clients, only how to connect: when the caller brought its
 * own (`resources` in a test), the ranges are read as concurrent cursors in this thread instead,
 * partitioned the same way, on one core.
 *
 * Whatever stops one reader stops all: the task's abort terminates the threads, and the first
 * reader to fail aborts the others and fails the extract with its error, naming its range.
 */
import { Worker } from 'node:worker_threads';
import { serialize } from 'bson';
import type { Logger } from 'pino';
import { BUNDLE_URL } from '../../core/bundled.ts';
import type { S3Settings } from '../s3/client.ts';
import { extractRange, type RangeExtract, type RangeIo, type RangeJob } from './extract-range.ts';
import type { ReadLog } from './extract-read.ts';
import type { ThreadData, ThreadMessage } from './extract-thread.ts';

/** Bundled, the thread's entry is a file of the bundle (own-code-bundle.mjs); from source, one that loads tsx first. */
const THREAD_ENTRY = BUNDLE_URL ? new URL('./sluice-extract-thread.mjs', BUNDLE_URL) : new URL('./extract-thread-entry.mjs', import.meta.url);

/** How a thread connects: what the task's connections resolved to. */
export interface ThreadConnections {
  mongoUrl: string;
  s3: S3Settings;
}

export interface RangeRead {
  job: RangeJob;
  label: string;
}

export interface RangesIo extends Omit<RangeIo, 'log'> {
  log: Logger;
}

/** Every range's result, in range order; `connections` undefined: no threads. */
export async function readRanges(ranges: readonly RangeRead[], io: RangesIo, connections: ThreadConnections | undefined): Promise<RangeExtract[]> {
  const stop = new AbortController();
  const signal = AbortSignal.any([io.signal, stop.signal]);
  let first: Error | undefined;
  const reads = ranges.map(async ({ job, label }, i) => {
    const log = io.log.child({ range: label });
    try {
      const result = i === 0 || !connections ? await extractRange(job, { ...io, log, signal }) : await inThread(job, connections, log, signal);
      // When each range ended shows how even the cut was (and so what a reader waited for).
      log.info({ documents: result.documents, seconds: result.seconds }, 'range extracted');
      return result;
    } catch (error) {
      // The first failure is the cause; the others are the readers it stopped.
      first ??= new Error(`range ${label}: ${(error as Error).message}`, { cause: error });
      stop.abort(first);
      throw first;
    }
  });
  const settled = await Promise.allSettled(reads);
  if (first) throw first;
  return settled.map((s) => (s as PromiseFulfilledResult<RangeExtract>).value);
}

function inThread(job: RangeJob, connections: ThreadConnections, log: ReadLog, signal: AbortSignal): Promise<RangeExtract> {
  signal.throwIfAborted();
  const { ids, ...window } = job.window;
  const workerData: ThreadData = { job: { ...job, window }, ids: serialize({ ids }), ...connections };
  const worker = new Worker(THREAD_ENTRY, { workerData });
  return new Promise<RangeExtract>((resolve, reject) => {
    let ended = false;
    const end = (settle: () => void) => {
      if (ended) return;
      ended = true;
      signal.removeEventListener('abort', onAbort);
      // Done or not, the thread goes: terminating it closes its sockets and stops its reads.
      void worker.terminate();
      settle();
    };
    const onAbort = () => end(() => reject(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: ThreadMessage) => {
      if (message.type === 'log') log[message.level](message.fields, message.message);
      else if (message.type === 'done') end(() => resolve(message.result));
      else end(() => reject(new Error(message.message)));
    });
    worker.on('error', (error) => end(() => reject(error)));
    worker.on('exit', (code) => end(() => reject(new Error(`its thread ended (exit code ${code}) before it was done`))));
  });
}
