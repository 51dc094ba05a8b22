/** Turns the JSON lines tasks log (pino) into text people read: time, level, message, fields. */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err']);

export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === 'string' ? entry.time : typeof entry.time === 'number' ? new Date(entry.time).toISOString() : '';
  const level = LEVELS[Number(entry.level)] ?? String(entry.level ?? '');
  const fields = Object.entries(entry)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const err = entry.err as { stack?: string; message?: string } | undefined;
  const text = [time, level.padEnd(5), String(entry.msg ?? ''), ...fields].filter(Boolean).join(' ');
  return err?.stack ? `${text}\n${err.stack}` : text;
}

export function formatLog(raw: string): string {
  return raw
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(formatLogLine)
    .join('\n');
}
