/**
 * A run's callbacks (onSuccess, onFailure, onRetry of the DAG and its tasks), for the run page:
 * each event that had callbacks, whether they ran, their tries and error, and their log on
 * demand. Live like the rest of the page; nothing at all for a run without callbacks.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { href } from '../lib/routes.ts';
import { Link } from '../router.tsx';
import type { Callback } from '../types.ts';
import { Time } from './time.tsx';

/** How often the list is read again: a list, so every two seconds as the other lists are. */
const LIST_POLL_MS = 2000;

/** The state colours of the task states: pending waits as a queued task does. */
const STATE_CLASS: Record<Callback['state'], string> = { pending: 'st-queued', success: 'st-success', failed: 'st-failed' };

/** The most tries a callback has (README, "Callbacks"). */
const MAX_TRIES = 3;

export function RunCallbacks({ dagId, runId }: { dagId: string; runId: string }) {
  const list = usePoll(`callbacks:${dagId}:${runId}`, (signal) => api.callbacks.list(dagId, runId, { limit: 1000 }, { signal }), LIST_POLL_MS);
  const callbacks = list.data?.callbacks ?? [];
  if (callbacks.length === 0) return null;
  return (
    <section class="callbacks" aria-label="Callbacks">
      <h2>Callbacks</h2>
      <table class="table">
        <thead>
          <tr>
            <th>State</th>
            <th>Event</th>
            <th>Task</th>
            <th>Tries</th>
            <th>Recorded</th>
            <th>Ended</th>
            <th>Log</th>
          </tr>
        </thead>
        <tbody>
          {callbacks.map((c) => (
            <CallbackRow key={c.id} dagId={dagId} runId={runId} c={c} />
          ))}
        </tbody>
      </table>
      {list.data && list.data.totalEntries > callbacks.length && (
        <p class="muted small">
          The first {callbacks.length} of {list.data.totalEntries}; GET …/dagRuns/{runId}/callbacks lists them all.
        </p>
      )}
    </section>
  );
}

function CallbackRow({ dagId, runId, c }: { dagId: string; runId: string; c: Callback }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <tr data-callback-id={c.id} data-state={c.state}>
        <td>
          <span class={`badge ${STATE_CLASS[c.state]}`}>{c.state}</span>
        </td>
        <td class="mono">{c.event}</td>
        <td>
          {c.taskId === null ? (
            <span class="muted">—</span>
          ) : (
            <Link href={href.task(dagId, runId, c.taskId)} class="mono">
              {c.taskId}
              {c.mapIndex >= 0 && <span class="muted">[{c.mapIndex}]</span>}
            </Link>
          )}
          {c.error && (
            <div class="error-line" title={c.error}>
              {c.error.split('\n')[0]}
            </div>
          )}
        </td>
        <td class="num">
          {c.tries}
          <span class="muted">/{MAX_TRIES}</span>
        </td>
        <td>
          <Time iso={c.createdAt} />
        </td>
        <td>
          <Time iso={c.endDate} />
        </td>
        <td>
          <button type="button" class="small" aria-expanded={open} onClick={() => setOpen(!open)} disabled={c.tries === 0}>
            {open ? 'Hide' : 'Show'}
          </button>
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={7}>
            <CallbackLog dagId={dagId} runId={runId} c={c} />
          </td>
        </tr>
      )}
    </>
  );
}

/** Its log while shown: read again while the callback is pending (a try may end and add lines). */
function CallbackLog({ dagId, runId, c }: { dagId: string; runId: string; c: Callback }) {
  const log = usePoll(`callback-log:${dagId}:${runId}:${c.id}:${c.state}:${c.tries}`, (signal) => api.callbacks.log(dagId, runId, c.id, { signal }), c.state === 'pending' ? LIST_POLL_MS : 60_000);
  if (log.error) return <p class="stale">Could not read the log: {log.error.message}</p>;
  if (log.data === undefined) return <p class="muted small">Loading the log…</p>;
  const lines = log.data.split('\n').filter((line) => line !== '');
  if (lines.length === 0) return <p class="muted small log-empty">No lines yet: a try's lines are stored when it ends.</p>;
  return (
    <pre class="log-lines wrap" aria-label={`Log of callback ${c.id}`}>
      {lines.map((line, i) => (
        <span class="line" key={i}>
          {line}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}
