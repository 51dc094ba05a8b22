/**
 * A task in a run. An unmapped task's page is its one task instance: its facts, the error of a
 * failed try, each try's log (followed live), its XCom. A mapped task's page lists its instances
 * (mapped-instances.tsx); each of them has that same view, under the task's address plus its map index.
 */
import { useState } from 'preact/hooks';
import { api, ApiError, type TaskInstanceRef } from '../api.ts';
import { ClearDialog, MarkDialog, type ClearTarget, type MarkTarget } from '../actions/task-actions.tsx';
import { LogView } from '../components/log-view.tsx';
import { Fact, Facts } from '../components/facts.tsx';
import { TriggeredByInstance } from '../components/run-triggers.tsx';
import { Pending } from '../components/feedback.tsx';
import { StateBadge, StateDot } from '../components/state.tsx';
import { Duration, Elapsed, Relative, Time } from '../components/time.tsx';
import { UnservedQueues } from '../components/unserved-queues.tsx';
import { usePoll } from '../hooks.ts';
import { useTaskInstances } from '../instances.ts';
import { prettyJson } from '../lib/format.ts';
import { href } from '../lib/routes.ts';
import { Link, useSearchParam } from '../router.tsx';
import { Breadcrumbs } from './dag.tsx';
import { MappedInstances } from './mapped-instances.tsx';
import { Can } from '../me.tsx';

const LIVE_STATES = new Set(['scheduled', 'queued', 'running', 'up_for_retry', 'up_for_reschedule']);

export function TaskInstancePage({ dagId, runId, taskId, mapIndex }: { dagId: string; runId: string; taskId: string; mapIndex?: number }) {
  if (mapIndex !== undefined) return <InstanceView dagId={dagId} runId={runId} taskId={taskId} mapIndex={mapIndex} />;
  return <TaskPage dagId={dagId} runId={runId} taskId={taskId} />;
}

/**
 * Mapped or not is told by the run's instances of the task: a mapped task not expanded yet is one
 * instance with map index -1, shown as such until its instances appear (the list is polled).
 */
function TaskPage({ dagId, runId, taskId }: { dagId: string; runId: string; taskId: string }) {
  // Every two seconds, as lists are polled.
  const instances = useTaskInstances(dagId, runId, { taskId, intervalMs: 2000 });
  if (!instances.data) {
    return (
      <div class="page">
        <Breadcrumbs dagId={dagId} runId={runId} taskId={taskId} />
        <Pending error={instances.error} what={`task ${taskId}`} />
      </div>
    );
  }
  if (instances.data.some((ti) => ti.mapIndex >= 0)) {
    return <MappedInstances dagId={dagId} runId={runId} taskId={taskId} instances={instances.data} error={instances.error} />;
  }
  return <InstanceView dagId={dagId} runId={runId} taskId={taskId} mapIndex={-1} />;
}

