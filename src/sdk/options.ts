/** The options of dag() and d.task() (README, "Writing a DAG"): checked strictly, then given their defaults. */
import { CronSchedule } from '../core/cron-schedule.ts';
import { parseDate } from '../core/dates.ts';
import { parseDuration } from '../core/durations.ts';
import { parseByteSize } from '../core/sizes.ts';
import { closestMatch } from '../core/suggest.ts';
import { showValue } from '../core/show-value.ts';
import { isValidTimeZone } from '../core/timezone.ts';
import { TRIGGER_RULES, isTriggerRule, type TriggerRule } from '../core/trigger-rules.ts';
import type { TaskSettings } from '../core/spec.ts';
import { OUTLET_OPTION_KEYS, assetUris, type Asset } from './asset.ts';
import { callbackList, type Callback, type CallbackValue } from './callbacks.ts';
import { DagDefinitionError } from './errors.ts';
import { MAPPING_OPTION_KEYS } from './mapping.ts';
import { resolveParams, type ResolvedParams } from './param.ts';
import { checkBoolean, checkInteger, checkKeys, checkName, checkString, checkStringArray, isPlainObject } from './validate.ts';

/** A number of milliseconds, or a string with a unit: '250ms', '10s', '5m', '2h', '1d'. */
export type Duration = number | string;

/** Per task; as `defaultArgs` of a DAG, they apply to each of its tasks unless the task sets its own. */
export interface TaskOptions {
  retries?: number;
  retryDelay?: Duration;
  retryExponentialBackoff?: boolean;
  maxRetryDelay?: Duration;
  executionTimeout?: Duration | null;
  /** '512MB', '2GB' (or bytes): a try whose runner process uses more fails; default SLUICE_TASK_MEMORY_LIMIT. */
  memoryLimit?: number | string | null;
  pool?: string;
  poolSlots?: number;
  queue?: string;
  priorityWeight?: number;
  triggerRule?: TriggerRule;
  /** Runs on a worker once the task succeeded (README, "Callbacks"). */
  onSuccess?: CallbackValue | null;
  /** Runs on a worker once the task failed for good (no try left, FailTask, marked failed). */
  onFailure?: CallbackValue | null;
  /** Runs on a worker when a try failed and another follows. */
  onRetry?: CallbackValue | null;
}

export interface DagOptions {
  /**
   * A cron, a preset ('@daily'), null (the default) for a DAG that only runs when triggered, or
   * assets ([orders, customers]): a run once each has had an event since the previous such run.
   */
  schedule?: string | null | readonly Asset[];
  /** A Date, or ISO 8601; without an offset it is read in `timezone`. Needed with a schedule. */
  startDate?: string | Date | null;
  endDate?: string | Date | null;
  timezone?: string;
  catchup?: boolean;
  maxActiveRuns?: number;
  maxActiveTasks?: number;
  isPausedUponCreation?: boolean;
  dagrunTimeout?: Duration | null;
  /** Defaults of a run's conf: plain JSON values, or param({ type, default, … }) with rules a conf must keep. */
  params?: Record<string, unknown>;
  tags?: string[];
  description?: string;
  defaultArgs?: TaskOptions;
  /** Runs on a worker once a run of the DAG succeeded (README, "Callbacks"). */
  onSuccess?: CallbackValue | null;
  /** Runs on a worker once a run of the DAG failed. */
  onFailure?: CallbackValue | null;
}

/**
 * A task's callbacks, each option's value as a list (callbackList). An option the task (or the
 * defaultArgs it takes) left unset is absent; one set to null or [] is an empty list, so that a
 * task can drop a callback its defaultArgs give it. Kept out of TaskSettings: functions cannot go
 * into the stored spec, which records only which events have callbacks (TaskSpec.callbacks).
 */
export interface TaskCallbacks {
  onSuccess?: Callback[];
  onFailure?: Callback[];
  onRetry?: Callback[];
}

/** A DAG's own callbacks (empty lists when unset). */
export interface DagCallbacks {
  onSuccess: Callback[];
  onFailure: Callback[];
}

export type ResolvedTaskOptions = TaskSettings & TaskCallbacks;

