/**
 * Input validation at the edge: every body, query string and path parameter goes through a zod
 * schema, and every failure becomes a 400 whose message says what is wrong, where, and how to fix it.
 */
import { z } from 'zod';
import { parseDate } from '../core/dates.ts';
import { confSizeProblem, describeJsonProblem, findJsonProblem, formatJsonPath, type JsonNames } from '../core/json-limits.ts';
import { showValue } from '../core/show-value.ts';
import { DAG_RUN_STATES } from '../core/states.ts';
import { badRequest } from '../errors.ts';

export type InputPlace = 'body' | 'query' | 'path';

const PLACE_NAMES: Record<InputPlace, { container: string; field: string }> = {
  body: { container: 'the request body', field: 'field' },
  query: { container: 'the query string', field: 'query parameter' },
  path: { container: 'the path', field: 'path parameter' },
};

const JSON_NAMES: Record<Exclude<InputPlace, 'path'>, JsonNames> = {
  body: { whole: 'the request body', at: (path) => (path.length ? `field "${formatJsonPath(path)}"` : 'the request body') },
  query: { whole: 'the query string', at: (path) => `query parameter "${formatJsonPath(path)}"` },
};

/**
 * Parses `input` with `schema`, or throws a 400 naming every problem found. A body or query string
 * nested too deeply, or holding text PostgreSQL cannot store, is refused first: schemas and
 * everything after them may then recurse into the input and store its text safely.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, place: InputPlace): z.output<S> {
  if (place !== 'path') {
    const problem = findJsonProblem(input);
    if (problem) throw badRequest(describeJsonProblem(problem, JSON_NAMES[place]));
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw badRequest(describeIssues(result.error.issues, place, schema, input));
}

function describeIssues(issues: z.core.$ZodIssue[], place: InputPlace, schema: z.ZodType, input: unknown): string {
  const names = PLACE_NAMES[place];
  const messages = issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema);
      const keys = issue.keys.map((k) => `"${k}"`).join(', ');
      const plural = issue.keys.length > 1 ? 's' : '';
      return (
        `${names.container} has unknown ${names.field}${plural} ${keys}` +
        (allowed.length ? `; allowed: ${allowed.join(', ')}` : `; this endpoint takes no ${names.field}s`)
      );
    }
    if (issue.path.length === 0) {
      if (place === 'body') {
        return `the request body must be a JSON object (got ${showValue(input)}); send one with Content-Type: application/json`;
      }
      return `${names.container}: ${issue.message}`;
    }
    // Written as the depth and text checks write paths (`conf.rows[0].name`).
    const where = `${names.field} "${formatJsonPath(issue.path.map((key) => (typeof key === 'number' ? key : String(key))))}"`;
    if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) {
      return `${where} is required`;
    }
    // Our own messages read on from the name ("must be ..."); zod's defaults stand after a colon.
    return /^(must|is|has) /.test(issue.message) ? `${where} ${issue.message}` : `${where}: ${issue.message}`;
  });
  return messages.join('; ');
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function allowedKeys(schema: z.ZodType): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

const DATE_HELP = "use ISO 8601 with a UTC offset, e.g. '2026-01-01T06:00:00Z' or '2026-01-01T08:00:00+02:00', or a date like '2026-01-01' (midnight UTC)";
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO 8601 instant: a date-time with 'Z' or an offset (a naive time would be ambiguous), or a date. */
export const isoDate = z.string({ error: (issue) => `must be an ISO 8601 date string, got ${showValue(issue.input)}; ${DATE_HELP}` }).transform((value, ctx) => {
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
  });

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
    .transform(Number);
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

/** Query parameters every list endpoint takes. */
export const listQuery = z.strictObject(pagination);

/** Nothing at all: for endpoints that take no query parameters. */
export const noQuery = z.strictObject({});
