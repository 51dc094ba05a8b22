/**
 * extract's reading loop: a window of one collection, document by document, into rows. A source
 * that hands out BSON bytes (readBson) is flattened from them, with no decoded document at all;
 * any other source from its decoded documents. After each document its rows are written, and
 * waiting on that write is what holds the read back when gzip or S3 cannot keep up.
 */
import type { DocumentSource, DocumentWindow, ReadOptions } from '../mongo/source.ts';
import type { DocumentFlattener, RowSink } from './flatten.ts';
import { RawFlattener } from './raw-flatten.ts';

const PROGRESS_EVERY_MS = 10_000;

export interface ReadTotals {
  documents: number;
  /** Documents the raw flattener gave up on and flattened decoded (repeated or $-names, malformed bytes). */
  decoded: number;
  seconds: number;
}

/** Where a reader logs: a task's ctx.log, or a thread's messages to it (extract-thread.ts). */
export interface ReadLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export async function readInto(
  log: ReadLog,
  source: DocumentSource,
  collection: string,
  window: DocumentWindow,
  options: ReadOptions,
  into: { flattener: DocumentFlattener; emit: RowSink; write: () => Promise<void> | undefined },
): Promise<ReadTotals> {
  const progress = new Progress(log);
  const { flattener, emit, write } = into;
  let raw: RawFlattener | undefined;
  if (source.readBson) {
    raw = new RawFlattener(flattener);
    for await (const batch of source.readBson(collection, window, options)) {
      for (const document of batch) {
        raw.flatten(document, emit);
        const waiting = write();
        if (waiting) await waiting;
      }
      progress.documents(batch.length);
    }
  } else {
    for await (const document of source.read(collection, window, options)) {
      flattener.flatten(document, emit);
      const waiting = write();
      if (waiting) await waiting;
      progress.documents(1);
    }
  }
  return { documents: progress.total, decoded: raw?.decoded ?? 0, seconds: progress.seconds() };
}

/** Counts documents and logs the rate every PROGRESS_EVERY_MS. */
class Progress {
  total = 0;
  readonly #started = Date.now();
  #logged = this.#started;

  constructor(private readonly log: ReadLog) {}

  documents(count: number): void {
    this.total += count;
    const now = Date.now();
    if (now - this.#logged < PROGRESS_EVERY_MS) return;
    this.#logged = now;
    this.log.info({ documents: this.total, perSecond: Math.round(this.total / ((now - this.#started) / 1000)) }, 'extract progress');
  }

  seconds(): number {
    return (Date.now() - this.#started) / 1000;
  }
}
