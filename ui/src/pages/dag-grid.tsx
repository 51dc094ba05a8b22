/**
 * The grid: recent runs (columns, oldest left) × tasks (rows, in dependency order), one coloured
 * cell per task instance. Rows re-render only when one of their cells changed, so a 100 × 50
 * grid stays smooth while it updates every second.
 */
import { memo } from 'preact/compat';
import { useRef } from 'preact/hooks';
import { apiPath, getJson, query } from '../api.ts';
import { Empty, Pending } from '../components/feedback.tsx';
import { DAG_RUN_STATES, Legend, stateLabel } from '../components/state.tsx';
import { useNow, usePoll } from '../hooks.ts';
import { formatDateTime, formatDuration, plural } from '../lib/format.ts';
import { moveInGrid, rowSignature, runBarHeights, type CellPosition } from '../lib/grid-model.ts';
import { href } from '../lib/routes.ts';
import { usePrefs } from '../prefs.tsx';
import { Link, navigate, useSearchParam } from '../router.tsx';
import type { Dag, DagRun, Grid, GridCell, GridTask } from '../types.ts';

const RUN_COUNTS = ['25', '50', '100', '365'] as const;

export function DagGrid({ dag }: { dag: Dag }) {
  const [runsParam, setRunsParam] = useSearchParam('runs');
  const [stateParam, setStateParam] = useSearchParam('state');
  const [offsetParam, setOffsetParam] = useSearchParam('offset');
  const limit = (RUN_COUNTS as readonly string[]).includes(runsParam ?? '') ? Number(runsParam) : 25;
  const offset = Math.max(0, Number(offsetParam) || 0);
  const state = stateParam && (DAG_RUN_STATES as readonly string[]).includes(stateParam) ? stateParam : undefined;
  const path = apiPath`/dags/${dag.dagId}/grid` + query({ limit, offset, state });
  const grid = usePoll(path, (signal) => getJson<Grid>(path, { signal }));

  return (
    <div>
      <div class="toolbar">
        <label class="inline">
          Runs
          <select value={String(limit)} onChange={(e) => setRunsParam(e.currentTarget.value === '25' ? null : e.currentTarget.value)}>
            {RUN_COUNTS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label class="inline">
          Run state
          <select value={state ?? ''} onChange={(e) => setStateParam(e.currentTarget.value || null)}>
            <option value="">any</option>
            {DAG_RUN_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {grid.data && (
          <span class="pager">
            <button type="button" disabled={offset + limit >= grid.data.totalEntries} onClick={() => setOffsetParam(String(offset + limit))} title="Older runs">
              ← Older
            </button>
            <span class="muted small">
              {grid.data.totalEntries === 0
                ? 'no runs'
                : `${offset + 1}–${Math.min(offset + limit, grid.data.totalEntries)} of ${plural(grid.data.totalEntries, 'run')}`}
            </span>
            <button type="button" disabled={offset === 0} onClick={() => setOffsetParam(offset - limit > 0 ? String(offset - limit) : null)} title="Newer runs">
              Newer →
            </button>
          </span>
        )}
        <span class="spacer" />
        <Legend />
      </div>
      {!grid.data ? (
        <Pending error={grid.error} what="the grid" />
      ) : grid.data.dagRuns.length === 0 ? (
        <Empty>
          {state ? `No ${state} runs.` : 'No runs yet.'} Trigger one with <kbd>t</kbd>
          {dag.schedule ? ', or wait for the schedule' : ''}.
        </Empty>
      ) : (
        <GridTable dagId={dag.dagId} grid={grid.data} />
      )}
    </div>
  );
}

function GridTable({ dagId, grid }: { dagId: string; grid: Grid }) {
  const runs = [...grid.dagRuns].reverse(); // oldest on the left, as in Airflow
  const anyRunning = runs.some((r) => !r.endDate);
  const now = useNow(2000, anyRunning);
  const heights = runBarHeights(runs, now);
  const tableRef = useRef<HTMLTableElement>(null);
  const focus = useRef<CellPosition>({ row: 0, col: runs.length - 1 });

  const onKeyDown = (event: KeyboardEvent) => {
    const table = tableRef.current;
    if (!table) return;
    if (event.key === 'Enter' && (event.target as HTMLElement).dataset.cell) return; // the link opens itself
    const next = moveInGrid(focus.current, event.key, grid.tasks.length, runs.length);
    if (!next) return;
    event.preventDefault();
    const from = table.querySelector<HTMLElement>(`[data-cell="${focus.current.row}:${focus.current.col}"]`);
    const to = table.querySelector<HTMLElement>(`[data-cell="${next.row}:${next.col}"]`);
    if (!to) return;
    if (from) from.tabIndex = -1;
    to.tabIndex = 0;
    to.focus();
    focus.current = next;
  };

  return (
    <div class="grid-scroll">
      <table class="grid" ref={tableRef} onKeyDown={onKeyDown} aria-label={`Task instances of the last ${plural(runs.length, 'run')}`}>
        <thead>
          <tr>
            <th class="task-col" scope="col">
              Task <span class="muted small">({grid.tasks.length})</span>
            </th>
            {runs.map((run, i) => (
              <RunHead key={run.dagRunId} dagId={dagId} run={run} height={heights[i] ?? 4} />
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.tasks.map((task, row) => {
            const cells = runs.map((r) => grid.taskInstances[r.dagRunId]?.[task.taskId]);
            return (
              <GridRow
                key={task.taskId}
                dagId={dagId}
                task={task}
                row={row}
                runIds={runs.map((r) => r.dagRunId)}
                cells={cells}
                signature={rowSignature(cells)}
                focusCol={row === 0 ? runs.length - 1 : -1}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RunHead({ dagId, run, height }: { dagId: string; run: DagRun; height: number }) {
  const { zone } = usePrefs();
  const title = [
    run.dagRunId,
    `${stateLabel(run.state)} · ${run.runType}`,
    `logical date ${formatDateTime(run.logicalDate, zone)}`,
    run.startDate && `started ${formatDateTime(run.startDate, zone)}`,
    run.endDate && `ended ${formatDateTime(run.endDate, zone)}`,
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <th scope="col" class="run-head">
      <Link href={href.run(dagId, run.dagRunId)} title={title} aria-label={`Run ${run.dagRunId}: ${run.state}`} tabIndex={-1}>
        <span class={`bar st-${run.state}`} style={{ height: `${height}px` }} />
      </Link>
    </th>
  );
}

interface RowProps {
  dagId: string;
  task: GridTask;
  row: number;
  runIds: string[];
  cells: (GridCell | undefined)[];
  signature: string;
  focusCol: number;
}

const GridRow = memo(
  function GridRow({ dagId, task, row, runIds, cells, focusCol }: RowProps) {
    return (
      <tr>
        <th scope="row" class="task-col mono" title={`${task.taskId}\ntrigger rule: ${task.triggerRule}\nupstream: ${task.upstream.join(', ') || 'none'}`}>
          {task.taskId}
        </th>
        {cells.map((cell, col) => {
          const runId = runIds[col]!;
          if (!cell) {
            return (
              <td key={runId}>
                <span class="cell absent" title={`${task.taskId} is not part of this run`} data-cell={`${row}:${col}`} tabIndex={col === focusCol ? 0 : -1} />
              </td>
            );
          }
          const title = `${task.taskId} · ${stateLabel(cell.state)}\ntry ${cell.tryNumber} of ${cell.maxTries}${cell.durationMs !== null ? ` · ${formatDuration(cell.durationMs)}` : ''}\n${runId}`;
          return (
            <td key={runId}>
              <a
                class={`cell st-${cell.state}`}
                href={href.task(dagId, runId, task.taskId)}
                title={title}
                aria-label={`${task.taskId} in ${runId}: ${stateLabel(cell.state)}`}
                data-cell={`${row}:${col}`}
                data-state={cell.state}
                tabIndex={col === focusCol ? 0 : -1}
                onClick={(event) => {
                  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
                  event.preventDefault();
                  navigate(href.task(dagId, runId, task.taskId));
                }}
              />
            </td>
          );
        })}
      </tr>
    );
  },
  (a, b) =>
    a.signature === b.signature &&
    a.row === b.row &&
    a.focusCol === b.focusCol &&
    a.runIds.join('\n') === b.runIds.join('\n') &&
    a.task.taskId === b.task.taskId &&
    a.task.triggerRule === b.task.triggerRule &&
    a.task.upstream.join('\n') === b.task.upstream.join('\n'),
);
