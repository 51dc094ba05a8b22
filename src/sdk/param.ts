/**
 * `param()`: a DAG param with rules (README, "Typed params"), and the reading of a DAG's `params`
 * option into the defaults and rules its spec keeps. param() only records its options: they are
 * checked by dag(), which knows the DAG and the param's name, so that a mistake is reported as
 * `DAG "x": param "limit": …` when the DAG file is parsed.
 */
import {
  PARAM_FORMATS,
  PARAM_TYPES,
  checkParamValue,
  type ParamSchema,
  type ParamType,
} from '../core/params.ts';
import { closestMatch } from '../core/suggest.ts';
import { showValue } from '../core/show-value.ts';
import { checkBoolean, checkInteger, checkJsonObject, checkJsonValue, checkKeys, checkString, isPlainObject } from './validate.ts';

/**
 * What param() takes: a param's rules (a subset of JSON Schema, ParamSchema, with `required` for a
 * param every run must give: only in a DAG without a schedule) and its default.
 */
export interface ParamOptions extends Omit<ParamSchema, 'enum'> {
  default?: unknown;
  enum?: readonly unknown[];
}

export const PARAM_OPTION_KEYS = [
  'type',
  'default',
  'enum',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'description',
  'required',
] as const satisfies readonly (keyof ParamOptions)[];

// A registered symbol, as for DAGs: the DAG file may build its params with another copy of this module.
const PARAM_BRAND = Symbol.for('sluice.param');

/** A typed param, as param() makes it: its options as written, checked by dag(). */
export interface Param {
  readonly options: Readonly<ParamOptions>;
}

/** `params: { limit: param({ type: 'integer', default: 100, minimum: 1 }) }` */
export function param(options: ParamOptions): Param {
  // A shallow copy, so that changing the caller's object afterwards changes nothing here.
  const recorded = isPlainObject(options) ? { ...options } : options;
  const made: Param = { options: recorded };
  Object.defineProperty(made, PARAM_BRAND, { value: true });
  return Object.freeze(made);
}

function isParam(value: unknown): value is Param {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PARAM_BRAND] === true;
}

export interface ResolvedParams {
  /** Each param's default; a required param has none. */
  defaults: Record<string, unknown>;
  /** Every param's rules in declaration order, or null when none is typed. */
  schemas: { name: string; schema: ParamSchema }[] | null;
}

/**
 * The `params` option of dag(): plain values (defaults taking any value) and param()s, checked.
 * `schedule` is the DAG's, if any: its scheduled runs take the defaults, so a required param
 * (which has none) is refused there, as Airflow refuses such a DAG.
 */
export function resolveParams(value: unknown, schedule: string | null): ResolvedParams {
  if (!isPlainObject(value)) throw new Error(`option "params" must be an object like { limit: 100 }; got ${showValue(value)}`);
  const plain = checkJsonObject(
    Object.fromEntries(Object.entries(value).filter(([, v]) => !isParam(v))),
    'option "params"',
    'params',
  );
  const defaults: Record<string, unknown> = {};
  const schemas: { name: string; schema: ParamSchema }[] = [];
  let typed = false;
  for (const [name, given] of Object.entries(value)) {
    if (!isParam(given)) {
      defaults[name] = plain[name];
      schemas.push({ name, schema: {} });
      continue;
    }
    typed = true;
    const { schema, default: fallback } = checkParam(name, given.options);
    if (schema.required && schedule !== null) {
      throw new Error(
        `param "${name}" is required (it has no default), but the DAG has schedule "${schedule}", whose runs take the params' defaults; ` +
          `give it a default instead of required: true, or make the DAG manual-only with schedule: null`,
      );
    }
    if (fallback !== undefined) defaults[name] = fallback;
    schemas.push({ name, schema });
  }
  return { defaults, schemas: typed ? schemas : null };
}

