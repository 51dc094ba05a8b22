/**
 * Reading a JSON object that a person typed (a run's conf, a backfill's conf): empty means none,
 * and a mistake is reported with the line and column it is on.
 */

export type JsonObjectResult =
  | { ok: true; value: Record<string, unknown> | undefined }
  | { ok: false; message: string };

export function parseJsonObject(text: string): JsonObjectResult {
  if (text.trim() === '') return { ok: true, value: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: describeSyntaxError(text, error as Error) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { ok: false, message: `must be a JSON object like {"key": "value"}, not ${got}` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** JSON.parse's message, with the position turned into a line and column a person can find. */
function describeSyntaxError(text: string, error: Error): string {
  const detail = error.message.replace(/^JSON\.parse: /, '');
  const position = /position (\d+)/.exec(detail);
  if (!position) return `is not valid JSON: ${detail}`;
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `is not valid JSON at line ${line}, column ${column}: ${detail.replace(/\s*\(line \d+ column \d+\)$/, '')}`;
}
