/**
 * Checks for single option values. Each throws an Error whose message starts with `where` (which
 * option, of which task) and says what is expected; the caller adds the DAG.
 */
import { closestMatch } from '../core/suggest.ts';
import { showValue } from '../core/show-value.ts';

export function checkKeys(value: unknown, where: string, validKeys: readonly string[], kind: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw new Error(`${where} must be an object of ${kind} options; got ${showValue(value)}`);
  for (const key of Object.keys(value)) {
    if (validKeys.includes(key)) continue;
    const suggestion = closestMatch(key, validKeys);
    const hint = suggestion ? `; did you mean "${suggestion}"?` : '.';
    throw new Error(`${where}: unknown option "${key}"${hint} Valid ${kind} options: ${validKeys.join(', ')}`);
  }
  return value;
}

export function checkInteger(value: unknown, where: string, min?: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || (min !== undefined && value < min)) {
    const expected = min === undefined ? 'an integer' : `an integer >= ${min}`;
    throw new Error(`${where} must be ${expected}; got ${showValue(value)}`);
  }
  return value;
}

export function checkBoolean(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new Error(`${where} must be true or false; got ${showValue(value)}`);
  return value;
}

export function checkName(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${where} must be a non-empty string; got ${showValue(value)}`);
  return value;
}

export function checkString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Error(`${where} must be a string; got ${showValue(value)}`);
  return value;
}

export function checkStringArray(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw new Error(`${where} must be an array of strings, like ['etl']; got ${showValue(value)}`);
  value.forEach((item: unknown, i) => {
    if (typeof item !== 'string' || item === '') throw new Error(`${where}[${i}] must be a non-empty string; got ${showValue(item)}`);
  });
  return [...(value as string[])];
}

/** Params are stored as JSON and merged with a run's conf, so they must be plain JSON values. */
export function checkJsonObject(value: unknown, where: string, name: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new Error(`${where} must be an object like { limit: 100 }; got ${showValue(value)}`);
  const problem = jsonProblem(value, name);
  if (problem) throw new Error(`${where}: ${problem}, which JSON cannot hold; use strings, finite numbers, booleans, null, arrays and plain objects`);
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** A copy of one JSON value (a param's default, an enum's choices); `path` names it in the message. */
export function checkJsonValue(value: unknown, where: string, path: string): unknown {
  const problem = jsonProblem(value, path);
  if (problem) throw new Error(`${where}: ${problem}, which JSON cannot hold; use strings, finite numbers, booleans, null, arrays and plain objects`);
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/** What in `value` is not JSON ("params.when is a Date"), or null. */
function jsonProblem(value: unknown, path: string): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number' && Number.isFinite(value)) return null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const problem = jsonProblem(item, `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const problem = jsonProblem(item, `${path}.${key}`);
      if (problem) return problem;
    }
    return null;
  }
  return `${path} is ${showValue(value)}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const ID = /^[A-Za-z0-9_.-]+$/;

/** Ids end up in run ids, URLs and queue names. */
export function checkId(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} must be a string; got ${showValue(value)}`);
  if (value === '') throw new Error(`${what} is empty; use letters, digits, '_', '-' and '.'`);
  if (value.length > 250) throw new Error(`${what} "${value.slice(0, 40)}…" is ${value.length} characters long; keep it to 250`);
  if (!ID.test(value)) {
    const fixed = value.replace(/[^A-Za-z0-9_.-]+/g, '_');
    throw new Error(`${what} "${value}" may only contain letters, digits, '_', '-' and '.'; rename it, e.g. "${fixed}"`);
  }
  // "." and ".." would name the folder itself or its parent in every URL (browsers and HTTP clients resolve them).
  if (/^\.+$/.test(value) && value.length <= 2) {
    throw new Error(`${what} "${value}" cannot be used: URLs would read it as a folder; use letters or digits too, e.g. "${value}_"`);
  }
  return value;
}

/**
 * The options object of a factory `fn` a DAG file calls (e.g. 'slack()', 'sqlSensor()'), checked
 * for unknown keys: what notifiers and ready sensors check first.
 */
export function checkOptionsObject(options: unknown, fn: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${fn} takes an options object, e.g. ${fn.slice(0, -2)}({ ${keys[0]}: … }); got ${showValue(options)}`);
  }
  return checkKeys(options, fn, keys, fn.slice(0, -2));
}
