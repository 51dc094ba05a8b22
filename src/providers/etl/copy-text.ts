/**
 * PostgreSQL COPY's text format (pure): tab-separated fields, `\N` for NULL, backslash escapes
 * for the characters that would otherwise end a field or a line. Both ways: extract writes its
 * parts in this format, and stage_load reads back the fields it has to repair.
 */

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export const NULL_FIELD = '\\N';
export const FIELD_SEPARATOR = '\t';

export function copyField(value: string | null): string {
  if (value === null) return NULL_FIELD;
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

/** A line's fields, still escaped: an escaped tab is `\t`, so every raw tab separates fields. */
export function copyFields(line: string): string[] {
  return line.split(FIELD_SEPARATOR);
}

const UNESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
const ESCAPE_SEQUENCE = /\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|([\s\S]))/g;

/**
 * One field's value, as COPY FROM would read it: `\N` is NULL, and every escape PostgreSQL
 * knows is undone (octal `\ooo` and hex `\xhh` as character codes, which for the ASCII range
 * our writer could produce is the same as PostgreSQL's bytes), not only the four copyField writes.
 */
export function parseCopyField(field: string): string | null {
  if (field === NULL_FIELD) return null;
  if (!field.includes('\\')) return field;
  return field.replace(ESCAPE_SEQUENCE, (_all, octal: string | undefined, hex: string | undefined, other: string | undefined) => {
    if (octal !== undefined) return String.fromCharCode(parseInt(octal, 8) & 0xff);
    if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
    return UNESCAPES[other!] ?? other!;
  });
}
