/**
 * The answer to a read of a try's log: plain text (the log formatted for people), with headers
 * saying which bytes of the stored log it covers, so a reader can ask for what comes next.
 *
 * - `X-Log-Offset` / `X-Log-Next-Offset`: the byte range of the stored log (JSON lines, UTF-8)
 *   the text covers; pass `X-Log-Next-Offset` as `?offset=` to read on.
 * - `X-Log-Size`: the bytes stored so far.
 * - `X-Log-Complete`: `true` once the try is over; its log will not grow, so a reader that has
 *   reached `X-Log-Size` has all of it.
 *
 * Offsets count stored bytes, not bytes of the text sent, so they are not HTTP byte ranges: a
 * `Range` header is not answered with 206 and is ignored like any other unknown header.
 */
import type { Response } from 'express';
import { formatLog } from '../log-format.ts';
import type { Logger } from '../log.ts';
import type { Queryable } from '../store/db.ts';
import { DEFAULT_PAGE_BYTES, readLogPage, readLogPages, type LogExtent } from '../store/logs.ts';
import type { TryKey } from '../store/task-instances.ts';

/** The headers of every log answer, as the API's OpenAPI document describes them. */
export const LOG_HEADERS = {
  'X-Log-Offset': 'the byte offset of the stored log where this text starts',
  'X-Log-Next-Offset': 'the byte offset where it ends: pass it as ?offset= to read on',
  'X-Log-Size': 'the bytes of log stored so far',
  'X-Log-Complete': 'true once the try is over: the log will not grow',
};

/** One page of the log: at most `limit` stored bytes from `offset`. */
export async function sendLogPage(
  res: Response,
  db: Queryable,
  key: TryKey,
  extent: LogExtent,
  { offset, limit }: { offset: number; limit: number },
): Promise<void> {
  const page = await readLogPage(db, key, { offset, limit, size: extent.size });
  setLogHeaders(res, page.offset, page.next, extent);
  res.send(formatLog(page.text));
}

/**
 * The whole log as it was when the request came (up to `extent.size`), streamed a page at a time:
 * the webserver holds one page, never the whole log, and stops when the reader goes away.
 */
export async function streamWholeLog(res: Response, db: Queryable, key: TryKey, extent: LogExtent, log: Logger): Promise<void> {
  setLogHeaders(res, 0, extent.size, extent);
  res.flushHeaders();
  const writable = whenWritable(res);
  try {
    for await (const page of readLogPages(db, key, { size: extent.size, pageBytes: DEFAULT_PAGE_BYTES })) {
      if (res.destroyed) return;
      if (!res.write(formatLog(page.text))) await writable();
    }
    res.end();
  } catch (err) {
    // The status line is gone already: all that can be said is that the answer is cut short.
    log.error({ err, ...key }, 'reading a task log failed while sending it; the answer was cut short');
    res.destroy();
  }
}

function setLogHeaders(res: Response, offset: number, next: number, extent: LogExtent): void {
  res.type('text/plain; charset=utf-8');
  res.set({
    // A running try's log changes from one read to the next.
    'Cache-Control': 'no-store',
    'X-Log-Offset': String(offset),
    'X-Log-Next-Offset': String(next),
    'X-Log-Size': String(extent.size),
    'X-Log-Complete': String(extent.complete),
  });
}

/**
 * A wait for `res` to take more (or to close: the reader went away). One listener of each kind
 * for the whole answer: compression sends `drain` listeners to its gzip stream, where removing
 * them from `res` does not reach, so adding one per wait would pile them up.
 */
function whenWritable(res: Response): () => Promise<void> {
  let wake: (() => void) | undefined;
  const onEvent = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  res.on('drain', onEvent);
  res.on('close', onEvent);
  return () => (res.destroyed ? Promise.resolve() : new Promise<void>((resolve) => (wake = resolve)));
}
