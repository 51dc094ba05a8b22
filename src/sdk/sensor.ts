/**
 * Sensors (README, "Sensors"): `d.sensor(id, options, check)` is a task whose function is a
 * check. A falsy answer (`false`, `null`, `undefined`, `0`, `''`) means "not yet"; anything else
 * means done, and is the task's XCom. Between checks a sensor in mode `reschedule` (the default)
 * holds nothing: its "not yet" is a RescheduleTask, which ends the run of its code in the state
 * up_for_reschedule with its worker and pool slots free, and the same try runs the check again
 * `pokeInterval` later. In mode `poke` the check repeats inside one running try (for checks so
 * frequent that rescheduling would cost more than waiting). Either way, once `timeout` has passed
 * since the try's first check, the sensor fails without retries (FailTask), or is skipped with
 * `softFail` (SkipTask). An exception from the check is an ordinary failure, retried while tries
 * remain; each retry is a new try, whose timeout counts from its own first check.
 */
import type { SensorSpec } from '../core/spec.ts';
import { formatDuration, parseDuration } from '../core/durations.ts';
import { showValue } from '../core/show-value.ts';
import type { TaskContext, TaskFn } from './context.ts';
import { FailTask, RescheduleTask, SkipTask } from './errors.ts';
import { checkBoolean } from './validate.ts';

export const SENSOR_MODES = ['reschedule', 'poke'] as const;
export type SensorMode = (typeof SENSOR_MODES)[number];

/** A sensor's own options, beside the options of any task. */
export interface SensorOptions {
  /** Between two checks (default '60s', Airflow's). */
  pokeInterval?: string | number;
  /** Since the try's first check; then the sensor fails, or is skipped with softFail (default '7d', Airflow's). */
  timeout?: string | number;
  /** 'reschedule' (default): nothing is held between checks; 'poke': the check repeats inside one running try. */
  mode?: SensorMode;
  /** On timeout the sensor is skipped instead of failed. */
  softFail?: boolean;
  /** Each wait is twice the one before (pokeInterval, 2×, 4×, …), at most MAX_BACKOFF_MS. */
  exponentialBackoff?: boolean;
}

export const SENSOR_OPTION_KEYS = ['pokeInterval', 'timeout', 'mode', 'softFail', 'exponentialBackoff'] as const;

export const DEFAULT_POKE_INTERVAL_MS = 60_000;
export const DEFAULT_SENSOR_TIMEOUT_MS = 7 * 24 * 3600_000;
/** The longest wait exponentialBackoff grows to: a sensor still looks at least hourly. */
export const MAX_BACKOFF_MS = 3600_000;

/** Reads a sensor's own options (the rest are the task's); throws a message naming the option. */
export function resolveSensor(taskId: string, options: unknown): SensorSpec {
  const given = (options ?? {}) as SensorOptions;
  const where = (key: string) => `option "${key}" of sensor "${taskId}"`;
  const duration = (key: 'pokeInterval' | 'timeout', fallback: number): number => {
    const value = given[key];
    if (value === undefined) return fallback;
    const ms = parseDuration(value, where(key));
    if (ms <= 0) throw new Error(`${where(key)} must be longer than 0, e.g. '30s'; got ${showValue(value)}`);
    return ms;
  };
  const mode = given.mode ?? 'reschedule';
  if (!(SENSOR_MODES as readonly unknown[]).includes(mode)) {
    throw new Error(`${where('mode')} must be 'reschedule' (nothing is held between checks) or 'poke' (the check repeats inside one try); got ${showValue(mode)}`);
  }
  return {
    mode,
    pokeIntervalMs: duration('pokeInterval', DEFAULT_POKE_INTERVAL_MS),
    timeoutMs: duration('timeout', DEFAULT_SENSOR_TIMEOUT_MS),
    softFail: given.softFail === undefined ? false : checkBoolean(given.softFail, where('softFail')),
    exponentialBackoff: given.exponentialBackoff === undefined ? false : checkBoolean(given.exponentialBackoff, where('exponentialBackoff')),
  };
}

/** The options without the sensor's own, for the checks every task's options pass. */
export function withoutSensorOptions(options: unknown): unknown {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return options;
  const rest: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  for (const key of SENSOR_OPTION_KEYS) delete rest[key];
  return rest;
}

/** The wait after the `n`th "not yet" of a try (0 for the first). */
export function pokeWaitMs(sensor: SensorSpec, n: number): number {
  if (!sensor.exponentialBackoff) return sensor.pokeIntervalMs;
  return Math.min(sensor.pokeIntervalMs * 2 ** Math.min(n, 40), Math.max(MAX_BACKOFF_MS, sensor.pokeIntervalMs));
}

/** The task function of a sensor: `check` wrapped in its mode, interval and timeout. */
export function sensorFunction(taskId: string, sensor: SensorSpec, check: TaskFn): TaskFn {
  return async (ctx) => {
    for (let n = ctx.rescheduleCount; ; n++) {
      const value = await check(ctx);
      if (value) return value;
      const waited = Date.now() - ctx.tryStartDate.getTime();
      if (waited >= sensor.timeoutMs) timedOut(taskId, sensor, waited);
      const wait = Math.min(pokeWaitMs(sensor, n), sensor.timeoutMs - waited);
      if (sensor.mode === 'reschedule') {
        throw new RescheduleTask(wait, `not yet (check ${n + 1}); checking again in ${formatDuration(wait)}, at ${new Date(Date.now() + wait).toISOString()}`);
      }
      ctx.log.info({ check: n + 1, waitMs: wait }, `not yet; checking again in ${formatDuration(wait)}`);
      await sleep(wait, ctx);
    }
  };
}

function timedOut(taskId: string, sensor: SensorSpec, waitedMs: number): never {
  const message =
    `sensor "${taskId}" timed out: its check did not pass in ${formatDuration(waitedMs)} (timeout ${formatDuration(sensor.timeoutMs)}); ` +
    `raise its timeout, or look at what it waits for`;
  if (sensor.softFail) throw new SkipTask(message);
  throw new FailTask(message);
}

/** Waits `ms`, or until the try is stopped (its signal's reason is then thrown). */
function sleep(ms: number, ctx: TaskContext): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) return reject(ctx.signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(ctx.signal.reason as Error);
    };
    const timer = setTimeout(() => {
      ctx.signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}
