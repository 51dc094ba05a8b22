import { parseArgs, type ParseArgsConfig } from 'node:util';
import { confSizeProblem, describeJsonProblem, findJsonProblem, formatJsonPath } from '../core/json-limits.ts';

/** Bad usage or bad input: the CLI prints the message on one line and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict flag parsing: an unknown flag or a missing value is a usage error naming it. */
export function parse<O extends Options>(args: string[], options: O, positionals: string[], command: string) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed.positionals.length < positionals.length) {
    throw new UsageError(`${command}: missing <${positionals[parsed.positionals.length]}>; usage: sluice ${command} ${positionals.map((p) => `<${p}>`).join(' ')}`);
  }
  if (parsed.positionals.length > positionals.length) {
    throw new UsageError(`${command}: unexpected argument "${parsed.positionals[positionals.length]}"`);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  return { values, positionals: parsed.positionals, json: values.json === true };
}

export function intFlag(value: string | undefined, flag: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number of at least ${min}, got "${value}"`);
  return n;
}

export function dateFlag(value: string, flag: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    throw new UsageError(`${flag} must be an ISO 8601 date like 2026-01-01 or 2026-01-01T00:00:00Z, got "${value}"`);
  }
  // A date or time without a zone is read as UTC, as everywhere in Sluice.
  const withZone = /T|\s/.test(value) && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value}Z` : value;
  const date = new Date(withZone);
  if (Number.isNaN(date.getTime())) throw new UsageError(`${flag}: "${value}" is not a real date`);
  return date;
}

export function jsonObjectFlag(value: string | undefined, flag: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new UsageError(`${flag} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${flag} must be a JSON object like '{"limit": 10}'`);
  }
  // The same limits as the API's: a conf is stored as jsonb and shown wherever its run is.
  const problem = findJsonProblem(parsed);
  if (problem) {
    throw new UsageError(describeJsonProblem(problem, { whole: flag, at: (path) => `${flag} at "${formatJsonPath(path)}"` }));
  }
  const tooBig = confSizeProblem(parsed);
  if (tooBig) throw new UsageError(`${flag} ${tooBig}`);
  return parsed as Record<string, unknown>;
}
