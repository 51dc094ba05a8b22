/**
 * Run ends, told before their transaction commits and said only once it has. The run-end rule
 * runs inside its caller's transaction (src/engine/run-lifecycle.ts), which may still roll back
 * or be retried after a deadlock; the run's start, end and final state are the database's. So a
 * reported end is kept here by key and read back from the database on the next tick, and again on
 * the ticks after while the run does not read as ended yet (not committed yet); a run that never
 * reads as ended (the transaction rolled back, a clear requeued it) is let go after MAX_READS.
 */
import type { Logger } from '../log.ts';
import type { Db } from '../store/db.ts';
import { getRun, type DagRunRecord } from '../store/runs.ts';
import type { RunKey } from './traces.ts';

type EndedRun = DagRunRecord & { state: 'success' | 'failed'; endDate: Date };

const TICK_MS = 1000;
const MAX_READS = 5;

export class RunEnds {
  /** Reported ends not read as ended yet, by key, with how many reads found them unfinished. */
  private readonly pending = new Map<string, { run: RunKey; reads: number }>();
  private readonly timer: NodeJS.Timeout;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly onEnded: (run: EndedRun) => void,
    private readonly log: Logger,
  ) {
    // Unref'd: a process with nothing else to do is not kept alive by its traces.
    this.timer = setInterval(() => void this.flush(), TICK_MS).unref();
  }

  report(run: RunKey): void {
    this.pending.set(`${run.dagId}\u0000${run.runId}`, { run, reads: 0 });
  }

  /** Reads what is pending one last time (the process is stopping), then stops. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /**
   * Reads every pending run once: says those that read as ended, lets go of those read MAX_READS
   * times. One pass at a time (each waits for the one before): two at once would both find a run
   * ended and say it twice, and a slow database must not pile passes up.
   */
  flush(): Promise<void> {
    this.reading = this.reading.then(() => this.readOnce());
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    for (const [key, entry] of [...this.pending]) {
      try {
        const run = await getRun(this.db, entry.run.dagId, entry.run.runId);
        if (run && (run.state === 'success' || run.state === 'failed') && run.endDate) {
          this.pending.delete(key);
          this.onEnded(run as EndedRun);
        } else if (!run || ++entry.reads >= MAX_READS) {
          this.pending.delete(key);
        }
      } catch (err) {
        // Kept for the next tick, like an end not committed yet; a database away for good lets it go.
        if (++entry.reads >= MAX_READS) this.pending.delete(key);
        this.log.warn({ err, dagId: entry.run.dagId, runId: entry.run.runId }, "could not read an ended run for its trace span; will try again");
      }
    }
  }
}
