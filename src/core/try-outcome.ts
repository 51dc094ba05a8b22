import { retryDelayFor } from './retry.ts';
import type { TaskSpec } from './spec.ts';

/** How one try ended, as the task code (or whoever watched it) saw it. */
export type TryResult =
  | { kind: 'success' }
  | { kind: 'skipped'; reason: string }
  /** `retryable: false` for FailTask: no further tries whatever the retries left. */
  | { kind: 'failed'; error: string; retryable: boolean }
  /** "Not yet" (RescheduleTask, a sensor's check): the same try runs again after `delayMs`. */
  | { kind: 'reschedule'; delayMs: number };

export interface TryOutcome {
  state: 'success' | 'skipped' | 'failed' | 'up_for_retry' | 'up_for_reschedule';
  error: string | null;
  nextTryAt: Date | null;
}

/** The state a task instance takes after a try: the one place that decides on retries. */
export function outcomeOfTry(
  task: Pick<TaskSpec, 'retryDelayMs' | 'retryExponentialBackoff' | 'maxRetryDelayMs'>,
  tryNumber: number,
  maxTries: number,
  result: TryResult,
  now: Date,
): TryOutcome {
  switch (result.kind) {
    case 'success':
      return { state: 'success', error: null, nextTryAt: null };
    case 'skipped':
      return { state: 'skipped', error: result.reason || null, nextTryAt: null };
    case 'failed': {
      if (result.retryable && tryNumber < maxTries) {
        const delay = retryDelayFor(task, tryNumber);
        return { state: 'up_for_retry', error: result.error, nextTryAt: new Date(now.getTime() + delay) };
      }
      return { state: 'failed', error: result.error, nextTryAt: null };
    }
    case 'reschedule':
      return { state: 'up_for_reschedule', error: null, nextTryAt: new Date(now.getTime() + result.delayMs) };
  }
}