export interface ResolvedDagOptions {
  schedule: CronSchedule | null;
  /** The URIs of an asset schedule, in the order written; null for a cron or manual-only DAG. */
  assetSchedule: string[] | null;
  timezone: string;
  startDate: Date | null;
  endDate: Date | null;
  catchup: boolean;
  maxActiveRuns: number;
  maxActiveTasks: number;
  isPausedUponCreation: boolean;
  dagrunTimeoutMs: number | null;
  /** The params' defaults; a required param has none. */
  params: Record<string, unknown>;
  /** Every param's rules in declaration order; null when none is typed (param.ts). */
  paramSchemas: ResolvedParams['schemas'];
  tags: string[];
  description: string;
  /** Only what the DAG set; the task defaults fill the rest. */
  defaultArgs: Partial<ResolvedTaskOptions>;
  callbacks: DagCallbacks;
}

export const TASK_OPTION_KEYS = [
  'retries',
  'retryDelay',
  'retryExponentialBackoff',
  'maxRetryDelay',
  'executionTimeout',
  'memoryLimit',
  'pool',
  'poolSlots',
  'queue',
  'priorityWeight',
  'triggerRule',
  'onSuccess',
  'onFailure',
  'onRetry',
] as const satisfies readonly (keyof TaskOptions)[];

/** The task options whose values are callbacks (TaskCallbacks). */
export const TASK_CALLBACK_KEYS = ['onSuccess', 'onFailure', 'onRetry'] as const satisfies readonly (keyof TaskCallbacks)[];

export const DAG_OPTION_KEYS = [
  'schedule',
  'startDate',
  'endDate',
  'timezone',
  'catchup',
  'maxActiveRuns',
  'maxActiveTasks',
  'isPausedUponCreation',
  'dagrunTimeout',
  'params',
  'tags',
  'description',
  'defaultArgs',
  'onSuccess',
  'onFailure',
] as const satisfies readonly (keyof DagOptions)[];

export const TASK_DEFAULTS: Readonly<ResolvedTaskOptions> = {
  retries: 0,
  retryDelayMs: 30_000,
  retryExponentialBackoff: false,
  maxRetryDelayMs: 3_600_000,
  executionTimeoutMs: null,
  memoryLimitBytes: null,
  pool: 'default_pool',
  poolSlots: 1,
  queue: 'default',
  priorityWeight: 1,
  triggerRule: 'all_success',
};

export function resolveDagOptions(dagId: string, options: unknown): ResolvedDagOptions {
  try {
    const given = checkKeys(options, 'the options of dag()', DAG_OPTION_KEYS, 'DAG');
    const opt = (key: (typeof DAG_OPTION_KEYS)[number]): unknown => given[key];
    const where = (key: string): string => `option "${key}"`;

    const timezone = opt('timezone') === undefined ? 'UTC' : checkName(opt('timezone'), where('timezone'));
    if (!isValidTimeZone(timezone)) {
      throw new Error(`${where('timezone')}: "${timezone}" is not a known IANA time zone; use a name like 'UTC', 'Europe/Berlin' or 'America/New_York'`);
    }
    const assetSchedule = resolveAssetSchedule(opt('schedule'));
    const schedule = assetSchedule ? null : resolveSchedule(opt('schedule'), timezone);
    const startDate = opt('startDate') == null ? null : parseDate(opt('startDate'), where('startDate'), timezone);
    const endDate = opt('endDate') == null ? null : parseDate(opt('endDate'), where('endDate'), timezone);
    if (schedule && !startDate) {
      throw new Error(
        `it has schedule "${schedule.expression}" but no startDate; add one, e.g. startDate: '2026-01-01T00:00:00Z' (the first run covers the first interval from it)`,
      );
    }
    if (startDate && endDate && endDate.getTime() < startDate.getTime()) {
      throw new Error(`option "endDate" (${endDate.toISOString()}) is before startDate (${startDate.toISOString()}); move it later or drop it`);
    }
    const dagrunTimeout = opt('dagrunTimeout');
    // An asset-triggered run, like a scheduled one, takes the params' defaults: no param may be required.
    const scheduleText = schedule?.expression ?? (assetSchedule ? `[${assetSchedule.map((uri) => `asset(${JSON.stringify(uri)})`).join(', ')}]` : null);
    const params = opt('params') === undefined ? { defaults: {}, schemas: null } : resolveParams(opt('params'), scheduleText);
    return {
      schedule,
      assetSchedule,
      timezone,
      startDate,
      endDate,
      catchup: opt('catchup') === undefined ? false : checkBoolean(opt('catchup'), where('catchup')),
      maxActiveRuns: opt('maxActiveRuns') === undefined ? 16 : checkInteger(opt('maxActiveRuns'), where('maxActiveRuns'), 1),
      maxActiveTasks: opt('maxActiveTasks') === undefined ? 16 : checkInteger(opt('maxActiveTasks'), where('maxActiveTasks'), 1),
      isPausedUponCreation:
        opt('isPausedUponCreation') === undefined ? false : checkBoolean(opt('isPausedUponCreation'), where('isPausedUponCreation')),
      dagrunTimeoutMs: dagrunTimeout == null ? null : positiveDuration(dagrunTimeout, where('dagrunTimeout')),
      params: params.defaults,
      paramSchemas: params.schemas,
      tags: opt('tags') === undefined ? [] : checkStringArray(opt('tags'), where('tags')),
      description: opt('description') === undefined ? '' : checkString(opt('description'), where('description')),
      defaultArgs: checkTaskOptions(opt('defaultArgs'), 'defaultArgs', (key) => `option "defaultArgs.${key}"`),
      callbacks: { onSuccess: callbackList(opt('onSuccess'), where('onSuccess')), onFailure: callbackList(opt('onFailure'), where('onFailure')) },
    };
  } catch (error) {
    throw asDefinitionError(dagId, error);
  }
}

