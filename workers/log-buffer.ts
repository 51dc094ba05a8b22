import { TASK_LOG_LIMIT_RANGE } from '../src/config.ts';
import { byteSizeSetting, formatByteSize } from '../src/core/sizes.ts';
import { formatCount } from '../src/core/show-value.ts';
import type { LogChunk } from '../src/store/logs.ts';
import type { TryKey } from '../src/store/task-instances.ts';
import { tryKeyString } from '../src/store/task-instances.ts';

/** Stores chunks of log (in one transaction); rejects if it could not. */
export type LogStore = (chunks: LogChunk[]) => Promise<void>;

/**
 * Collects the log lines of the tries running in this worker. Lines are written to Postgres in
 * batches (every second for live viewing, and the rest with the try's outcome), never one per line.
 *
 * Two promises it keeps:
 * - A try's log is complete when its outcome is: a try has at most one store of its lines in
 *   flight, and `finish` waits for it before handing over the last lines, so no earlier line can
 *   be committed after the outcome (or after the lines that go with it).
 * - A try's log is bounded: past `limitBytes` its lines are dropped, not buffered, with one line
 *   saying so where the log is cut and one at the end counting what was dropped.
 */
export class LogBuffer {
  private readonly tries = new Map<string, TryLog>();

  constructor(private readonly limitBytes: number) {}

  /** Where a try's lines go while it runs; lines written once the try is finished are ignored. */
  writer(key: TryKey): (line: string) => void {
    const k = tryKeyString(key);
    let log = this.tries.get(k);
    if (!log || log.closed) {
      log = new TryLog(key, this.limitBytes);
      this.tries.set(k, log);
    }
    const target = log;
    return (line) => target.write(line);
  }

  /**
   * Stores what the running tries wrote since the last flush, in one call to `store`. A try whose
   * previous lines are still being stored waits for the next flush: its lines stay in order. If
   * the store fails, the lines go back in front of the try's newer ones (and the error is thrown).
   */
  async flush(store: LogStore): Promise<void> {
    const taken: { log: TryLog; text: string }[] = [];
    for (const log of this.tries.values()) {
      if (log.closed || log.storing || !log.hasPending()) continue;
      taken.push({ log, text: log.take() });
    }
    if (taken.length === 0) return;
    const stored = store(taken.map(({ log, text }) => ({ ...log.key, chunk: text })));
    const settled: Promise<void> = stored
      .then(
        () => undefined,
        () => {
          for (const { log, text } of taken) log.putBack(text);
        },
      )
      .finally(() => {
        for (const { log } of taken) if (log.storing === settled) log.storing = undefined;
      });
    for (const { log } of taken) log.storing = settled;
    await stored;
  }

  /**
   * Ends a try's log: waits until no store of its earlier lines is in flight, then returns the
   * rest (with the count of dropped lines, if any) to be stored with the try's outcome.
   */
  async finish(key: TryKey): Promise<LogChunk | undefined> {
    const k = tryKeyString(key);
    const log = this.tries.get(k);
    if (!log) return undefined;
    // The try is over: a line its code writes from now on (a stray callback) is not part of it.
    log.closed = true;
    while (log.storing) await log.storing;
    if (this.tries.get(k) === log) this.tries.delete(k);
    const text = log.take() + log.droppedSummary();
    return text === '' ? undefined : { ...key, chunk: text };
  }
}

/** One try's lines not yet stored, and how much of its limit it has used. */
class TryLog {
  private pending = '';
  private keptBytes = 0;
  private droppedLines = 0;
  private droppedBytes = 0;
  closed = false;
  /** The store in flight holding some of this try's lines, if any. */
  storing: Promise<void> | undefined;

  constructor(
    readonly key: TryKey,
    private readonly limitBytes: number,
  ) {}

  write(line: string): void {
    if (this.closed) return;
    const bytes = Buffer.byteLength(line);
    if (this.droppedLines === 0) {
      if (this.keptBytes + bytes <= this.limitBytes) {
        this.keptBytes += bytes;
        this.pending += line;
        return;
      }
      // Said at once, so a reader of the running try sees why the log stops here.
      this.pending += this.marker('the lines written after this one are dropped');
    }
    // Once cut, always cut: a later short line that would still fit is dropped too, so the log
    // has no holes in it.
    this.droppedLines++;
    this.droppedBytes += bytes;
  }

  hasPending(): boolean {
    return this.pending !== '';
  }

  take(): string {
    const text = this.pending;
    this.pending = '';
    return text;
  }

  putBack(text: string): void {
    this.pending = text + this.pending;
  }

  /** The line counting what was dropped, or '' if nothing was. */
  droppedSummary(): string {
    if (this.droppedLines === 0) return '';
    const lines = `${formatCount(this.droppedLines)} line${this.droppedLines === 1 ? '' : 's'}`;
    return this.marker(`${lines} (${formatByteSize(this.droppedBytes)}) written after the cut were dropped`, {
      droppedLines: this.droppedLines,
      droppedBytes: this.droppedBytes,
    });
  }

  /** A warning line in the format of the task's own lines (pino's JSON), about the cut. */
  private marker(what: string, counts: Record<string, number> = {}): string {
    const limit = formatByteSize(this.limitBytes);
    const raise = byteSizeSetting(Math.min(this.limitBytes * 2, TASK_LOG_LIMIT_RANGE.max));
    const msg =
      `log cut at ${limit}, the limit of a try's log (SLUICE_TASK_LOG_LIMIT): ${what}; ` +
      `to keep more, raise SLUICE_TASK_LOG_LIMIT where the workers run (e.g. SLUICE_TASK_LOG_LIMIT=${raise})`;
    return `${JSON.stringify({ level: 40, time: new Date().toISOString(), msg, logLimitBytes: this.limitBytes, ...counts })}\n`;
  }
}