/** One task instance; mapIndex -1 for an unmapped task's. */
function InstanceView({ dagId, runId, taskId, mapIndex }: { dagId: string; runId: string; taskId: string; mapIndex: number }) {
  const ref: TaskInstanceRef = mapIndex >= 0 ? { taskId, mapIndex } : taskId;
  const mapped = mapIndex >= 0 ? { mapIndex } : {};
  const name = mapIndex >= 0 ? `${taskId} [${mapIndex}]` : taskId;
  const key = JSON.stringify([dagId, runId, taskId, mapIndex]);
  const ti = usePoll(`ti:${key}`, (signal) => api.taskInstances.get(dagId, runId, ref, { signal }));
  const tries = usePoll(`tries:${key}`, (signal) => api.taskInstances.tries(dagId, runId, ref, {}, { signal }));
  const dag = usePoll(`dag:${dagId}`, (signal) => api.dags.get(dagId, { signal }), 10_000);
  const [tryParam, setTryParam] = useSearchParam('try');
  const [clearing, setClearing] = useState<ClearTarget | undefined>();
  const [marking, setMarking] = useState<MarkTarget | undefined>();

  if (!ti.data) {
    return (
      <div class="page">
        <Breadcrumbs dagId={dagId} runId={runId} taskId={taskId} {...mapped} />
        <Pending error={ti.error} what={`task instance ${name}`} />
      </div>
    );
  }
  const t = ti.data;
  const sensor = dag.data?.tasks.find((task) => task.taskId === taskId)?.sensor ?? null;
  const tryList = tries.data?.taskInstanceTries ?? [];
  const shownTry = Number(tryParam) || t.tryNumber;
  const shown = tryList.find((x) => x.tryNumber === shownTry);
  const live = LIVE_STATES.has(t.state) && shownTry === t.tryNumber;
  const failedError = shown?.error ?? (shownTry === t.tryNumber ? t.error : null);

  return (
    <div class="page">
      <Breadcrumbs dagId={dagId} runId={runId} taskId={taskId} {...mapped} />
      {t.state === 'queued' && <UnservedQueues dagId={dagId} only={t} />}
      <div class="page-head">
        <StateBadge state={t.state} />
        <h1 class="mono">{name}</h1>
        {mapIndex >= 0 && (
          <Link href={href.task(dagId, runId, taskId)} class="small">
            ← all instances
          </Link>
        )}
        <span class="spacer" />
        <Can role="operator">
          <button
            type="button"
            // A mapped task is cleared whole (every instance, expanded again): the button says so.
            title={mapIndex >= 0 ? `Clears every instance of ${taskId}` : undefined}
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
            {mapIndex >= 0 ? 'Clear task…' : 'Clear…'}
          </button>
          <button type="button" disabled={t.state === 'success'} onClick={() => setMarking({ dagId, runId, taskId, ...mapped, state: 'success' })}>
            Mark success…
          </button>
          <button type="button" disabled={t.state === 'failed'} onClick={() => setMarking({ dagId, runId, taskId, ...mapped, state: 'failed' })}>
            Mark failed…
          </button>
        </Can>
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
        <Fact label={t.state === 'up_for_reschedule' ? 'Last check' : 'Ended'}>
          <Time iso={t.endDate} />
        </Fact>
        <Fact label="Duration">
          {/* A sensor between checks is still in its try, which began at its first check. */}
          {t.state === 'running' || t.state === 'up_for_reschedule' ? (
            <Elapsed start={t.startDate} end={null} />
          ) : (
            <Elapsed start={t.startDate} end={t.endDate} />
          )}
        </Fact>
        {t.nextTryAt && (
          <Fact label={t.state === 'up_for_reschedule' ? 'Next check' : 'Next try'}>
            <Relative iso={t.nextTryAt} />
          </Fact>
        )}
        {sensor && (
          <Fact label="Sensor">
            {sensor.mode} · every <Duration ms={sensor.pokeIntervalMs} />
            {sensor.exponentialBackoff ? ', doubling' : ''} · timeout <Duration ms={sensor.timeoutMs} />
            {sensor.softFail ? ' (then skipped)' : ''}
          </Fact>
        )}
        <Fact label="Host">{t.hostname ?? '—'}</Fact>
        <Fact label="Pool · queue">
          {t.pool} · {t.queue}
        </Fact>
        <Fact label="Trigger rule">{t.triggerRule}</Fact>
        <TriggeredByInstance dagId={dagId} runId={runId} taskId={taskId} mapIndex={mapIndex} />
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
        <LogView dagId={dagId} runId={runId} taskId={taskId} mapIndex={mapIndex} tryNumber={shownTry} live={live} />
      ) : (
        <p class="muted">This task has not been tried yet, so it has no log.</p>
      )}
      <XcomView dagId={dagId} runId={runId} taskRef={ref} state={t.state} />
      {clearing && <ClearDialog target={clearing} onClose={() => setClearing(undefined)} />}
      {marking && <MarkDialog target={marking} onClose={() => setMarking(undefined)} />}
    </div>
  );
}

function XcomView({ dagId, runId, taskRef, state }: { dagId: string; runId: string; taskRef: TaskInstanceRef; state: string }) {
  // The value changes only when the task succeeds (or is cleared): poll slowly, keyed by state.
  const xcom = usePoll(
    `xcom:${JSON.stringify([dagId, runId, taskRef])}:${state}`,
    (signal) =>
      api.taskInstances.xcom(dagId, runId, taskRef, { signal }).catch((error: unknown) => {
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