/** `d.group(id, options)`: defaultArgs for its tasks (over the DAG's or its parent group's), and a tooltip for the UI. */
export interface GroupOptions {
  defaultArgs?: TaskOptions;
  tooltip?: string;
}

export interface ResolvedGroupOptions {
  /** Only what the group set; its tasks take these over their DAG's (or parent group's). */
  defaultArgs: Partial<ResolvedTaskOptions>;
  tooltip: string;
}

export function resolveGroupOptions(dagId: string, groupId: string, options: unknown): ResolvedGroupOptions {
  try {
    const given = checkKeys(options, `the options of group "${groupId}"`, ['defaultArgs', 'tooltip'], 'group');
    return {
      defaultArgs: checkTaskOptions(given.defaultArgs, `option "defaultArgs" of group "${groupId}"`, (key) => `option "defaultArgs.${key}" of group "${groupId}"`),
      tooltip: given.tooltip === undefined ? '' : checkString(given.tooltip, `option "tooltip" of group "${groupId}"`),
    };
  } catch (error) {
    throw asDefinitionError(dagId, error);
  }
}

/** A task's options over its DAG's defaultArgs over the defaults. */
export function resolveTaskOptions(
  dagId: string,
  taskId: string,
  options: unknown,
  defaultArgs: Partial<ResolvedTaskOptions>,
): ResolvedTaskOptions {
  try {
    // A task's own options may also map it (mapping.ts reads those) and name its outlets
    // (asset.ts); defaultArgs may not.
    const own = checkTaskOptions(options, `the options of task "${taskId}"`, (key) => `option "${key}" of task "${taskId}"`, [
      ...MAPPING_OPTION_KEYS,
      ...OUTLET_OPTION_KEYS,
    ]);
    return { ...TASK_DEFAULTS, ...defaultArgs, ...own };
  } catch (error) {
    throw asDefinitionError(dagId, error);
  }
}

