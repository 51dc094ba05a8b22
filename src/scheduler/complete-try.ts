import type { TaskSpec } from '../core/spec.ts';
import { outcomeOfTry, type TryOutcome, type TryResult } from '../core/try-outcome.ts';
import { withTransaction } from '../store/db.ts';
import { endTry, type TryKey } from '../store/task-instances.ts';
import { writeXcom } from '../store/xcom.ts';
import { afterTaskStateChange } from './run-lifecycle.ts';
import type { QueuedTry } from '../queue/jobs.ts';
import { dispatch, type Services } from './services.ts';

export interface CompletedTry {
  key: TryKey;
  maxTries: number;
  task: TaskSpec;
  result: TryResult;
  /** The task's return value as JSON, stored with a successful try. */
  xcomJson?: string;
}

/**
 * Records how a try ended and, in the same transaction, decides what that makes ready (the fast
 * path): the next task starts without waiting for a scheduler loop. `outcome` is null when the try
 * was no longer running (cleared, marked, or already failed as lost), so its outcome is dropped.
 *
 * `keepOne` may pick one of the tries just queued for the caller to claim and run itself (a worker
 * continuing a chain); it is not sent to Redis. If the caller dies before claiming it, the
 * scheduler re-sends it like any lost message.
 */
export async function completeTry(
  services: Services,
  done: CompletedTry,
  keepOne?: (queued: QueuedTry[]) => QueuedTry | undefined,
): Promise<{ outcome: TryOutcome | null; kept?: QueuedTry }> {
  const outcome = outcomeOfTry(done.task, done.key.tryNumber, done.maxTries, done.result, new Date());
  const recorded = await withTransaction(services.db, async (tx) => {
    if (!(await endTry(tx, done.key, outcome))) return null;
    if (outcome.state === 'success' && done.xcomJson !== undefined) {
      await writeXcom(tx, done.key.dagId, done.key.runId, done.key.taskId, done.xcomJson);
    }
    const decided = outcome.state === 'up_for_retry' ? [] : done.task.downstream;
    return afterTaskStateChange(tx, done.key.dagId, done.key.runId, decided);
  });
  if (recorded === null) return { outcome: null };
  const kept = keepOne?.(recorded);
  await dispatch(services, kept ? recorded.filter((q) => q !== kept) : recorded);
  return { outcome, kept };
}
