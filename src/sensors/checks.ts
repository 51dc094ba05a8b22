/**
 * Checks of sensor options, run when a DAG file calls a sensor's factory (while the DAG is
 * parsed), so that a typo is an import error with the file's line, not a sensor that fails at
 * its first check an hour later.
 */
import { showValue } from '../core/show-value.ts';
import type { TaskContext } from '../sdk/context.ts';

/**
 * A ready sensor: what `d.sensor(id, options, check)` takes as its check. A falsy result means
 * "not yet"; anything else means done, and becomes the task's XCom.
 */
export type SensorCheck<T = unknown> = (ctx: TaskContext) => Promise<T | null>;

/** A required non-empty string option; `example` shows how it is usually written. */
export function requireText(value: unknown, where: string, example: string): string {
  if (value === undefined || value === '') {
    throw new Error(`${where} is ${value === '' ? 'empty' : 'missing'}: pass it, e.g. ${example}`);
  }
  if (typeof value !== 'string') throw new Error(`${where} must be a string; got ${showValue(value)}, e.g. ${example}`);
  return value;
}

/** An optional function option, e.g. `logicalDate: (ctx) => …`. */
export function optionalFunction<F>(value: unknown, where: string, example: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new Error(`${where} must be a function, e.g. ${example}; got ${showValue(value)}`);
  return value as F;
}

/** A list of states from `known`, for allowedStates / failedStates options. */
export function checkStates<S extends string>(value: unknown, where: string, known: readonly S[], fallback: readonly S[]): S[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value)) throw new Error(`${where} must be an array of states, e.g. ['${fallback[0] ?? known[0]}']; got ${showValue(value)}`);
  for (const state of value as unknown[]) {
    if (typeof state !== 'string' || !(known as readonly string[]).includes(state)) {
      throw new Error(`${where}: ${showValue(state)} is not a state here; use some of ${known.join(', ')}`);
    }
  }
  return [...new Set(value as S[])];
}

/** The Date a `(ctx) => Date` option gave, or an error naming the option. */
export function checkDateResult(value: unknown, where: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new Error(`${where} must return a valid Date; it returned ${showValue(value)}`);
  }
  return value;
}
