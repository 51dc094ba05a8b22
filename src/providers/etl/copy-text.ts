/**
 * PostgreSQL COPY's text format (pure): tab-separated fields, `\N` for NULL, backslash escapes
 * for the characters that would otherwise end a field or a line.
 */

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

/** One record as a COPY line, newline included. */
export function copyLine(values: readonly (string | null)[]): string {
  let line = copyField(values[0] ?? null);
  for (let i = 1; i < values.length; i++) line += '\t' + copyField(values[i] ?? null);
  return line + '\n';
}
