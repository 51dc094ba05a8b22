/**
 * The trigger form's params (README, "Typed params"): which input each param gets, the text it
 * starts with, and the conf the filled-in form makes, with what is wrong beside each field. The
 * rules are checked by src/core/params.ts, the very module the server checks a conf with, so the
 * form refuses exactly what the API would.
 */
import { confProblems, type ParamSpec } from '../../../src/core/params.ts';
import { fromDateTimeInput, toDateTimeInput, type TimeZoneMode } from './format.ts';
import { parseJsonValue } from './json-input.ts';

/**
 * number: integer and number; select: an enum (or a boolean that has no default, so that "not
 * given" stays possible); checkbox: a boolean; date, datetime: the two formats; text: other
 * strings; json: arrays, objects and untyped params, which may be any JSON value.
 */
export type FieldKind = 'number' | 'select' | 'checkbox' | 'date' | 'datetime' | 'text' | 'json';

export function fieldKind(param: ParamSpec): FieldKind {
  const { schema } = param;
  if (schema.enum) return 'select';
  switch (schema.type) {
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return Object.hasOwn(param, 'default') ? 'checkbox' : 'select';
    case 'string':
      return schema.format === 'date' ? 'date' : schema.format === 'date-time' ? 'datetime' : 'text';
    default:
      return 'json';
  }
}

/** The choices of a select, in order; its options' values are their indexes, '' being "not given". */
export function selectChoices(param: ParamSpec): unknown[] {
  return param.schema.enum ?? [true, false];
}

/** A choice as a select shows it: strings bare, anything else as JSON. */
export function choiceLabel(choice: unknown): string {
  return typeof choice === 'string' ? choice : JSON.stringify(choice);
}

/** The text a param's field starts with: its default, or nothing. */
export function initialText(param: ParamSpec, zone: TimeZoneMode): string {
  if (!Object.hasOwn(param, 'default')) return fieldKind(param) === 'checkbox' ? 'false' : '';
  const value = param.default;
  switch (fieldKind(param)) {
    case 'select': {
      const index = selectChoices(param).findIndex((choice) => JSON.stringify(choice) === JSON.stringify(value));
      return index === -1 ? '' : String(index);
    }
    case 'checkbox':
      return value === true ? 'true' : 'false';
    case 'datetime':
      // A default that is no valid date-time cannot happen (param() checks it); show it as it is.
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? toDateTimeInput(value, zone) : String(value);
    case 'json':
      return value !== null && typeof value === 'object' ? JSON.stringify(value, null, 2) : JSON.stringify(value);
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/** What a field holds: nothing (the param is left out of the conf), a value, or text that is none. */
export type FieldValue = { kind: 'empty' } | { kind: 'value'; value: unknown } | { kind: 'bad'; problem: string };

/** The value in a field's text; an empty field leaves the param to its default. */
export function readField(param: ParamSpec, text: string, zone: TimeZoneMode): FieldValue {
  const kind = fieldKind(param);
  if (kind === 'checkbox') return { kind: 'value', value: text === 'true' };
  if (text.trim() === '') return { kind: 'empty' };
  switch (kind) {
    case 'select': {
      const choices = selectChoices(param);
      const index = Number(text);
      return index in choices ? { kind: 'value', value: choices[index] } : { kind: 'empty' };
    }
    case 'number': {
      const value = Number(text);
      return Number.isFinite(value) ? { kind: 'value', value } : { kind: 'bad', problem: 'must be a number' };
    }
    case 'datetime': {
      const iso = fromDateTimeInput(text, zone);
      return iso === null ? { kind: 'bad', problem: 'give a complete date and time' } : { kind: 'value', value: iso };
    }
    case 'json': {
      const parsed = parseJsonValue(text);
      return parsed.ok ? { kind: 'value', value: parsed.value } : { kind: 'bad', problem: parsed.message };
    }
    default:
      return { kind: 'value', value: text };
  }
}

export interface FormConf {
  /** The conf to send: the extra JSON's keys and each field that holds a value. */
  conf: Record<string, unknown>;
  /** What is wrong, by param name: text that is no value, or a rule the value breaks. */
  problems: Record<string, string>;
  /** A key of the extra JSON that is a param: its field sets it. */
  extraProblem: string | null;
}

/** The conf the form makes, checked against the params as the server will check it. */
export function formConf(
  dagId: string,
  params: Record<string, ParamSpec>,
  texts: Record<string, string>,
  extra: Record<string, unknown>,
  zone: TimeZoneMode,
): FormConf {
  const conf: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  const clash = Object.keys(extra).filter((key) => Object.hasOwn(params, key));
  const extraProblem = clash.length ? `${clash.map((key) => `"${key}"`).join(', ')} ${clash.length === 1 ? 'is a param' : 'are params'}: set it in its field above` : null;
  for (const [key, value] of Object.entries(extra)) if (!Object.hasOwn(params, key)) conf[key] = value;
  for (const [name, param] of Object.entries(params)) {
    const field = readField(param, texts[name] ?? '', zone);
    if (field.kind === 'value') conf[name] = field.value;
    else if (field.kind === 'bad') problems[name] = field.problem;
  }
  for (const problem of confProblems(dagId, params, conf)) problems[problem.param] ??= problem.problem;
  return { conf, problems, extraProblem };
}

/** A short reading of a param's rules for beside its field ("1 to 50", "at most 80 characters"). */
export function ruleHint(param: ParamSpec): string {
  const { schema } = param;
  const hints: string[] = [];
  if (schema.minimum !== undefined && schema.maximum !== undefined) hints.push(`${schema.minimum} to ${schema.maximum}`);
  else if (schema.minimum !== undefined) hints.push(`at least ${schema.minimum}`);
  else if (schema.maximum !== undefined) hints.push(`at most ${schema.maximum}`);
  if (schema.type === 'integer') hints.push('a whole number');
  if (schema.minLength !== undefined && schema.maxLength !== undefined) hints.push(`${schema.minLength} to ${schema.maxLength} characters`);
  else if (schema.minLength !== undefined) hints.push(`at least ${schema.minLength} characters`);
  else if (schema.maxLength !== undefined) hints.push(`at most ${schema.maxLength} characters`);
  if (schema.pattern !== undefined) hints.push(`matching /${schema.pattern}/`);
  if (schema.type === 'array') hints.push('a JSON array');
  if (schema.type === 'object') hints.push('a JSON object');
  if (schema.type === undefined && !schema.enum) hints.push('any JSON value');
  if (schema.required) hints.push('required');
  return hints.join(', ');
}
