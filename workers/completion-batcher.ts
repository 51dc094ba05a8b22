import type { QueuedTry } from '../src/queue/jobs.ts';
import { completeTries, type CompletedTry, type CompletionResult } from '../src/scheduler/complete-try.ts';
import type { Services } from '../src/scheduler/services.ts';

interface Waiting {
  done: CompletedTry;
  resolve: (result: CompletionResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for ended tries. When nothing is being recorded, a try is recorded at once (no
 * added latency); tries that end while a transaction is in flight are recorded together in the
 * next one. Under load a worker thus takes the locks of a shared downstream task (a fan-in) once
 * per batch instead of once per try, and many tries share one commit.
 */
export class CompletionBatcher {
  private waiting: Waiting[] = [];
  private flushing = false;

  constructor(
    private readonly services: Services,
    private readonly keepOne: (queued: QueuedTry[]) => QueuedTry | undefined,
    private readonly maxBatch = 64,
  ) {}

  complete(done: CompletedTry): Promise<CompletionResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ done, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        const results = await completeTries(this.services, batch.map((w) => w.done), this.keepOne);
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.flushing = false;
  }
}
