/**
 * Reading JSON that a person typed (a run's conf, a backfill's conf, a param): empty means none,
 * and a mistake is reported with the line and column it is on. Browsers word JSON.parse's errors
 * differently and some give no position at all, so the position is found here.
 */

export type JsonObjectResult =
  | { ok: true; value: Record<string, unknown> | undefined }
  | { ok: false; message: string };

export type JsonValueResult = { ok: true; value: unknown } | { ok: false; message: string };

/** Any JSON value (a param's field): the message says where a mistake is. Empty text is the caller's to read. */
export function parseJsonValue(text: string): JsonValueResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, message: describeSyntaxError(text) };
  }
}

export function parseJsonObject(text: string): JsonObjectResult {
  if (text.trim() === '') return { ok: true, value: undefined };
  const parsed = parseJsonValue(text);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { ok: false, message: `must be a JSON object like {"key": "value"}, not ${got}` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

function describeSyntaxError(text: string): string {
  let offset: number;
  try {
    offset = jsonErrorOffset(text);
  } catch {
    // Nested deeper than the scanner's recursion can go: still say what is wrong, without a place.
    return 'is not valid JSON (and nests too deeply to point at the mistake)';
  }
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `is not valid JSON at line ${line}, column ${column}: ${reasonAt(text, offset)}`;
}

function reasonAt(text: string, offset: number): string {
  if (offset >= text.length) return 'it ends too early (a missing closing brace, bracket or quote?)';
  const char = text[offset]!;
  if (char === "'") return 'JSON strings and keys take double quotes, not single quotes';
  const before = text.slice(0, offset);
  if ((char === '}' || char === ']') && /,\s*$/.test(before)) return 'a trailing comma is not allowed';
  // A value right after another value (text ends in a string, number, literal, } or ]).
  if (/["{[\d-]/.test(char) && /["}\]\deul]\s*$/.test(before)) return `unexpected ${JSON.stringify(char)}: is a comma missing before it?`;
  return `unexpected ${JSON.stringify(char)}`;
}

class JsonSyntaxError {
  constructor(readonly offset: number) {}
}

/** Where `text` stops being JSON: the offset of the offending character (text.length if it ends too early), or -1 if it is valid. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new JsonSyntaxError(i);
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (char: string) => {
    if (text[i] !== char) fail();
    i++;
  };
  const literal = (word: string) => {
    for (const char of word) expect(char);
  };
  const string = () => {
    expect('"');
    while (i < text.length && text[i] !== '"') {
      const code = text.charCodeAt(i);
      if (code < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
            i++;
          }
          continue;
        }
        if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    expect('"');
  };
  const digits = () => {
    if (!/[0-9]/.test(text[i] ?? '')) fail();
    while (/[0-9]/.test(text[i] ?? '')) i++;
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const list = (close: string, item: () => void) => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      skipSpace();
      if (text[i] === ',') {
        i++;
        skipSpace();
        continue;
      }
      expect(close);
      return;
    }
  };
  const value = (): void => {
    skipSpace();
    const char = text[i];
    if (char === '{') {
      list('}', () => {
        string();
        skipSpace();
        expect(':');
        value();
      });
    } else if (char === '[') list(']', value);
    else if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else if (char === '-' || /[0-9]/.test(char ?? '')) number();
    else fail();
  };
  try {
    value();
    skipSpace();
    if (i < text.length) fail();
    return -1;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error.offset;
    throw error;
  }
}
