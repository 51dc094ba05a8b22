/**
 * A mapped task's page in a run: its instances' states summed up, then a dense table of them
 * (map index, state, tries, start, duration, error) that filters by state and sorts by a column,
 * one page of 100 rows drawn at a time so 10,000 instances stay responsive. Each map index opens
 * that instance's own page (task-instance.tsx). The view lives in the address (?state, sort, desc, page).
 */
import { useMemo, useState } from 'preact/hooks';
import { formatCount } from '../../../src/core/show-value.ts';
import { api, type ApiError } from '../api.ts';
import { ClearDialog, type ClearTarget } from '../actions/task-actions.tsx';
import { StateBadge, StateDot, stateLabel } from '../components/state.tsx';
import { Elapsed, Time } from '../components/time.tsx';
import { usePoll } from '../hooks.ts';
import { formatDuration, plural } from '../lib/format.ts';
import { errorSnippet, pageOf, readView, sortedRows, type SortKey, type TableView } from '../lib/mapped-instances.ts';
import { href } from '../lib/routes.ts';
import { describeCounts, summarizeStates } from '../lib/state-summary.ts';
import { Link, useSearchParam } from '../router.tsx';
import type { TaskInstance, TaskState } from '../types.ts';
import { Breadcrumbs } from './dag.tsx';
import { Can } from '../me.tsx';

const COLUMNS: Array<{ key: SortKey; label: string; numeric?: boolean }> = [
  { key: 'mapIndex', label: 'Map index', numeric: true },
  { key: 'state', label: 'State' },
  { key: 'tries', label: 'Try', numeric: true },
  { key: 'start', label: 'Started' },
  { key: 'duration', label: 'Duration', numeric: true },
];

interface Props {
  dagId: string;
  runId: string;
  taskId: string;
  instances: TaskInstance[];
  error: ApiError | undefined;
}

export function MappedInstances({ dagId, runId, taskId, instances, error }: Props) {
  const [stateParam, setStateParam] = useSearchParam('state');
  const [sortParam, setSortParam] = useSearchParam('sort');
  const [descParam, setDescParam] = useSearchParam('desc');
  const [pageParam, setPageParam] = useSearchParam('page');
  const view = readView({ state: stateParam, sort: sortParam, desc: descParam, page: pageParam });
  const [clearing, setClearing] = useState<ClearTarget | undefined>();
  const dag = usePoll(`dag:${dagId}`, (signal) => api.dags.get(dagId, { signal }), 10_000);

  const summary = useMemo(() => summarizeStates(instances.map((ti) => ti.state)), [instances]);
  const rows = useMemo(() => sortedRows(instances, view), [instances, view.state, view.sort, view.descending]);
  const shown = pageOf(rows, view.page);
  const total = instances.length;

  const setView = (next: Partial<TableView>) => {
    // Filtering or sorting starts again at the first page: the old page number means other rows.
    if ('state' in next) setStateParam(next.state ?? null);
    if ('sort' in next) setSortParam(next.sort === 'mapIndex' ? null : (next.sort ?? null));
    if ('descending' in next) setDescParam(next.descending ? '1' : null);
    setPageParam(next.page ? String(next.page + 1) : null);
  };
  const sortBy = (key: SortKey) => setView({ sort: key, descending: view.sort === key ? !view.descending : false });

  return (
    <div class="page">
      <Breadcrumbs dagId={dagId} runId={runId} taskId={taskId} />
      <div class="page-head">
        {summary && <StateBadge state={summary.state} />}
        <h1 class="mono">{taskId}</h1>
        <span class="muted" title={summary ? describeCounts(summary, stateLabel) : undefined}>
          mapped · {plural(total, 'instance')}
        </span>
        <span class="spacer" />
        <Can role="operator">
          <button
            type="button"
            onClick={() =>
              setClearing({
                dagId,
                runId,
                taskIds: [taskId],
                tasks: dag.data?.tasks ?? [{ taskId, downstream: [] }],
                // The summary's state is one of the instances' own, so a TaskState.
                states: { [taskId]: (summary?.state ?? 'none') as TaskState },
              })
            }
            title={`Clears every instance of ${taskId}; it expands again`}
          >
            Clear…
          </button>
        </Can>
      </div>
      {error && <p class="stale">Live updates paused: {error.message}</p>}
      <div class="toolbar">
        <div class="segmented small state-filter" role="group" aria-label="Show instances in state">
          <button type="button" aria-pressed={view.state === null} onClick={() => setView({ state: null })}>
            All <span class="num">{formatCount(total)}</span>
          </button>
          {(summary?.counts ?? []).map(([state, count]) => (
            <button key={state} type="button" aria-pressed={view.state === state} data-state={state} onClick={() => setView({ state })}>
              <StateDot state={state} /> {stateLabel(state)} <span class="num">{formatCount(count)}</span>
            </button>
          ))}
        </div>
        <span class="spacer" />
        <span class="pager">
          <button type="button" disabled={shown.page === 0} onClick={() => setView({ ...view, page: shown.page - 1 })}>
            ← Previous
          </button>
          <span class="muted small num" aria-live="polite">
            {rows.length === 0 ? 'none' : `${formatCount(shown.first + 1)}–${formatCount(shown.first + shown.rows.length)} of ${formatCount(rows.length)}`}
          </span>
          <button type="button" disabled={shown.page >= shown.pages - 1} onClick={() => setView({ ...view, page: shown.page + 1 })}>
            Next →
          </button>
        </span>
      </div>
      <table class="table dense mapped-table" aria-label={`Instances of ${taskId}`}>
        <thead>
          <tr>
            {COLUMNS.map((column) => {
              const sorted = view.sort === column.key;
              return (
                <th key={column.key} aria-sort={sorted ? (view.descending ? 'descending' : 'ascending') : 'none'} class={column.numeric ? 'narrow num' : 'narrow'}>
                  <button type="button" class="sort" onClick={() => sortBy(column.key)}>
                    {column.label}
                    <span aria-hidden="true">{sorted ? (view.descending ? ' ▾' : ' ▴') : ''}</span>
                  </button>
                </th>
              );
            })}
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {shown.rows.map((ti) => (
            <tr key={ti.mapIndex} data-map-index={ti.mapIndex} data-state={ti.state}>
              <td class="num">
                <Link href={href.mappedInstance(dagId, runId, taskId, ti.mapIndex)} class="mono" aria-label={`${taskId} [${ti.mapIndex}]: ${stateLabel(ti.state)}`}>
                  {ti.mapIndex}
                </Link>
              </td>
              <td>
                <StateBadge state={ti.state} />
              </td>
              <td class="num">
                {ti.tryNumber}
                <span class="muted">/{ti.maxTries}</span>
              </td>
              <td>
                <Time iso={ti.startDate} />
              </td>
              <td class="num">
                {ti.durationMs !== null ? formatDuration(ti.durationMs) : ti.state === 'running' ? <Elapsed start={ti.startDate} end={null} /> : <span class="muted">—</span>}
              </td>
              <td>
                {ti.error && (
                  <div class="error-line" title={ti.error}>
                    {errorSnippet(ti.error)}
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p class="muted">No instance is {view.state ? stateLabel(view.state) : 'listed'}.</p>}
      {clearing && <ClearDialog target={clearing} onClose={() => setClearing(undefined)} />}
    </div>
  );
}
