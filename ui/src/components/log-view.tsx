/**
 * A try's log: levels in colour, line numbers, wrap on or off. Opens scrolled to the end and,
 * while the try runs, follows new lines unless you scroll up to read.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { apiPath, getText } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { plural } from '../lib/format.ts';
import { splitLog } from '../lib/log-lines.ts';
import { Pending } from './feedback.tsx';

const NEAR_BOTTOM_PX = 40;

export function LogView({ dagId, runId, taskId, tryNumber, live }: { dagId: string; runId: string; taskId: string; tryNumber: number; live: boolean }) {
  const path = apiPath`/dags/${dagId}/dagRuns/${runId}/taskInstances/${taskId}/logs/${tryNumber}`;
  // Keyed by `live` too, so the log is fetched once more when the try ends (its last lines).
  const log = usePoll(`log:${path}:${live}`, (signal) => getText(path, { signal }), live ? 1000 : 15_000);
  const [wrap, setWrap] = useState(true);
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);
  const lines = useMemo(() => splitLog(log.data ?? ''), [log.data]);

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
