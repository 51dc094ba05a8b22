/** The home page: every DAG at a glance, import errors on top, filters kept in the address. */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { PauseToggle } from '../actions/pause.tsx';
import { TriggerDialog } from '../actions/trigger.tsx';
import { Empty, Pending } from '../components/feedback.tsx';
import { memoWith } from '../components/memo.ts';
import { DAG_RUN_STATES, StateBadge, StateDot } from '../components/state.tsx';
import { Relative, Time } from '../components/time.tsx';
import { UnservedQueues } from '../components/unserved-queues.tsx';
import { AssetSchedule } from '../components/asset-schedule.tsx';
import { usePoll } from '../hooks.ts';
import { formatDateTime, plural } from '../lib/format.ts';
import { filterDags, tagsOf, type DagFilter } from '../lib/dag-filter.ts';
import { href } from '../lib/routes.ts';
import { usePrefs } from '../prefs.tsx';
import { Link, useSearchParam } from '../router.tsx';
import type { DagListEntry, ImportError } from '../types.ts';
import { Can } from '../me.tsx';

const STATUSES = ['all', 'active', 'paused'] as const;

export function DagsPage() {
  const dags = usePoll('dags', (signal) => api.dags.list({ limit: 1000 }, { signal }), 2000);
  const errors = usePoll('importErrors', (signal) => api.importErrors.list({ limit: 1000 }, { signal }), 2000);
  const [search, setSearch] = useSearchParam('search');
  const [tag, setTag] = useSearchParam('tag');
  const [status, setStatus] = useSearchParam('status');
  const [lastState, setLastState] = useSearchParam('last');
  const [triggering, setTriggering] = useState<DagListEntry | undefined>();

  const filter: DagFilter = {
    search: search ?? '',
    tag: tag ?? undefined,
    status: (STATUSES as readonly string[]).includes(status ?? '') ? (status as DagFilter['status']) : 'all',
    lastRunState: lastState ?? undefined,
  };
  const all = dags.data?.dags ?? [];
  const { shown, counts } = filterDags(all, filter);
  const filtered = Boolean(filter.search || filter.tag || filter.lastRunState || filter.status !== 'all');

  return (
    <div class="page">
      {errors.data && errors.data.importErrors.length > 0 && <ImportErrors errors={errors.data.importErrors} />}
      <UnservedQueues />
      <div class="page-head">
        <h1>
          DAGs {dags.data && <span class="count">{dags.data.totalEntries}</span>}
        </h1>
      </div>
      <div class="toolbar" role="search">
        <input
          type="search"
          class="search"
          placeholder="Search DAGs  ( / )"
          aria-label="Search DAGs by id"
          data-hotkey-search
          value={filter.search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
        <div class="segmented" role="group" aria-label="Paused or active">
          {STATUSES.map((s) => (
            <button key={s} type="button" aria-pressed={filter.status === s} onClick={() => setStatus(s === 'all' ? null : s)}>
              {s[0]!.toUpperCase() + s.slice(1)} <span class="count">{counts[s]}</span>
            </button>
          ))}
        </div>
        <label class="inline">
          Last run
          <select value={filter.lastRunState ?? ''} onChange={(e) => setLastState(e.currentTarget.value || null)} aria-label="Filter by the state of the last run">
            <option value="">any state</option>
            {DAG_RUN_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
            <option value="none">no runs yet</option>
          </select>
        </label>
        <TagFilter tags={tagsOf(all)} selected={filter.tag} onSelect={(t) => setTag(t ?? null)} />
        {filtered && (
          <button
            type="button"
            class="link"
            onClick={() => {
              setSearch(null);
              setTag(null);
              setStatus(null);
              setLastState(null);
            }}
          >
            Clear filters
          </button>
        )}
      </div>
      {!dags.data ? (
        <Pending error={dags.error} what="DAGs" />
      ) : all.length === 0 ? (
        <Empty>
          <p>
            <strong>No DAGs yet.</strong> Add a <code>*.ts</code> file whose default export is a DAG to the DAGs folder
            (<code>SLUICE_DAGS_FOLDER</code>); it shows here within a few seconds.
          </p>
        </Empty>
      ) : shown.length === 0 ? (
        <Empty>No DAG matches these filters.</Empty>
      ) : (
        <table class="table dags-table">
          <thead>
            <tr>
              <th class="narrow" title="Active / paused">
                On
              </th>
              <th>DAG</th>
              <th>Schedule</th>
              <th>Recent runs</th>
              <th>Last run</th>
              <th>Next run</th>
              <th class="narrow">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((dag) => (
              <DagRow key={dag.dagId} dag={dag} onTag={setTag} onTrigger={setTriggering} />
            ))}
          </tbody>
        </table>
      )}
      {triggering && <TriggerDialog dag={triggering} onClose={() => setTriggering(undefined)} />}
    </div>
  );
}

function ImportErrors({ errors }: { errors: ImportError[] }) {
  return (
    <section class="banner banner-error" aria-label="Import errors">
      <details open>
        <summary>
          <strong>{plural(errors.length, 'import error')}</strong>: {errors.length === 1 ? 'this file' : 'these files'} could not be
          loaded; the other DAGs keep working.
        </summary>
        <ul class="import-errors">
          {errors.map((e) => (
            <li key={e.filename}>
              <div class="mono strong">{e.filename}</div>
              <pre>{e.message}</pre>
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}

function TagFilter({ tags, selected, onSelect }: { tags: string[]; selected: string | undefined; onSelect: (tag: string | undefined) => void }) {
  if (tags.length === 0) return null;
  return (
    <label class="inline">
      Tag
      <select value={selected ?? ''} onChange={(e) => onSelect(e.currentTarget.value || undefined)} aria-label="Filter by tag">
        <option value="">any tag</option>
        {tags.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
    </label>
  );
}

interface DagRowProps {
  dag: DagListEntry;
  onTag: (tag: string) => void;
  onTrigger: (dag: DagListEntry) => void;
}

/** A DAG's row, re-rendered only when that DAG's own entry changed (the list is refetched as a whole). */
const DagRow = memoWith(function DagRow({ dag, onTag, onTrigger }: DagRowProps) {
  const { zone } = usePrefs();
  const recent = [...(dag.recentDagRuns ?? [])].reverse();
  return (
    <tr class={dag.isPaused ? 'paused' : undefined} data-dag-id={dag.dagId}>
      <td>
        <PauseToggle dag={dag} />
      </td>
      <td>
        <Link href={href.dag(dag.dagId)} class="dag-link">
          {dag.dagId}
        </Link>
        {dag.description && <div class="muted small">{dag.description}</div>}
        {dag.tags.length > 0 && (
          <div class="tags">
            {dag.tags.map((t) => (
              <button key={t} type="button" class="tag" title={`Show DAGs tagged ${t}`} onClick={() => onTag(t)}>
                {t}
              </button>
            ))}
          </div>
        )}
      </td>
      <td>
        {dag.assetSchedule ? (
          <AssetSchedule uris={dag.assetSchedule} />
        ) : dag.schedule ? (
          <code>{dag.schedule}</code>
        ) : (
          <span class="muted">manual only</span>
        )}
        {dag.scheduleDescription && <div class="muted small">{dag.scheduleDescription}</div>}
      </td>
      <td>
        {recent.length === 0 ? (
          <span class="muted">no runs yet</span>
        ) : (
          <div class="run-strip" aria-label="Recent runs, oldest first">
            {recent.map((r) => (
              <Link key={r.dagRunId} href={href.run(dag.dagId, r.dagRunId)} class="strip-link">
                <StateDot state={r.state} title={`${formatDateTime(r.logicalDate, zone)} · ${r.runType} · ${r.state}`} />
              </Link>
            ))}
          </div>
        )}
      </td>
      <td>
        {dag.latestDagRun ? (
          <div>
            <StateBadge state={dag.latestDagRun.state} />
            <div class="small">
              <Link href={href.run(dag.dagId, dag.latestDagRun.dagRunId)}>
                <Time iso={dag.latestDagRun.logicalDate} seconds={false} />
              </Link>
            </div>
          </div>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
      <td>
        {dag.nextDagRunDataIntervalStart && !dag.isPaused ? (
          <div title={`Covers ${dag.nextDagRunDataIntervalStart} → ${dag.nextDagRunDataIntervalEnd} (UTC); created once it has ended`}>
            <Time iso={dag.nextDagRunDataIntervalStart} seconds={false} />
            <div class="muted small">
              runs <Relative iso={dag.nextDagRunDataIntervalEnd} />
            </div>
          </div>
        ) : (
          <span class="muted">{dag.isPaused && (dag.schedule || dag.assetSchedule) ? 'paused' : dag.assetSchedule ? 'when its assets update' : '—'}</span>
        )}
      </td>
      <td>
        <Can role="operator">
          <button type="button" class="icon-text" onClick={() => onTrigger(dag)} title={`Trigger ${dag.dagId} now`} aria-label={`Trigger ${dag.dagId}`}>
            ▶ Trigger
          </button>
        </Can>
      </td>
    </tr>
  );
}, (a, b) => JSON.stringify(a.dag) === JSON.stringify(b.dag));
