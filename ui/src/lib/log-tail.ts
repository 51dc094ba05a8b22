/**
 * A try's log as the UI holds it: the lines read so far and where the next read starts. The API
 * answers a read from a byte offset with the text after it and headers saying where that text
 * ends, so a running try's log is followed by appending, never by fetching it all again.
 */
import { splitLog, type LogLine } from './log-lines.ts';

export interface LogTail {
  lines: LogLine[];
  /** Where the next read starts: the last answer's X-Log-Next-Offset (bytes of the stored log). */
  next: number;
  /** Bytes the server had at the last answer (X-Log-Size): past `next`, another page is waiting. */
  size: number;
  /** The try is over: once `next` reaches `size` the log is all here. */
  complete: boolean;
}

export const EMPTY_TAIL: LogTail = { lines: [], next: 0, size: 0, complete: false };

export interface LogPage {
  text: string;
  next: number;
  size: number;
  complete: boolean;
}

/** A page from a log answer's body and headers; an answer without them is from a server too old for this page. */
export function logPage(text: string, headers: Headers): LogPage {
  const next = Number(headers.get('x-log-next-offset') ?? NaN);
  const size = Number(headers.get('x-log-size') ?? NaN);
  if (!Number.isSafeInteger(next) || !Number.isSafeInteger(size)) {
    throw new Error('the log answer has no X-Log-Next-Offset or X-Log-Size header; reload the page (the webserver may have been updated)');
  }
  return { text, next, size, complete: headers.get('x-log-complete') === 'true' };
}

/**
 * `tail` with `page` added. Pages end after a whole line, so the first new line goes on from the
 * last one held (an indented stack line keeps its error's level). An answer that changes nothing
 * gives back `tail` itself, so a poll that finds no new lines re-renders nothing.
 */
export function appendPage(tail: LogTail, page: LogPage): LogTail {
  if (page.text === '' && page.next === tail.next && page.size === tail.size && page.complete === tail.complete) return tail;
  const added = splitLog(page.text, tail.lines.at(-1)?.level);
  return {
    lines: added.length > 0 ? [...tail.lines, ...added] : tail.lines,
    next: page.next,
    size: page.size,
    complete: page.complete,
  };
}
