/**
 * PostgreSQL COPY's text format (pure): tab-separated fields, `\N` for NULL, backslash escapes
 * for the characters that would otherwise end a field or a line.
 */

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export const NULL_FIELD = '\\N';

export function copyField(value: string | null): string {
  if (value === null) return NULL_FIELD;
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}
