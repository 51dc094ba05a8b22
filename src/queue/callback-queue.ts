/**
 * The callbacks queue (BullMQ): one message per callback try a worker should run, `{id}` of the
 * row in `callbacks`. Postgres is the truth: the row is written (by a trigger, with the event)
 * before any message, a worker claims it there (claimCallback) before running anything, so a
 * message sent twice, late or for a callback already taken is dropped by that guard, and one lost
 * is sent again by the scheduler (takeCallbacksToSend).
 */
import { Queue } from 'bullmq';
import { keysFor } from './keys.ts';
import type { RedisClient } from './redis.ts';

export interface CallbackMessage {
  id: number;
}

export class CallbackQueue {
  private readonly queue: Queue<CallbackMessage>;

  constructor(connection: RedisClient, prefix: string) {
    this.queue = new Queue<CallbackMessage>(keysFor(connection, prefix).callbackQueue, { connection, prefix });
    this.queue.on('error', () => undefined);
  }

  /**
   * One job per id, its job id the callback's and the time, so that a re-send after a lost message
   * is a new job rather than refused as a duplicate of a finished one BullMQ still remembers.
   */
  async send(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    const at = Date.now();
    await this.queue.addBulk(
      ids.map((id) => ({ name: 'callback', data: { id }, opts: { jobId: `cb-${id}-${at}`, removeOnComplete: true, removeOnFail: true } })),
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
