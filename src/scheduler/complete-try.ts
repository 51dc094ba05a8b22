import type { TaskSpec } from '../core/spec.ts';
import { outcomeOfTry, type TryOutcome, type TryResult } from '../core/try-outcome.ts';
import { withTransaction } from '../store/db.ts';
import { endTry, type TryKey } from '../store/task-instances.ts';
import { writeXcom } from '../store/xcom.ts';
import { afterTaskStateChange } from './run-lifecycle.ts';
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
 * path): the next task starts without waiting for a scheduler loop. Returns null when the try was
 * no longer running (cleared, marked, or already failed as lost), so its outcome is dropped.
 */
export async function completeTry(services: Services, done: CompletedTry): Promise<TryOutcome | null> {
  const outcome = outcomeOfTry(done.task, done.key.tryNumber, done.maxTries, done.result, new Date());
  const recorded = await withTransaction(services.db, async (tx) => {
    if (!(await endTry(tx, done.key, outcome))) return null;
    if (outcome.state === 'success' && done.xcomJson !== undefined) {
      await writeXcom(tx, done.key.dagId, done.key.runId, done.key.taskId, done.xcomJson);
    }
    const decided = outcome.state === 'up_for_retry' ? [] : done.task.downstream;
    return afterTaskStateChange(tx, done.key.dagId, done.key.runId, decided);
  });
  if (recorded === null) return null;
  await dispatch(services, recorded);
  return outcome;
}
