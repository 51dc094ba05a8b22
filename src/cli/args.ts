import { parseArgs, type ParseArgsConfig } from 'node:util';
import { confSizeProblem, describeJsonProblem, findJsonProblem, formatJsonPath } from '../core/json-limits.ts';

/** Bad usage or bad input: the CLI prints the message on one line and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A flag a command takes: a switch, or a flag with a value that `value` names in the usage text. */
export type Flag =
  | { readonly type: 'boolean' }
  | { readonly type: 'string'; readonly value: string; readonly required?: boolean; readonly multiple?: boolean };

export type Flags = Readonly<Record<string, Flag>>;

/** What the command receives for each flag it declared: absent switches are false. */
export type FlagValues<F extends Flags> = {
  -readonly [K in keyof F]: F[K] extends { type: 'boolean' }
    ? boolean
    : F[K] extends { multiple: true }
      ? string[] | undefined
      : F[K] extends { required: true }
        ? string
        : string | undefined;
};

/** One string per declared positional, in order. */
export type Positionals<P extends readonly string[]> = { -readonly [K in keyof P]: string };

export interface Parsed<F extends Flags, P extends readonly string[]> {
  values: FlagValues<F>;
  positionals: Positionals<P>;
  json: boolean;
}

/** Strict flag parsing: an unknown flag or a missing value is a usage error naming it. */
export function parse<const F extends Flags, const P extends readonly string[]>(
  args: string[],
  flags: F,
  positionals: P,
  command: string,
): Parsed<F, P> {
  const options: NonNullable<ParseArgsConfig['options']> = { json: { type: 'boolean' } };
  for (const [name, flag] of Object.entries(flags)) {
    options[name] = flag.type === 'string' ? { type: 'string', multiple: flag.multiple === true } : { type: 'boolean' };
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed.positionals.length < positionals.length) {
    throw new UsageError(`${command}: missing <${positionals[parsed.positionals.length]}>; usage: sluice ${command} ${positionals.map((p) => `<${p}>`).join(' ')}`);
  }
  if (parsed.positionals.length > positionals.length) {
    throw new UsageError(`${command}: unexpected argument "${parsed.positionals[positionals.length]}"`);
  }
  const required = Object.entries(flags).filter(([, flag]) => flag.type === 'string' && flag.required);
  if (required.some(([name]) => parsed.values[name] === undefined)) {
    const names = required.map(([name, flag]) => `--${name} ${flag.type === 'string' ? flag.value : ''}`.trim());
    throw new UsageError(`${command}: ${names.join(' and ')} ${names.length > 1 ? 'are' : 'is'} required`);
  }
  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(flags)) values[name] = flag.type === 'boolean' ? parsed.values[name] === true : parsed.values[name];
  // The checks above made the values what FlagValues says: parseArgs types them by `options`, which is built at run time.
  return { values: values as FlagValues<F>, positionals: parsed.positionals as Positionals<P>, json: parsed.values.json === true };
}

/** A flag as the usage text shows it: `[--try N]`, `--from ISO`, `[--task ID]...`, `[--wait]`. */
export function flagUsage(name: string, flag: Flag): string {
  if (flag.type === 'boolean') return `[--${name}]`;
  const shown = `--${name} ${flag.value}`;
  if (flag.required) return shown;
  return flag.multiple ? `[${shown}]...` : `[${shown}]`;
}

export function intFlag(value: string | undefined, flag: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number of at least ${min}, got "${value}"`);
  return n;
}

/** A comma-separated list of names (`--queues a,b`): `fallback` when the flag is not given, never empty when it is. */
export function listFlag(value: string | undefined, flag: string, fallback: string[]): string[] {
  if (value === undefined) return fallback;
  const names = [...new Set(value.split(',').map((n) => n.trim()).filter(Boolean))];
  if (names.length === 0) throw new UsageError(`${flag} needs at least one name, separated by commas (like ${flag} default,gpu), got "${value}"`);
  return names;
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
