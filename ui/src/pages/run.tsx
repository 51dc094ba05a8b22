/** One run: its facts and conf (with the task that triggered it), its task instances with clear and mark (or their Gantt chart), the runs they triggered, and its callbacks. */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { ClearDialog, MarkDialog, RunMarkDialog, type ClearTarget, type MarkTarget, type RunMarkTarget } from '../actions/task-actions.tsx';
import { Fact, Facts } from '../components/facts.tsx';
import { Pending } from '../components/feedback.tsx';
import { RunAssetEvents } from '../components/run-asset-events.tsx';
import { RunCallbacks } from '../components/run-callbacks.tsx';
import { TriggeredByLink, TriggeredRuns } from '../components/run-triggers.tsx';
import { StateBadge } from '../components/state.tsx';
import { Elapsed, Time } from '../components/time.tsx';
import { UnservedQueues } from '../components/unserved-queues.tsx';
import { usePoll } from '../hooks.ts';
import { prettyJson, shortVersion } from '../lib/format.ts';
import { href, RUN_TABS, type RunTab } from '../lib/routes.ts';
import { Link } from '../router.tsx';
import type { DagDetail, TaskInstance, TaskState } from '../types.ts';
import { Breadcrumbs } from './dag.tsx';
import { RunGantt } from './run-gantt.tsx';
import { Can } from '../me.tsx';

const TAB_LABELS: Record<RunTab, string> = { instances: 'Task instances', gantt: 'Gantt' };