/** One param()'s options, checked: its rules, and its default (undefined when it has none). */
function checkParam(name: string, options: unknown): { schema: ParamSchema; default: unknown } {
  const where = `param "${name}"`;
  const option = (key: string) => `${where}: option "${key}"`;
  if (!isPlainObject(options)) {
    throw new Error(`${where}: param() takes an object of options, like param({ type: 'integer', default: 100 }); got ${showValue(options)}`);
  }
  const given = checkKeys(options, where, PARAM_OPTION_KEYS, 'param');
  const has = (key: (typeof PARAM_OPTION_KEYS)[number]) => given[key] !== undefined;
  const schema: ParamSchema = {};

  if (has('type')) schema.type = checkChoice(given.type, option('type'), PARAM_TYPES, PYTHON_TYPES);
  const type = schema.type;
  const needsType = (key: string, types: readonly ParamType[]) => {
    if (type === undefined || !types.includes(type)) {
      const wanted = types.map((t) => `'${t}'`).join(' or ');
      throw new Error(`${option(key)} applies to ${types.join(' and ')} values only; add type: ${wanted}${type ? ` (the param has type '${type}')` : ''}`);
    }
  };

  if (has('description')) schema.description = checkString(given.description, option('description'));
  if (has('enum')) schema.enum = checkEnum(given.enum, option('enum'), type);
  for (const key of ['minimum', 'maximum'] as const) {
    if (!has(key)) continue;
    needsType(key, ['number', 'integer']);
    schema[key] = checkFinite(given[key], option(key));
  }
  for (const key of ['minLength', 'maxLength'] as const) {
    if (!has(key)) continue;
    needsType(key, ['string']);
    schema[key] = checkInteger(given[key], option(key), 0);
  }
  if (has('pattern')) {
    needsType('pattern', ['string']);
    schema.pattern = checkPattern(given.pattern, option('pattern'));
  }
  if (has('format')) {
    needsType('format', ['string']);
    schema.format = checkChoice(given.format, option('format'), PARAM_FORMATS);
  }
  checkRange(schema.minimum, schema.maximum, where, 'minimum', 'maximum');
  checkRange(schema.minLength, schema.maxLength, where, 'minLength', 'maxLength');

  const required = has('required') ? checkBoolean(given.required, option('required')) : false;
  if (required) schema.required = true;
  if (!has('default')) return { schema, default: undefined };
  if (required) {
    throw new Error(`${where} is required and has a default; a required param has none (each run must give it): drop the default, or required: true`);
  }
  const fallback = checkJsonValue(given.default, option('default'), `params.${name}`);
  const broken = checkParamValue(schema, fallback);
  if (broken) {
    throw new Error(`${where}: its default ${showValue(fallback)} breaks its own rule ${broken.rule} (it ${broken.problem.replace(/, got .*$/, '')}); change the default or the rule`);
  }
  return { schema, default: fallback };
}

// Airflow's users know Python's names for these.
const PYTHON_TYPES: Record<string, ParamType> = { int: 'integer', float: 'number', str: 'string', bool: 'boolean', list: 'array', dict: 'object' };

function checkChoice<T extends string>(value: unknown, where: string, choices: readonly T[], aliases: Record<string, T> = {}): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  const suggestion = typeof value === 'string' ? (Object.hasOwn(aliases, value) ? aliases[value] : closestMatch(value, choices)) : null;
  const hint = suggestion ? ` Did you mean '${suggestion}'?` : '';
  throw new Error(`${where}: ${showValue(value)} is not one of ${choices.map((c) => `'${c}'`).join(', ')}.${hint}`);
}

function checkFinite(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${where} must be a finite number; got ${showValue(value)}`);
  return value;
}

function checkRange(low: number | undefined, high: number | undefined, where: string, lowKey: string, highKey: string): void {
  if (low !== undefined && high !== undefined && low > high) {
    throw new Error(`${where}: option "${lowKey}" (${low}) is greater than option "${highKey}" (${high}), so no value could pass; swap or fix them`);
  }
}

function checkEnum(value: unknown, where: string, type: ParamType | undefined): unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new Error(`${where} must be a non-empty array of the allowed values, like ['dev', 'prod']; got ${showValue(value)}`);
  }
  const choices = checkJsonValue(value, where, 'enum') as unknown[];
  choices.forEach((choice, i) => {
    const broken = type === undefined ? null : checkParamValue({ type }, choice);
    if (broken) throw new Error(`${where}: its value ${showValue(choice)} (at index ${i}) is not of the param's type: it ${broken.problem.replace(/, got .*$/, '')}`);
  });
  return choices;
}

function checkPattern(value: unknown, where: string): string {
  const pattern = checkString(value, where);
  try {
    // The flag the validator uses (JSON Schema patterns are Unicode), so what compiles here runs there.
    new RegExp(pattern, 'u');
  } catch (error) {
    throw new Error(
      `${where}: ${JSON.stringify(pattern)} is not a valid regular expression (${(error as Error).message}); ` +
        `write a JavaScript regular expression without slashes or flags, like '^[a-z]+$'`,
      { cause: error },
    );
  }
  return pattern;
}
