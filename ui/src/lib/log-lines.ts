/** A try's log as the API sends it (`<time> <LEVEL> message k=v`), split into lines with their level. */

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'other';

export interface LogLine {
  text: string;
  level: LogLevel;
}

// The time is left out when a line had none; raw lines ("npm WARN …") are not pino's and keep no level.
const LEVEL_AT_START = /^(?:\d{4}-\d\d-\d\dT\S+ )?(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\b/;

/**
 * Continuation lines (an error's stack, indented under its line) take the level of the line they
 * continue, so a whole stack reads as part of its error. `previous` is the level of the line
 * before `text`, when `text` goes on from earlier lines.
 */
export function splitLog(text: string, previous: LogLevel = 'other'): LogLine[] {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  if (lines.length === 1 && lines[0] === '') return [];
  let current: LogLevel = previous;
  return lines.map((line) => {
    const match = LEVEL_AT_START.exec(line);
    if (match) current = match[1]!.toLowerCase() as LogLevel;
    else if (!/^\s/.test(line)) current = 'other';
    return { text: line, level: current };
  });
}
