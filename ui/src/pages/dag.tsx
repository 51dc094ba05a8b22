/** One DAG: its header and actions, and tabs for the grid, graph, runs, backfills, details, code, task durations and audit log. */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { BackfillDialog } from '../actions/backfill.tsx';
import { PauseToggle } from '../actions/pause.tsx';
import { TriggerDialog } from '../actions/trigger.tsx';
import { AssetSchedule } from '../components/asset-schedule.tsx';
import { Fact, Facts } from '../components/facts.tsx';
import { Pending } from '../components/feedback.tsx';
import { Relative, Time } from '../components/time.tsx';
import { UnservedQueues } from '../components/unserved-queues.tsx';
import { usePoll } from '../hooks.ts';
import { DAG_TABS, href, type DagTab } from '../lib/routes.ts';
import { Link } from '../router.tsx';
import type { DagDetail } from '../types.ts';
import { AuditLogTable } from './audit-log.tsx';
import { BackfillList } from './backfills.tsx';
import { DagCode } from './dag-code.tsx';
import { DagDetails } from './dag-details.tsx';
import { DagDurations } from './dag-durations.tsx';
import { DagGraph } from './dag-graph.tsx';
import { DagGrid } from './dag-grid.tsx';
import { DagRuns } from './dag-runs.tsx';
import { Can } from '../me.tsx';

const TAB_LABELS: Record<DagTab, string> = {
  grid: 'Grid',
  graph: 'Graph',
  runs: 'Runs',
  backfills: 'Backfills',
  details: 'Details',
  code: 'Code',
  durations: 'Task duration',
  audit: 'Audit log',
};

export function DagPage({ dagId, tab }: { dagId: string; tab: DagTab }) {
  const dag = usePoll(`dag:${dagId}`, (signal) => api.dags.get(dagId, { signal }), 2000);
  const d = dag.data;
  // The grid, runs and backfills need only the id: they load alongside the DAG, not after it.
  const unknown = !d && dag.error !== undefined;
  return (
    <div class="page">
      <Breadcrumbs dagId={dagId} />
      <UnservedQueues dagId={dagId} />
      {d ? <DagHeader dag={d} /> : <Pending error={dag.error} what={`DAG ${dagId}`} />}
      {dag.error && d && <p class="stale">Live updates paused: {dag.error.message}</p>}
      {!unknown && (
        <>
          <nav class="tabs" aria-label="DAG views">
            {DAG_TABS.map((t, i) => (
              <Link key={t} href={href.dag(dagId, t)} aria-current={t === tab ? 'page' : undefined} data-hotkey={String(i + 1)}>
                {TAB_LABELS[t]}
              </Link>
            ))}
          </nav>
          <section class="tab-panel">
            {tab === 'grid' && <DagGrid dagId={dagId} hasSchedule={Boolean(d?.schedule || d?.assetSchedule)} groups={d?.groups} mappedTasks={d?.tasks.flatMap((t) => (t.mapped ? [t.taskId] : []))} />}
            {tab === 'graph' && d && <DagGraph dag={d} />}
            {tab === 'runs' && <DagRuns dagId={dagId} />}
            {tab === 'backfills' && <BackfillList dagId={dagId} />}
            {tab === 'details' && d && <DagDetails dag={d} />}
            {tab === 'code' && <DagCode dagId={dagId} />}
            {tab === 'durations' && <DagDurations dagId={dagId} taskIds={d?.tasks.map((t) => t.taskId)} />}
            {tab === 'audit' && <AuditLogTable dagId={dagId} />}
          </section>
        </>
      )}
    </div>
  );
}

function DagHeader({ dag: d }: { dag: DagDetail }) {
  const [dialog, setDialog] = useState<'trigger' | 'backfill' | undefined>();
  return (
    <>
      <div class="page-head">
        <PauseToggle dag={d} />
        <h1 class="mono">{d.dagId}</h1>
        {d.tags.map((t) => (
          <Link key={t} class="tag" href={`${href.dags()}?tag=${encodeURIComponent(t)}`}>
            {t}
          </Link>
        ))}
        <span class="spacer" />
        <Can role="operator">
          <button type="button" class="primary" data-hotkey="t" title="Trigger a run (t)" onClick={() => setDialog('trigger')}>
            ▶ Trigger
          </button>
          <button
            type="button"
            data-hotkey="b"
            disabled={!d.schedule}
            title={d.schedule ? 'Backfill a date range (b)' : 'A DAG without a schedule has no intervals to backfill'}
            onClick={() => setDialog('backfill')}
          >
            Backfill…
          </button>
        </Can>
      </div>
      {d.description && <p class="description">{d.description}</p>}
      <Facts>
        <Fact label="Schedule">
          {d.assetSchedule ? <AssetSchedule uris={d.assetSchedule} /> : d.schedule ? <code>{d.schedule}</code> : 'manual only'}
          {d.scheduleDescription && <span class="muted"> · {d.scheduleDescription}</span>}
        </Fact>
        <Fact label="Next run">
          {d.isPaused ? (
            <span class="muted">paused</span>
          ) : d.nextDagRunDataIntervalStart ? (
            <>
              <Time iso={d.nextDagRunDataIntervalStart} seconds={false} />{' '}
              <span class="muted">
                (runs <Relative iso={d.nextDagRunDataIntervalEnd} />)
              </span>
            </>
          ) : d.assetSchedule ? (
            <span class="muted">when its assets update</span>
          ) : (
            '—'
          )}
        </Fact>
        <Fact label="File">
          <span class="mono">{d.fileloc}</span>
        </Fact>
        {!d.isActive && (
          <Fact label="Status">
            <span class="field-error">its file no longer defines it: history only</span>
          </Fact>
        )}
      </Facts>
      {dialog === 'trigger' && <TriggerDialog dag={d} onClose={() => setDialog(undefined)} />}
      {dialog === 'backfill' && <BackfillDialog dagIds={[d.dagId]} dagId={d.dagId} onClose={() => setDialog(undefined)} />}
    </>
  );
}

/** With mapIndex, the task is a link back to its list of mapped instances. */
export function Breadcrumbs({ dagId, runId, taskId, mapIndex }: { dagId: string; runId?: string; taskId?: string; mapIndex?: number }) {
  return (
    <nav class="crumbs" aria-label="Breadcrumb">
      <Link href={href.dags()}>DAGs</Link>
      <span aria-hidden="true">/</span>
      {runId ? <Link href={href.dag(dagId)}>{dagId}</Link> : <span aria-current="page">{dagId}</span>}
      {runId && (
        <>
          <span aria-hidden="true">/</span>
          {taskId ? <Link href={href.run(dagId, runId)}>{runId}</Link> : <span aria-current="page">{runId}</span>}
        </>
      )}
      {runId && taskId && (
        <>
          <span aria-hidden="true">/</span>
          {mapIndex === undefined ? <span aria-current="page">{taskId}</span> : <Link href={href.task(dagId, runId, taskId)}>{taskId}</Link>}
        </>
      )}
      {runId && taskId && mapIndex !== undefined && (
        <>
          <span aria-hidden="true">/</span>
          <span aria-current="page">[{mapIndex}]</span>
        </>
      )}
    </nav>
  );
}
