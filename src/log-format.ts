/**
 * A try's log is stored as pino's JSON lines; people read it as text:
 * `2026-01-01T00:00:00.000Z INFO loading rows=42`, with an error's stack on the lines below.
 */

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

// Bound by pino itself or by the child logger of the try: the same on every line, so left out.
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'v', 'dagId', 'runId', 'taskId', 'try', 'tryNumber']);

/**
 * An error line written into a try's log by Sluice itself (the task's code wrote none: its code
 * could not be loaded, its runner died, its outcome could not be stored), in pino's format.
 */
export function taskErrorLine(msg: string, time = new Date()): string {
  return `${JSON.stringify({ level: 50, time: time.toISOString(), msg })}\n`;
}

export function formatLog(raw: string): string {
  const out: string[] = [];
  for (const line of raw.split('\n')) {
    if (line.trim() === '') continue;
    out.push(formatLine(line));
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

export function formatLine(line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line; // not a pino line (e.g. raw output): shown as it is
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return line;
  const record = entry as Record<string, unknown>;
  const parts = [formatTime(record.time), formatLevel(record.level)];
  if (typeof record.msg === 'string' && record.msg !== '') parts.push(record.msg);
  let stack: string | undefined;
  for (const [key, value] of Object.entries(record)) {
    if (OMITTED.has(key) || value === undefined) continue;
    if ((key === 'err' || key === 'error') && isErrorLike(value)) {
      stack = typeof value.stack === 'string' ? value.stack : undefined;
      if (!stack) parts.push(`${key}=${formatValue(value.message ?? value)}`);
      continue;
    }
    parts.push(`${key}=${formatValue(value)}`);
  }
  const text = parts.filter((p) => p !== '').join(' ');
  return stack ? `${text}\n${indent(stack)}` : text;
}

function isErrorLike(value: unknown): value is { message?: unknown; stack?: unknown } {
  return value !== null && typeof value === 'object' && ('stack' in value || 'message' in value);
}

function formatTime(time: unknown): string {
  if (typeof time === 'number' || typeof time === 'string') {
    const date = new Date(time);
    if (!Number.isNaN(date.getTime())) return date.toISOString();
  }
  return '';
}

function formatLevel(level: unknown): string {
  if (typeof level === 'number') return LEVELS[level] ?? `LEVEL${level}`;
  if (typeof level === 'string') return level.toUpperCase();
  return '';
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? String(value);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l.trimStart()}`)
    .join('\n');
}
