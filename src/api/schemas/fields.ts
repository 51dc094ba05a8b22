/**
 * The fields the API's schemas are made of: what a request may carry (with the messages a 400
 * gives when it does not) and how an answer writes times and JSON values.
 *
 * Every module under schemas/ is pure: zod and src/core only. The web UI imports their types
 * (`import type`), so tsc checks them under the UI's settings, which have no Node types; and the
 * OpenAPI document is generated from them, so `.meta()` carries what it says about a field.
 */
import { z } from 'zod';
import { parseDate } from '../../core/dates.ts';
import { confSizeProblem, MAX_CONF_BYTES } from '../../core/json-limits.ts';
import { showValue } from '../../core/show-value.ts';
import { DAG_RUN_STATES } from '../../core/states.ts';

// ---- Request fields ----

const DATE_HELP = "use ISO 8601 with a UTC offset, e.g. '2026-01-01T06:00:00Z' or '2026-01-01T08:00:00+02:00', or a date like '2026-01-01' (midnight UTC)";
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO 8601 instant: a date-time with 'Z' or an offset (a naive time would be ambiguous), or a date. */
export const isoDate = z
  .string({ error: (issue) => `must be an ISO 8601 date string, got ${showValue(issue.input)}; ${DATE_HELP}` })
  .transform((value, ctx) => {
    const text = value.trim();
    if (!DATE_ONLY.test(text) && !DATE_TIME_WITH_ZONE.test(text)) {
      const naive = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text);
      ctx.addIssue({
        code: 'custom',
        message: naive
          ? `has no UTC offset (${showValue(value)}), so the instant is ambiguous; add 'Z' for UTC or an offset like '+02:00'`
          : `must be an ISO 8601 date, got ${showValue(value)}; ${DATE_HELP}`,
      });
      return z.NEVER;
    }
    try {
      return parseDate(text, 'date', 'UTC');
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be a real date and time, got ${showValue(value)}; ${DATE_HELP}` });
      return z.NEVER;
    }
  })
  .meta({
    description: 'ISO 8601: a date-time with Z or a UTC offset (2026-01-01T06:00:00Z, 2026-01-01T08:00:00+02:00), or a date (midnight UTC)',
    examples: ['2026-01-01T06:00:00Z', '2026-01-01'],
  });

/**
 * A run's conf (a run's own, or a backfill's for all its runs): a JSON object (not an array, not
 * null) of at most MAX_CONF_BYTES. Its depth and text were checked by parseInput before this runs.
 */
export const jsonObject = z
  .custom<Record<string, unknown>>((value) => value !== null && typeof value === 'object' && !Array.isArray(value), {
    error: (issue) => `must be a JSON object like {"key": "value"}, got ${showValue(issue.input)}`,
  })
  .superRefine((value, ctx) => {
    const problem = confSizeProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  // zod cannot describe a custom check; the document says what it accepts.
  .meta({ override: { type: 'object' }, description: `a JSON object of at most ${MAX_CONF_BYTES / 1024} KiB as JSON text` });

export const bool = () =>
  z.boolean({ error: (issue) => `must be true or false (a JSON boolean), got ${showValue(issue.input)}` });

/** An integer written in a query string or path: digits only, within [min, max]. */
export function intString(min: number, max = Number.MAX_SAFE_INTEGER, what?: string) {
  const range =
    (max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`) + (what ? ` (${what})` : '');
  return z
    .string({ error: (issue) => `must be given once, as ${range}; got ${showValue(issue.input)}` })
    .refine((s) => /^\d+$/.test(s) && Number(s) >= min && Number(s) <= max, {
      error: (issue) => `must be ${range}, got ${showValue(issue.input)}`,
    })
    .transform(Number)
    .meta({ override: { pattern: '^[0-9]+$' }, description: range });
}

/** A boolean written in a query string: 'true' or 'false'. */
export function boolString() {
  return z
    .enum(['true', 'false'], { error: (issue) => `must be "true" or "false", got ${showValue(issue.input)}` })
    .transform((s) => s === 'true');
}

export const pagination = {
  limit: intString(1, 1000).optional(),
  offset: intString(0).optional(),
};

export const runStateString = z.enum(DAG_RUN_STATES, {
  error: (issue) => `must be one of ${DAG_RUN_STATES.join(', ')}; got ${showValue(issue.input)}`,
});

export const nonEmptyString = () =>
  z
    .string({ error: (issue) => `must be a string, got ${showValue(issue.input)}` })
    .min(1, { error: 'must not be empty' });

export const positiveInt = () =>
  z
    .number({ error: (issue) => `must be a positive integer, got ${showValue(issue.input)}` })
    .int({ error: (issue) => `must be a positive integer, got ${showValue(issue.input)}` })
    .min(1, { error: (issue) => `must be a positive integer, got ${showValue(issue.input)}` });

/** The longest DAG, run or task id a request may name (ids are echoed back in messages). */
const MAX_ID_LENGTH = 250;
const idTooLong = { error: `must be at most ${MAX_ID_LENGTH} characters long` };

/** A DAG, run or task id in a request body. */
export const bodyId = () => nonEmptyString().max(MAX_ID_LENGTH, idTooLong);

/** A DAG, run or task id from the path: Express has decoded it already. */
export const pathId = () =>
  z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(MAX_ID_LENGTH, idTooLong)
    // eslint-disable-next-line no-control-regex
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { error: 'must not contain control characters' });

/** The path parameters naming a DAG, one of its runs, and a task of that run. */
export const dagPath = z.strictObject({ dagId: pathId() });
export const runPath = dagPath.extend({ runId: pathId() });
export const taskInstancePath = runPath.extend({ taskId: pathId() });

/** A mapped task instance's index in a path: 0, 1, …; -1 names a task that is not mapped, as the path without it does. */
export const mapIndexString = z
  .string()
  .refine((s) => /^(-1|\d+)$/.test(s) && Number(s) <= Number.MAX_SAFE_INTEGER, {
    error: (issue) => `must be a map index: -1 (a task that is not mapped), 0 or more; got ${showValue(issue.input)}`,
  })
  .transform(Number)
  .meta({ override: { pattern: '^(-1|[0-9]+)$' }, description: "a mapped task instance's index (-1: the task is not mapped)" });

/** One task instance of a mapped task: its task and its map index. */
export const mappedTaskInstancePath = taskInstancePath.extend({ mapIndex: mapIndexString });

/** Query parameters every list endpoint takes. */
export const listQuery = z.strictObject(pagination);
export type ListQuery = z.output<typeof listQuery>;

/** Nothing at all: for endpoints that take no query parameters, or no body. */
export const nothing = z.strictObject({});

// ---- Answer fields ----

/** A time in an answer: ISO 8601 in UTC (`2026-01-01T00:00:00.000Z`). */
export const isoTime = z.iso.datetime();
export const isoTimeOrNull = isoTime.nullable();

/** A JSON object whose keys are the user's own (a conf, params). */
export const jsonRecord = z.record(z.string(), z.unknown());

/** A count of what a list has in all, whatever page of it the answer holds. */
export const totalEntries = z.number().int().min(0);

export const count = () => z.number().int().min(0);
