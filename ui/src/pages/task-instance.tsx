/** One task instance: its facts, the error of a failed try, each try's log (followed live), its XCom. */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { ClearDialog, MarkDialog, type ClearTarget, type MarkTarget } from '../actions/task-actions.tsx';
import { LogView } from '../components/log-view.tsx';
import { Fact, Facts } from '../components/facts.tsx';
import { Pending } from '../components/feedback.tsx';
import { StateBadge, StateDot } from '../components/state.tsx';
import { Elapsed, Relative, Time } from '../components/time.tsx';
import { UnservedQueues } from '../components/unserved-queues.tsx';
import { usePoll } from '../hooks.ts';
import { prettyJson } from '../lib/format.ts';
import { useSearchParam } from '../router.tsx';
import { Breadcrumbs } from './dag.tsx';

const LIVE_STATES = new Set(['scheduled', 'queued', 'running', 'up_for_retry']);

export function TaskInstancePage({ dagId, runId, taskId }: { dagId: string; runId: string; taskId: string }) {
  const key = JSON.stringify([dagId, runId, taskId]);
  const ti = usePoll(`ti:${key}`, (signal) => api.taskInstances.get(dagId, runId, taskId, { signal }));
  const tries = usePoll(`tries:${key}`, (signal) => api.taskInstances.tries(dagId, runId, taskId, {}, { signal }));
  const dag = usePoll(`dag:${dagId}`, (signal) => api.dags.get(dagId, { signal }), 10_000);
  const [tryParam, setTryParam] = useSearchParam('try');
  const [clearing, setClearing] = useState<ClearTarget | undefined>();
  const [marking, setMarking] = useState<MarkTarget | undefined>();

  if (!ti.data) {
    return (
      <div class="page">
        <Breadcrumbs dagId={dagId} runId={runId} taskId={taskId} />
        <Pending error={ti.error} what={`task instance ${taskId}`} />
      </div>
    );
  }
  const t = ti.data;
  const tryList = tries.data?.taskInstanceTries ?? [];
  const shownTry = Number(tryParam) || t.tryNumber;
  const shown = tryList.find((x) => x.tryNumber === shownTry);
  const live = LIVE_STATES.has(t.state) && shownTry === t.tryNumber;
  const failedError = shown?.error ?? (shownTry === t.tryNumber ? t.error : null);

  return (
    <div class="page">
      <Breadcrumbs dagId={dagId} runId={runId} taskId={taskId} />
      {t.state === 'queued' && <UnservedQueues dagId={dagId} only={t} />}
      <div class="page-head">
        <StateBadge state={t.state} />
        <h1 class="mono">{t.taskId}</h1>
        <span class="spacer" />
        <button
          type="button"
          onClick={() =>
            setClearing({
              dagId,
              runId,
              taskIds: [taskId],
              tasks: dag.data?.tasks ?? [{ taskId, downstream: [] }],
              states: { [taskId]: t.state },
            })
          }
        >
          Clear…
        </button>
        <button type="button" disabled={t.state === 'success'} onClick={() => setMarking({ dagId, runId, taskId, state: 'success' })}>
          Mark success…
        </button>
        <button type="button" disabled={t.state === 'failed'} onClick={() => setMarking({ dagId, runId, taskId, state: 'failed' })}>
          Mark failed…
        </button>
      </div>
      <Facts>
        <Fact label="Try">
          <span class="num">
            {t.tryNumber} of {t.maxTries}
          </span>
        </Fact>
        <Fact label="Started">
          <Time iso={t.startDate} />
        </Fact>
        <Fact label="Ended">
          <Time iso={t.endDate} />
        </Fact>
        <Fact label="Duration">
          {t.state === 'running' ? <Elapsed start={t.startDate} end={null} /> : <Elapsed start={t.startDate} end={t.endDate} />}
        </Fact>
        {t.nextTryAt && (
          <Fact label="Next try">
            <Relative iso={t.nextTryAt} />
          </Fact>
        )}
        <Fact label="Host">{t.hostname ?? '—'}</Fact>
        <Fact label="Pool · queue">
          {t.pool} · {t.queue}
        </Fact>
        <Fact label="Trigger rule">{t.triggerRule}</Fact>
      </Facts>
      {ti.error && <p class="stale">Live updates paused: {ti.error.message}</p>}

      {tryList.length > 0 && (
        <nav class="tabs" aria-label="Tries">
          {tryList.map((x) => (
            <button
              key={x.tryNumber}
              type="button"
              aria-current={x.tryNumber === shownTry ? 'page' : undefined}
              onClick={() => setTryParam(x.tryNumber === t.tryNumber ? null : String(x.tryNumber))}
            >
              <StateDot state={x.state} /> Try {x.tryNumber}
            </button>
          ))}
        </nav>
      )}
      {failedError && (
        <section class="error-box" aria-label="Error">
          <h2>Error of try {shownTry}</h2>
          <pre>{failedError}</pre>
        </section>
      )}
      {shownTry >= 1 ? (
        <LogView dagId={dagId} runId={runId} taskId={taskId} tryNumber={shownTry} live={live} />
      ) : (
        <p class="muted">This task has not been tried yet, so it has no log.</p>
      )}
      <XcomView dagId={dagId} runId={runId} taskId={taskId} state={t.state} />
      {clearing && <ClearDialog target={clearing} onClose={() => setClearing(undefined)} />}
      {marking && <MarkDialog target={marking} onClose={() => setMarking(undefined)} />}
    </div>
  );
}

function XcomView({ dagId, runId, taskId, state }: { dagId: string; runId: string; taskId: string; state: string }) {
  // The value changes only when the task succeeds (or is cleared): poll slowly, keyed by state.
  const xcom = usePoll(
    `xcom:${JSON.stringify([dagId, runId, taskId])}:${state}`,
    (signal) =>
      api.taskInstances.xcom(dagId, runId, taskId, { signal }).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return { missing: error.message };
        throw error;
      }),
    5000,
  );
  return (
    <section class="xcom" aria-label="XCom">
      <h2>XCom</h2>
      {!xcom.data ? (
        <Pending error={xcom.error} what="XCom" />
      ) : 'missing' in xcom.data ? (
        <p class="muted">{xcom.data.missing}</p>
      ) : (
        <pre class="json">{prettyJson(xcom.data.value)}</pre>
      )}
    </section>
  );
}
