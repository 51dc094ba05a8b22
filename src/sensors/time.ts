/** `timeSensor({ at: (ctx) => Date })`: waits until a moment, e.g. two hours after the data interval ends. */
import { checkOptionsObject } from '../sdk/validate.ts';
import type { TaskContext } from '../sdk/context.ts';
import { checkDateResult, optionalFunction, type SensorCheck } from './checks.ts';

export interface TimeSensorOptions {
  /** The moment to wait for, from the run: `(ctx) => new Date(ctx.dataIntervalEnd.getTime() + 2 * 3_600_000)`. */
  at: (ctx: TaskContext) => Date;
}

export interface TimeResult {
  /** The moment waited for, ISO 8601. */
  at: string;
}

const FN = 'timeSensor()';

/** Done when the clock has reached `at(ctx)`. */
export function timeSensor(options: TimeSensorOptions): SensorCheck<TimeResult> {
  const given = checkOptionsObject(options, FN, ['at']);
  const example = 'timeSensor({ at: (ctx) => new Date(ctx.dataIntervalEnd.getTime() + 7_200_000) })';
  const at = optionalFunction<(ctx: TaskContext) => Date>(given.at, `${FN}: at`, example);
  if (!at) throw new Error(`${FN}: at is missing: pass a function of the run giving the moment to wait for, e.g. ${example}`);

  return async (ctx) => {
    const moment = checkDateResult(await at(ctx), `${FN}: at`);
    const left = moment.getTime() - Date.now();
    if (left <= 0) return { at: moment.toISOString() };
    ctx.log.info(`not yet: waiting until ${moment.toISOString()}`);
    return null;
  };
}
