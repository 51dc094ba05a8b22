/**
 * The small part of the aggregation expression language that $project, $addFields and $group
 * need in practice: field paths, literals, arithmetic, comparisons, $cond/$ifNull and string
 * case. Anything else is an error naming the operator, never a silent wrong answer.
 */
import { CommandError } from './errors.ts';
import { addNumbers, divideNumbers, isNumber, multiplyNumbers, subtractNumbers } from './numbers.ts';
import { compareValues, isPlainObject, numericValue, type Doc } from './values.ts';

function pathValue(value: unknown, path: readonly string[], i: number): unknown {
  if (i === path.length) return value;
  if (Array.isArray(value)) return value.map((element) => pathValue(element, path, i)).filter((v) => v !== undefined);
  if (isPlainObject(value)) return pathValue(value[path[i]!], path, i + 1);
  return undefined;
}

/** `$a.b` in an aggregation: arrays of documents yield the array of their `b`s. */
export function fieldPathValue(doc: Doc, path: string): unknown {
  if (path === '$$ROOT' || path === '$$CURRENT') return doc;
  if (path.startsWith('$$')) throw new CommandError(17276, `Use of undefined variable: ${path.slice(2).split('.')[0]}`);
  return pathValue(doc, path.slice(1).split('.'), 0);
}

/** True when evaluating `expr` reads the document at all (so a raw row must be decoded). */
export function readsDocument(expr: unknown): boolean {
  if (typeof expr === 'string') return expr.startsWith('$');
  if (Array.isArray(expr)) return expr.some(readsDocument);
  if (isPlainObject(expr)) return !('$literal' in expr) && Object.values(expr).some(readsDocument);
  return false;
}

function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  const n = numericValue(value);
  return n === undefined || Number(n) !== 0;
}

function args(arg: unknown, op: string, count?: number): unknown[] {
  const list = Array.isArray(arg) ? arg : [arg];
  if (count !== undefined && list.length !== count) throw new CommandError(16020, `Expression ${op} takes exactly ${count} arguments. ${list.length} were passed in.`);
  return list;
}

function arithmetic(op: string, values: unknown[]): unknown {
  if (values.some((v) => v === null || v === undefined)) return null;
  if (op === '$add' && values.some((v) => v instanceof Date)) {
    const total = values.reduce<number>((sum, v) => sum + (v instanceof Date ? v.getTime() : Number(numericValue(v))), 0);
    return new Date(total);
  }
  if (!values.every(isNumber)) throw new CommandError(16554, `${op} only supports numeric types`);
  const combine = op === '$add' ? addNumbers : op === '$multiply' ? multiplyNumbers : op === '$subtract' ? subtractNumbers : divideNumbers;
  return values.slice(1).reduce((acc, v) => combine(acc, v), values[0]);
}

export function evaluate(expr: unknown, doc: Doc): unknown {
  if (typeof expr === 'string') return expr.startsWith('$') ? fieldPathValue(doc, expr) : expr;
  if (Array.isArray(expr)) return expr.map((e) => evaluate(e, doc));
  if (!isPlainObject(expr)) return expr;
  const keys = Object.keys(expr);
  const op = keys[0];
  if (op === undefined || !op.startsWith('$')) {
    const out: Doc = {};
    for (const key of keys) {
      const value = evaluate(expr[key], doc);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  if (keys.length !== 1) throw new CommandError(15983, `an expression specification must contain exactly one field, found ${keys.join(', ')}`);
  const arg = expr[op];
  const evalArgs = (count?: number): unknown[] => args(arg, op, count).map((a) => evaluate(a, doc));
  switch (op) {
    case '$literal':
      return arg;
    case '$add':
    case '$subtract':
    case '$multiply':
    case '$divide':
      return arithmetic(op, evalArgs(op === '$subtract' || op === '$divide' ? 2 : undefined));
    case '$eq':
    case '$ne':
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
    case '$cmp': {
      const [a, b] = evalArgs(2);
      const c = compareValues(a ?? null, b ?? null);
      if (op === '$cmp') return c;
      return op === '$eq' ? c === 0 : op === '$ne' ? c !== 0 : op === '$gt' ? c > 0 : op === '$gte' ? c >= 0 : op === '$lt' ? c < 0 : c <= 0;
    }
    case '$and':
      return evalArgs().every(truthy);
    case '$or':
      return evalArgs().some(truthy);
    case '$not':
      return !truthy(evalArgs(1)[0]);
    case '$cond': {
      const [ifExpr, thenExpr, elseExpr] = isPlainObject(arg) ? [arg.if, arg.then, arg.else] : args(arg, op, 3);
      return truthy(evaluate(ifExpr, doc)) ? evaluate(thenExpr, doc) : evaluate(elseExpr, doc);
    }
    case '$ifNull': {
      const values = evalArgs();
      return values.find((v) => v !== null && v !== undefined) ?? values[values.length - 1] ?? null;
    }
    case '$concat': {
      const values = evalArgs();
      if (values.some((v) => v === null || v === undefined)) return null;
      if (!values.every((v) => typeof v === 'string')) throw new CommandError(16702, '$concat only supports strings');
      return values.join('');
    }
    case '$toLower':
    case '$toUpper': {
      const [value] = evalArgs(1);
      const s = value === null || value === undefined ? '' : String(value);
      return op === '$toLower' ? s.toLowerCase() : s.toUpperCase();
    }
    case '$size': {
      const [value] = evalArgs(1);
      if (!Array.isArray(value)) throw new CommandError(17124, 'The argument to $size must be an array');
      return value.length;
    }
    default:
      throw new CommandError(168, `Unrecognized expression '${op}' (the MongoDB stand-in supports only a few)`);
  }
}