export function RunPage({ dagId, runId, tab }: { dagId: string; runId: string; tab: RunTab }) {
  const run = usePoll(`run:${dagId}:${runId}`, (signal) => api.dagRuns.get(dagId, runId, { signal }));
  const tis = usePoll(`tis:${dagId}:${runId}`, (signal) =>
    api.taskInstances.list(dagId, runId, {}, { signal }),
  );
  const dag = usePoll(`dag:${dagId}`, (signal) => api.dags.get(dagId, { signal }), 10_000);
  const [clearing, setClearing] = useState<ClearTarget | undefined>();
  const [marking, setMarking] = useState<MarkTarget | undefined>();
  const [markingRun, setMarkingRun] = useState<RunMarkTarget | undefined>();

  if (!run.data) {
    return (
      <div class="page">
        <Breadcrumbs dagId={dagId} runId={runId} />
        <Pending error={run.error} what={`run ${runId}`} />
      </div>
    );
  }
  const r = run.data;
  const instances = orderLikeDag(tis.data?.taskInstances ?? [], dag.data);
  const states: Record<string, TaskState> = Object.fromEntries(instances.map((ti) => [ti.taskId, ti.state]));
  const structure = dag.data?.tasks ?? instances.map((ti) => ({ taskId: ti.taskId, downstream: [] }));
  const clear = (taskIds: string[], onlyFailed = false) => setClearing({ dagId, runId, taskIds, tasks: structure, states, onlyFailed });
  const hasFailures = instances.some((ti) => ti.state === 'failed' || ti.state === 'upstream_failed');

  return (
    <div class="page">
      <Breadcrumbs dagId={dagId} runId={runId} />
      <UnservedQueues dagId={dagId} />
      <div class="page-head">
        <StateBadge state={r.state} />
        <h1 class="mono">{r.dagRunId}</h1>
        <span class="spacer" />
        <Link class="button" href={`${href.dag(dagId, 'graph')}?run=${encodeURIComponent(runId)}`}>
          Graph
        </Link>
        <Can role="operator">
          {hasFailures && (
            <button type="button" onClick={() => clear([], true)}>
              Clear failed…
            </button>
          )}
          <button type="button" onClick={() => clear([])}>
            Clear run…
          </button>
          <button type="button" disabled={r.state === 'success'} onClick={() => setMarkingRun({ dagId, runId, state: 'success' })}>
            Mark run success…
          </button>
          <button type="button" disabled={r.state === 'failed'} onClick={() => setMarkingRun({ dagId, runId, state: 'failed' })}>
            Mark run failed…
          </button>
        </Can>
      </div>
      <Facts>
        <Fact label="Type">
          {r.runType}
          {r.backfillId !== null && (
            <>
              {' '}
              (<Link href={href.dag(dagId, 'backfills')}>backfill #{r.backfillId}</Link>)
            </>
          )}
        </Fact>
        {r.triggeredBy && (
          <Fact label="Triggered by">
            <TriggeredByLink by={r.triggeredBy} />
          </Fact>
        )}
        <Fact label="Logical date">
          <Time iso={r.logicalDate} />
        </Fact>
        <Fact label="Data interval">
          <Time iso={r.dataIntervalStart} /> → <Time iso={r.dataIntervalEnd} />
        </Fact>
        <Fact label="Queued">
          <Time iso={r.queuedAt} />
        </Fact>
        <Fact label="Started">
          <Time iso={r.startDate} />
        </Fact>
        <Fact label="Ended">
          <Time iso={r.endDate} />
        </Fact>
        <Fact label="Duration">
          <Elapsed start={r.startDate} end={r.endDate} />
        </Fact>
        <Fact label="DAG version">
          <Link class="mono" href={`${href.dag(dagId, 'code')}?version=${encodeURIComponent(r.dagVersion)}`} title="The code every try of this run runs">
            {shortVersion(r.dagVersion)}
          </Link>
        </Fact>
      </Facts>
      {Object.keys(r.conf).length > 0 && (
        <details class="conf">
          <summary>Conf</summary>
          <pre class="json">{prettyJson(r.conf)}</pre>
        </details>
      )}
      <RunAssetEvents events={r.consumedAssetEvents} />
      {run.error && <p class="stale">Live updates paused: {run.error.message}</p>}
      <nav class="tabs" aria-label="Run views">
        {RUN_TABS.map((t, i) => (
          <Link key={t} href={href.run(dagId, runId, t)} aria-current={t === tab ? 'page' : undefined} data-hotkey={String(i + 1)}>
            {TAB_LABELS[t]}
          </Link>
        ))}
      </nav>
      {/* The tab names the view; a heading still lets screen readers jump to it. */}
      <h2 class="sr-only">{TAB_LABELS[tab]}</h2>
      {tab === 'gantt' ? (
        <RunGantt dagId={dagId} runId={runId} tasks={dag.data?.tasks} />
      ) : !tis.data ? (
        <Pending error={tis.error} what="task instances" />
      ) : (
        <table class="table ti-table">
          <thead>
            <tr>
              <th>State</th>
              <th>Task</th>
              <th>Try</th>
              <th>Started</th>
              <th>Ended</th>
              <th>Duration</th>
              <th>Host</th>
              <th>
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {instances.map((ti) => (
              // A mapped task has a row per instance: the map index tells them apart.
              <tr key={`${ti.taskId}:${ti.mapIndex}`} data-task-id={ti.taskId} data-map-index={ti.mapIndex} data-state={ti.state}>
                <td>
                  <StateBadge state={ti.state} />
                </td>
                <td>
                  <Link href={ti.mapIndex >= 0 ? href.mappedInstance(dagId, runId, ti.taskId, ti.mapIndex) : href.task(dagId, runId, ti.taskId)} class="mono">
                    {ti.taskId}
                    {ti.mapIndex >= 0 && ` [${ti.mapIndex}]`}
                  </Link>
                  {ti.error && (ti.state === 'failed' || ti.state === 'up_for_retry') && (
                    <div class="error-line" title={ti.error}>
                      {ti.error.split('\n')[0]}
                    </div>
                  )}
                </td>
                <td class="num">
                  {ti.tryNumber}
                  <span class="muted">/{ti.maxTries}</span>
                </td>
                <td>
                  <Time iso={ti.startDate} />
                </td>
                <td>
                  <Time iso={ti.endDate} />
                </td>
                <td>
                  {ti.state === 'running' ? <Elapsed start={ti.startDate} end={null} /> : <Elapsed start={ti.startDate} end={ti.endDate} />}
                </td>
                <td class="small">{ti.hostname ?? <span class="muted">—</span>}</td>
                <td class="actions">
                  <Can role="operator">
                    <button type="button" class="small" onClick={() => clear([ti.taskId])} aria-label={`Clear ${ti.taskId}`}>
                      Clear
                    </button>
                    <button
                      type="button"
                      class="small"
                      disabled={ti.state === 'success'}
                      onClick={() => setMarking({ dagId, runId, taskId: ti.taskId, ...(ti.mapIndex >= 0 && { mapIndex: ti.mapIndex }), state: 'success' })}
                      aria-label={`Mark ${ti.taskId} success`}
                    >
                      Mark success
                    </button>
                    <button
                      type="button"
                      class="small"
                      disabled={ti.state === 'failed'}
                      onClick={() => setMarking({ dagId, runId, taskId: ti.taskId, ...(ti.mapIndex >= 0 && { mapIndex: ti.mapIndex }), state: 'failed' })}
                      aria-label={`Mark ${ti.taskId} failed`}
                    >
                      Mark failed
                    </button>
                  </Can>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <TriggeredRuns dagId={dagId} runId={runId} />
      <RunCallbacks dagId={dagId} runId={runId} />
      {clearing && <ClearDialog target={clearing} onClose={() => setClearing(undefined)} />}
      {marking && <MarkDialog target={marking} onClose={() => setMarking(undefined)} />}
      {markingRun && <RunMarkDialog target={markingRun} onClose={() => setMarkingRun(undefined)} />}
    </div>
  );
}

/** Task instances in the DAG's task order (upstream first), unknown ones last by name. */
function orderLikeDag(instances: TaskInstance[], dag: DagDetail | undefined): TaskInstance[] {
  if (!dag) return instances;
  const position = new Map(dag.tasks.map((t, i) => [t.taskId, i]));
  return [...instances].sort(
    (a, b) => (position.get(a.taskId) ?? Infinity) - (position.get(b.taskId) ?? Infinity) || a.taskId.localeCompare(b.taskId),
  );
}
