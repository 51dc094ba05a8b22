import type { SendableTry } from '../src/queue/task-queues.ts';

/**
 * A try a bundle brought to this worker, or one its ends made ready, with what sending it back to
 * Redis takes (its pool, queue and priority).
 */
export type LocalTry = SendableTry;

/**
 * The tries that no slot of this worker has started yet, the highest priorityWeight first, then
 * the oldest: those of bundles it took from Redis, and those its ends made ready and it kept. Every slot takes from here before it
 * asks Redis for another job, so they spread over the worker's busy slots as they free up. Idle slots wait on Redis and never see these,
 * so a try left here too long (all slots busy with long tasks) goes back to Redis (takeOlderThan)
 * for a slot elsewhere.
 */
export class LocalTries {
  private waiting: { t: LocalTry; since: number; first?: boolean }[] = [];

  get size(): number {
    return this.waiting.length;
  }

  add(tries: LocalTry[], now = Date.now()): void {
    for (const t of tries) this.waiting.push({ t, since: now });
  }

  /**
   * A try for the next free slot, ahead of the others: one a slot meant to run now but could not
   * (its claim could not be written).
   */
  putBack(t: LocalTry, now = Date.now()): void {
    this.waiting.unshift({ t, since: now, first: true });
  }

  /** The try a free slot runs next: one put back, else the highest weight, the oldest among equals (a scan: a few dozen at most wait here). */
  take(): LocalTry | undefined {
    let best = 0;
    for (let i = 1; i < this.waiting.length; i++) {
      const w = this.waiting[i]!;
      const b = this.waiting[best]!;
      if (!b.first && w.t.priorityWeight > b.t.priorityWeight) best = i;
    }
    return this.waiting.splice(best, 1)[0]?.t;
  }

  /** Removes and returns the tries that have waited at least `ms`. */
  takeOlderThan(ms: number, now = Date.now()): LocalTry[] {
    const stale = this.waiting.filter((w) => now - w.since >= ms);
    if (stale.length) this.waiting = this.waiting.filter((w) => now - w.since < ms);
    return stale.map((w) => w.t);
  }

  takeAll(): LocalTry[] {
    const all = this.waiting.map((w) => w.t);
    this.waiting = [];
    return all;
  }
}
