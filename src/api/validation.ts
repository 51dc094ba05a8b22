/**
 * Input validation at the edge: every body, query string and path parameter goes through a zod
 * schema (declared in schemas/), and every failure becomes a 400 whose message says what is
 * wrong, where, and how to fix it.
 */
import { z } from 'zod';
import { describeJsonProblem, findJsonProblem, formatJsonPath, type JsonNames } from '../core/json-limits.ts';
import { showValue } from '../core/show-value.ts';
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
