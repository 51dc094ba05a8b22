/**
 * Limits on JSON that users send and Sluice keeps (a run's conf, a backfill's conf). Parsing JSON
 * is iterative and safe at any depth, but what comes after is not: JSON.stringify (pg sends jsonb
 * with it, express answers with it), zod and other walks recurse, and 20,000 levels exhaust the
 * stack. Text must also be text PostgreSQL can store (see text.ts). The walk here is iterative,
 * so it is the one thing that may look at such a value before it is known to be safe.
 */
import { formatCount } from './show-value.ts';
import { unstorableTextProblem } from './text.ts';

/** Levels of nested objects and arrays, counting the outermost value as the first. */
export const MAX_JSON_DEPTH = 64;
/** A conf is copied into every run it starts and sent back in every list of runs: keep it small. */
export const MAX_CONF_BYTES = 64 * 1024;

export type JsonPath = readonly (string | number)[];

export type JsonProblem =
  /** The object or array at `path` is one level deeper than MAX_JSON_DEPTH. */
  | { kind: 'depth'; path: JsonPath }
  /** The string at `path` cannot be stored. */
  | { kind: 'text'; path: JsonPath; reason: string }
  /** A key of the object at `path` cannot be stored. */
  | { kind: 'key'; path: JsonPath; key: string; reason: string };

/** The first value in `root` (parsed JSON) nested too deeply or holding unstorable text, if any. */
export function findJsonProblem(root: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | undefined {
  if (typeof root === 'string') {
    const reason = unstorableTextProblem(root);
    return reason ? { kind: 'text', path: [], reason } : undefined;
  }
  // An explicit stack instead of recursion: the input may be nested far deeper than the call stack allows.
  const stack: { value: object; path: JsonPath }[] = [];
  if (root !== null && typeof root === 'object') stack.push({ value: root, path: [] });
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    // The container at `path` sits path.length + 1 levels down.
    if (path.length >= maxDepth) return { kind: 'depth', path };
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((item, index) => [index, item])
      : Object.entries(value);
    for (const [key, item] of entries) {
      if (typeof key === 'string') {
        const reason = unstorableTextProblem(key);
        if (reason) return { kind: 'key', path, key, reason };
      }
      if (typeof item === 'string') {
        const reason = unstorableTextProblem(item);
        if (reason) return { kind: 'text', path: [...path, key], reason };
      } else if (item !== null && typeof item === 'object') {
        stack.push({ value: item, path: [...path, key] });
      }
    }
  }
  return undefined;
}

const utf8 = new TextEncoder();

/**
 * How big `value` is as JSON text, in UTF-8 bytes. Only for values findJsonProblem has passed.
 * TextEncoder rather than Buffer: the API's request schemas check a conf's size with this, and
 * the web UI, which has no Node types, type-checks those schemas (it imports their types).
 */
export function jsonByteLength(value: unknown): number {
  return utf8.encode(JSON.stringify(value) ?? '').byteLength;
}

export function confSizeProblem(conf: unknown): string | undefined {
  const bytes = jsonByteLength(conf);
  if (bytes <= MAX_CONF_BYTES) return undefined;
  return (
    `is ${formatCount(bytes)} bytes as JSON; at most ${formatCount(MAX_CONF_BYTES)} (${MAX_CONF_BYTES / 1024} KiB) ` +
    'are kept with each run: keep big data elsewhere (a table, a file, an S3 object) and pass its name or location'
  );
}

/**
 * `conf.rows[0].name`: keys that are plain names after dots, indexes and other keys in brackets.
 * Other keys are shown quoted and escaped, so a NUL or lone surrogate in a key shows as \u0000.
 */
export function formatJsonPath(path: JsonPath): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key) && key.length <= 40) text += text ? `.${key}` : key;
    else text += `[${JSON.stringify(shorten(key))}]`;
  }
  return text;
}

/** Names for the parts of a message: the whole value ("the request body") and a place in it. */
export interface JsonNames {
  whole: string;
  at(path: JsonPath): string;
}

/** A message for users: what is wrong, where, and how to fix it. */
export function describeJsonProblem(problem: JsonProblem, names: JsonNames): string {
  switch (problem.kind) {
    case 'depth':
      return (
        `${names.whole} is nested deeper than ${MAX_JSON_DEPTH} levels at ${formatJsonPath(problem.path.slice(0, 12))}` +
        `${problem.path.length > 12 ? '…' : ''}; flatten it: deeper objects and arrays are refused because storing or showing them could exhaust the stack`
      );
    case 'text':
      return `${names.at(problem.path)}: ${problem.reason}; remove the character, or send binary data encoded (e.g. as base64)`;
    case 'key': {
      const where = problem.path.length ? `a key in ${names.at(problem.path)}` : `a key of ${names.whole}`;
      return `${where} (${JSON.stringify(shorten(problem.key))}): ${problem.reason}; rename the key`;
    }
  }
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