function checkTaskOptions(
  options: unknown,
  what: string,
  where: (key: string) => string,
  otherKeys: readonly string[] = [],
): Partial<ResolvedTaskOptions> {
  if (otherKeys.length === 0 && isPlainObject(options) && options.outlets !== undefined) {
    // As in Airflow, an outlet says what one task writes: given to every task, each success of any
    // of them would look like a fresh version of the asset.
    throw new Error(`${where('outlets')}: outlets belong to the task that updates the asset; set outlets: [...] on that task instead`);
  }
  const given = checkKeys(options, what, [...TASK_OPTION_KEYS, ...otherKeys], 'task');
  const resolved: Partial<ResolvedTaskOptions> = {};
  const set = <K extends keyof ResolvedTaskOptions>(key: (typeof TASK_OPTION_KEYS)[number], target: K, check: (v: unknown, w: string) => ResolvedTaskOptions[K]) => {
    const value = given[key];
    if (value !== undefined) resolved[target] = check(value, where(key));
  };
  set('retries', 'retries', (v, w) => checkInteger(v, w, 0));
  set('retryDelay', 'retryDelayMs', parseDuration);
  set('retryExponentialBackoff', 'retryExponentialBackoff', checkBoolean);
  set('maxRetryDelay', 'maxRetryDelayMs', parseDuration);
  set('executionTimeout', 'executionTimeoutMs', (v, w) => (v === null ? null : positiveDuration(v, w)));
  set('memoryLimit', 'memoryLimitBytes', memoryLimit);
  set('pool', 'pool', checkName);
  set('poolSlots', 'poolSlots', (v, w) => checkInteger(v, w, 1));
  set('queue', 'queue', checkName);
  set('priorityWeight', 'priorityWeight', (v, w) => checkInteger(v, w));
  set('triggerRule', 'triggerRule', checkTriggerRule);
  for (const key of TASK_CALLBACK_KEYS) {
    if (given[key] !== undefined) resolved[key] = callbackList(given[key], where(key));
  }
  return resolved;
}

/**
 * An asset schedule's URIs, or null when `schedule` is not an array. Refuses an empty array (a DAG
 * that waits for no asset would never know when to run) and a cron among the assets: a DAG runs
 * either on a clock or on its assets' events, as in Airflow (whose timetables that combine both
 * are a separate, later feature).
 */
function resolveAssetSchedule(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  if (value.length === 0) {
    throw new Error(`option "schedule" is an empty array; list the assets the DAG waits for, like [asset('warehouse://public/orders')], or use null for a DAG that only runs when triggered`);
  }
  const cron = value.find((item: unknown) => typeof item === 'string');
  if (cron !== undefined) {
    throw new Error(
      `option "schedule" mixes a cron (${showValue(cron)}) with assets; a DAG runs either on a cron (schedule: '@daily') or on assets (schedule: [orders, customers]), not both`,
    );
  }
  return assetUris(value, 'option "schedule"', "[asset('warehouse://public/orders')]");
}

function resolveSchedule(value: unknown, timezone: string): CronSchedule | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw new Error(
      `option "schedule" must be a cron string like '0 3 * * *', a preset like '@daily', an array of assets like [asset('warehouse://public/orders')], ` +
        `or null for a DAG that only runs when triggered; got ${showValue(value)}`,
    );
  }
  try {
    return new CronSchedule(value, timezone);
  } catch (error) {
    throw new Error(`option "schedule": ${(error as Error).message}`, { cause: error });
  }
}

function positiveDuration(value: unknown, where: string): number | null {
  if (value === null) return null;
  const ms = parseDuration(value, where);
  if (ms <= 0) throw new Error(`${where} must be longer than 0; leave it out for no timeout`);
  return ms;
}

/**
 * A runner process uses about 50 MB before its task does anything (Node, Sluice's own code), and
 * the limit counts the whole process: a smaller one could never be met.
 */
export const MIN_MEMORY_LIMIT_BYTES = 64_000_000;

function memoryLimit(value: unknown, where: string): number | null {
  if (value === null) return null;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new Error(`${where} must be a size like '512MB' or '2GB' (or a number of bytes), got ${showValue(value)}`);
  }
  const bytes = typeof value === 'number' ? checkInteger(value, where, 1) : parseByteSize(value, where);
  if (bytes < MIN_MEMORY_LIMIT_BYTES) {
    throw new Error(`${where} must be at least 64MB: it counts the task's whole runner process, which uses about 50 MB before the task starts`);
  }
  return bytes;
}

function checkTriggerRule(value: unknown, where: string): TriggerRule {
  if (isTriggerRule(value)) return value;
  const suggestion = typeof value === 'string' ? closestMatch(value, TRIGGER_RULES) : null;
  const hint = suggestion ? ` Did you mean "${suggestion}"?` : '';
  throw new Error(`${where}: ${showValue(value)} is not a trigger rule.${hint} Use one of ${TRIGGER_RULES.join(', ')}`);
}

function asDefinitionError(dagId: string, error: unknown): Error {
  if (error instanceof DagDefinitionError) return error;
  return new DagDefinitionError(dagId, error instanceof Error ? error.message : String(error), { cause: error });
}
