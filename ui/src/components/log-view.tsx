/**
 * A try's log: levels in colour, line numbers, wrap on or off. Opens scrolled to the end and,
 * while the try runs, follows new lines unless you scroll up to read. New lines are read from
 * where the last read ended (the API's X-Log-Next-Offset) and appended: a long log is fetched
 * once, a page at a time, not again every second.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { plural } from '../lib/format.ts';
import { appendPage, EMPTY_TAIL, logPage, type LogTail } from '../lib/log-tail.ts';
import { Pending } from './feedback.tsx';

const NEAR_BOTTOM_PX = 40;
/** While the log may still grow; once the try is over, a slow check for lines of a try taken away late. */
const FOLLOW_MS = 1000;
const SETTLED_MS = 15_000;

/** mapIndex: one instance of a mapped task (-1 or absent: an unmapped task). */
export function LogView({
  dagId,
  runId,
  taskId,
  mapIndex = -1,
  tryNumber,
  live,
}: {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex?: number;
  tryNumber: number;
  live: boolean;
}) {
  const path = [dagId, runId, taskId, mapIndex, tryNumber].join('\u0000');
  // What has been read of this try's log; kept across polls (and a poll cut short keeps its pages).
  const held = useRef<{ path: string; tail: LogTail }>({ path, tail: EMPTY_TAIL });
  if (held.current.path !== path) held.current = { path, tail: EMPTY_TAIL };
  const log = usePoll(
    `log:${path}`,
    async (signal) => {
      const mine = held.current;
      // Reads until it has what the server has: a long log comes in pages, each appended as it arrives.
      for (;;) {
        const { text, headers } = await api.taskInstances.log(dagId, runId, mapIndex >= 0 ? { taskId, mapIndex } : taskId, tryNumber, { offset: mine.tail.next }, { signal });
        const before = mine.tail.next;
        mine.tail = appendPage(mine.tail, logPage(text, headers));
        if (mine.tail.next >= mine.tail.size || mine.tail.next <= before) return mine.tail;
      }
    },
    held.current.tail.complete ? SETTLED_MS : FOLLOW_MS,
  );
  const [wrap, setWrap] = useState(true);
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);
  const lines = log.data?.lines ?? EMPTY_TAIL.lines;

  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [lines, follow, wrap]);

  useEffect(() => setFollow(true), [tryNumber]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (atBottom !== follow) setFollow(atBottom);
  };

  return (
    <section class="log" aria-label={`Log of try ${tryNumber}`}>
      <div class="log-head">
        <h2>Log · try {tryNumber}</h2>
        {live && <span class="pill live-pill">live</span>}
        <span class="muted small">{log.data !== undefined && plural(lines.length, 'line')}</span>
        <span class="spacer" />
        <label class="inline small">
          <input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.currentTarget.checked)} /> Wrap lines
        </label>
        <button type="button" class="small" onClick={() => setFollow(true)} disabled={follow}>
          ↓ Jump to end
        </button>
      </div>
      {log.data === undefined ? (
        <Pending error={log.error} what="the log" />
      ) : lines.length === 0 ? (
        <p class="muted log-empty">{live ? 'No log lines yet; they appear here as the task writes them.' : 'This try wrote no log lines.'}</p>
      ) : (
        <pre class={`log-lines${wrap ? ' wrap' : ''}`} ref={box} onScroll={onScroll} tabIndex={0} data-testid="log">
          {lines.map((line, i) => (
            <span key={i} class={`line lv-${line.level}`}>
              {line.text}
              {'\n'}
            </span>
          ))}
        </pre>
      )}
    </section>
  );
}
