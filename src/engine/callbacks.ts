/**
 * The scheduler's callback step (README, "Callbacks"): hands pending callbacks to the workers.
 * The triggers that record callbacks cannot talk to Redis, and a caller sending the message after
 * its commit could die first; so the scheduler, once per loop, sends a message for each pending
 * callback that is due and has none on its way, and gives back to pending (or fails, with no try
 * left) the callbacks whose worker stopped holding its lease: a killed worker's callback runs
 * again, and none stays pending or running forever. Idempotent, and safe with several schedulers
 * (each statement is guarded; see src/store/callbacks.ts).
 */
import type { Logger } from '../log.ts';
import type { CallbackQueue } from '../queue/callback-queue.ts';
import type { Db } from '../store/db.ts';
import { releaseExpiredCallbackLeases, takeCallbacksToSend } from '../store/callbacks.ts';

/**
 * A message not taken by a worker within this is sent again: long enough for a worker whose
 * callback slots are all busy to get to it, short enough that a message lost in Redis (a flush, a
 * restart, a send that failed after the rows were marked) delays its callback by seconds only.
 */
export const CALLBACK_RESEND_AFTER_MS = 15_000;

export async function dispatchCallbacks(db: Db, queue: CallbackQueue, log: Logger): Promise<void> {
  const released = await releaseExpiredCallbackLeases(db);
  if (released) log.warn({ callbacks: released }, 'callbacks whose worker stopped answering were given back (or failed, with no try left)');
  const ids = await takeCallbacksToSend(db, CALLBACK_RESEND_AFTER_MS);
  if (ids.length === 0) return;
  try {
    await queue.send(ids);
  } catch (err) {
    // Marked as sent, but not: they are sent again once CALLBACK_RESEND_AFTER_MS has passed.
    log.warn({ err, callbacks: ids.length }, `could not send callback messages to Redis; they will be sent again within ${CALLBACK_RESEND_AFTER_MS / 1000}s`);
  }
}
