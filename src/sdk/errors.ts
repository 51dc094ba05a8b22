// Registered symbols, not instanceof: a worker may see a SkipTask built by another copy of this
// module (a DAG file resolving 'sluice' on its own), and instanceof would miss it.
const SKIP = Symbol.for('sluice.skip');
const FAIL = Symbol.for('sluice.fail');
const RESCHEDULE = Symbol.for('sluice.reschedule');
const NOT_FOUND = Symbol.for('sluice.not_found');

/** Thrown by task code: the task ends as `skipped` (and, by trigger rules, so may its downstream). */
export class SkipTask extends Error {
  readonly reason: string;

  constructor(reason = '') {
    super(reason || 'the task skipped itself');
    this.name = 'SkipTask';
    this.reason = reason;
    Object.defineProperty(this, SKIP, { value: true });
  }
}

/** Thrown by task code: the task fails now, with no further retries. */
export class FailTask extends Error {
  readonly reason: string;

  constructor(reason = '') {
    super(reason || 'the task failed itself');
    this.name = 'FailTask';
    this.reason = reason;
    Object.defineProperty(this, FAIL, { value: true });
  }
}

/**
 * Thrown by task code: "not yet, look again in `delayMs`". The try pauses: the task instance goes to
 * `up_for_reschedule`, its worker slot and pool slot are freed, and the same try (its try number
 * unchanged) runs the function again once the delay has passed. What sensors in reschedule mode
 * and `triggerDag`'s wait are made of (README, "Sensors").
 */
export class RescheduleTask extends Error {
  readonly delayMs: number;

  constructor(delayMs: number, reason = '') {
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new RangeError(`RescheduleTask: the delay must be a finite number of milliseconds ≥ 0, not ${String(delayMs)}`);
    }
    super(reason || `not yet: checking again in ${Math.round(delayMs)} ms`);
    this.name = 'RescheduleTask';
    this.delayMs = delayMs;
    Object.defineProperty(this, RESCHEDULE, { value: true });
  }
}

export function isRescheduleTask(error: unknown): error is RescheduleTask {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[RESCHEDULE] === true;
}

export function isSkipTask(error: unknown): error is SkipTask {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[SKIP] === true;
}

export function isFailTask(error: unknown): error is FailTask {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[FAIL] === true;
}

/** A DAG file describes an impossible DAG; the message says which DAG, what is wrong and how to fix it. */
export class DagDefinitionError extends Error {
  readonly dagId: string;

  constructor(dagId: string, problem: string, options?: ErrorOptions) {
    super(`DAG "${dagId}": ${problem}`, options);
    this.name = 'DagDefinitionError';
    this.dagId = dagId;
  }
}

/**
 * Thrown by ctx.connection() / ctx.variable() (without a fallback) for a name that is neither in
 * the environment nor in the metadata database; the message names it and how to add it. Code
 * that treats the connection as optional catches it (isNotFound).
 */
export class NotFoundError extends Error {
  constructor(
    readonly kind: 'connection' | 'variable',
    readonly id: string,
    message: string,
  ) {
    super(message);
    this.name = 'NotFoundError';
    Object.defineProperty(this, NOT_FOUND, { value: true });
  }
}

export function isNotFound(error: unknown, kind?: NotFoundError['kind']): error is NotFoundError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[NOT_FOUND] === true && (kind === undefined || (error as NotFoundError).kind === kind);
}
