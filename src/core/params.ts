/**
 * Typed params (README, "Typed params"): the rules a param may set, and the one check of a value
 * or a run's conf against them. Pure, without Node: the server checks a conf with it when a run is
 * created, and the UI's trigger form imports it to flag a bad value before sending, so the two
 * cannot disagree.
 *
 * Whether a value keeps a rule is decided by @cfworker/json-schema, which interprets a schema
 * rather than generating code: ajv's compiled validators need eval, which the UI's
 * Content-Security-Policy (no 'unsafe-eval') blocks. It gets JSON Schema's corners right (1.0 is
 * an integer, lengths count code points, leap days and leap seconds, `pattern` searches with the
 * `u` flag). Its messages ("Instance type "string" is invalid") name neither the param nor the
 * rule as the DAG wrote it, so the wording is ours, one sentence per rule.
 */
import { Validator, type Schema } from '@cfworker/json-schema';
import { showValue } from './show-value.ts';

export const PARAM_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

/** `date` is YYYY-MM-DD; `date-time` is RFC 3339 (ISO 8601 with seconds and a zone: Z or ±hh:mm). */
export const PARAM_FORMATS = ['date', 'date-time'] as const;
export type ParamFormat = (typeof PARAM_FORMATS)[number];

/** The rules of one param: what param() took, less its default. `{}` for a plain value: anything goes. */
export interface ParamSchema {
  type?: ParamType;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  /** A JavaScript regular expression (with the `u` flag), searched for: anchor it with ^…$ to match the whole value. */
  pattern?: string;
  format?: ParamFormat;
  description?: string;
  /** true: it has no default, so every run's conf must give it. */
  required?: boolean;
}

/** A param as the API shows it: its rules and its default, absent when it has none. */
export interface ParamSpec {
  schema: ParamSchema;
  default?: unknown;
}

/** A rule a value breaks: the rule as the DAG wrote it ("minimum 1") and what is wrong ("must be >= 1, got 0"). */
export interface RuleBreak {
  rule: string;
  problem: string;
}

/**
 * One param a conf gets wrong: `problem` says what, beside the param's field in a form ("must be
 * >= 1, got 0"); `message` says it all, for an API answer or the CLI.
 */
export interface ConfProblem {
  param: string;
  rule: string;
  problem: string;
  message: string;
}

// Validators are built once per schema object: a spec's schemas live as long as the spec does,
// and the UI checks the form on every keystroke.
const validators = new WeakMap<ParamSchema, Validator>();

function validatorFor(schema: ParamSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    // `required` is ours (a flag on the param); JSON Schema's is a list of an object's keys.
    // `description` is for people only.
    const { required: _required, description: _description, ...rules } = schema;
    validator = new Validator(rules as Schema, '2020-12', true);
    validators.set(schema, validator);
  }
  return validator;
}

/** The first rule of `schema` that `value` breaks, or null if it keeps them all. */
export function checkParamValue(schema: ParamSchema, value: unknown): RuleBreak | null {
  const result = validatorFor(schema).validate(value);
  const first = result.errors[0];
  if (result.valid || !first) return null;
  return describeBreak(schema, first.keyword, value);
}

function describeBreak(schema: ParamSchema, keyword: string, value: unknown): RuleBreak {
  const got = `got ${showValue(value)}`;
  switch (keyword) {
    case 'type':
      return { rule: `type ${schema.type}`, problem: `must be ${TYPE_WORDS[schema.type!]}, ${got}` };
    case 'enum':
      return { rule: `enum ${JSON.stringify(schema.enum)}`, problem: `must be one of ${schema.enum!.map((v) => JSON.stringify(v)).join(', ')}, ${got}` };
    case 'minimum':
      return { rule: `minimum ${schema.minimum}`, problem: `must be >= ${schema.minimum}, ${got}` };
    case 'maximum':
      return { rule: `maximum ${schema.maximum}`, problem: `must be <= ${schema.maximum}, ${got}` };
    case 'minLength':
      return { rule: `minLength ${schema.minLength}`, problem: `must be at least ${characters(schema.minLength!)} long, ${got}` };
    case 'maxLength':
      return { rule: `maxLength ${schema.maxLength}`, problem: `must be at most ${characters(schema.maxLength!)} long, ${got}` };
    case 'pattern':
      return { rule: `pattern ${JSON.stringify(schema.pattern)}`, problem: `must match the pattern /${schema.pattern}/, ${got}` };
    case 'format':
      return { rule: `format ${schema.format}`, problem: `must be ${FORMAT_WORDS[schema.format!]}, ${got}` };
    default:
      // param() admits no other keyword, so a schema never gets here; say what the library said.
      return { rule: keyword, problem: `breaks its rule "${keyword}", ${got}` };
  }
}

const TYPE_WORDS: Record<ParamType, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
};

export const FORMAT_WORDS: Record<ParamFormat, string> = {
  date: 'a date as YYYY-MM-DD, like "2026-01-31"',
  'date-time': 'a date and time with its zone, like "2026-01-31T09:30:00Z" or "2026-01-31T10:30:00+01:00"',
};

function characters(n: number): string {
  return n === 1 ? '1 character' : `${n} characters`;
}

/** `conf.limit`, or `conf["rows per batch"]` for a name that is not a plain identifier. */
export function confPath(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `conf.${name}` : `conf[${JSON.stringify(name)}]`;
}

/**
 * What is wrong with running `dagId` with `conf`: each param whose value in the conf breaks its
 * rules, and each required param the conf lacks, in the params' order. Keys of
 * the conf that are no param pass, as in Airflow: a task may read them all the same.
 */
export function confProblems(dagId: string, params: Record<string, ParamSpec>, conf: Record<string, unknown>): ConfProblem[] {
  const problems: ConfProblem[] = [];
  for (const [name, param] of Object.entries(params)) {
    const where = `(param "${name}" of DAG "${dagId}"`;
    // A default kept its rules when the DAG file was parsed (param() refuses one that does not).
    if (!Object.hasOwn(conf, name)) {
      if (param.schema.required) {
        problems.push({
          param: name,
          rule: 'required',
          problem: 'is required: give a value',
          message: `${confPath(name)} is missing ${where}: required, it has no default); add it to the conf`,
        });
      }
      continue;
    }
    const broken = checkParamValue(param.schema, conf[name]);
    if (broken) problems.push({ param: name, ...broken, message: `${confPath(name)} ${broken.problem} ${where}: ${broken.rule})` });
  }
  return problems;
}

/** What a DagSpec (spec.ts) holds of its params; spelled out here, as spec.ts needs Node and this module must not. */
export interface ParamsOfSpec {
  params?: Record<string, unknown>;
  paramSchemas?: { name: string; schema: ParamSchema }[];
}

/**
 * A DAG's params with their rules, in the order the DAG file declares them. A spec keeps the
 * defaults in `params` (what a task's ctx.params starts from) and, once any param is typed, every
 * param's rules in `paramSchemas`; a spec without typed params has only `params`, each of which
 * takes any value.
 */
export function paramSpecs(spec: ParamsOfSpec): Record<string, ParamSpec> {
  const defaults = spec.params ?? {};
  const entries = spec.paramSchemas ?? Object.keys(defaults).map((name) => ({ name, schema: {} }));
  return Object.fromEntries(
    entries.map(({ name, schema }) => [name, Object.hasOwn(defaults, name) ? { schema, default: defaults[name] } : { schema }]),
  );
}
