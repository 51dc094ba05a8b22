/**
 * The grid: recent runs (columns, oldest left) × tasks (rows, in dependency order), one coloured
 * cell per task instance. Rows re-render only when one of their cells changed, so a 100 × 50
 * grid stays smooth while it updates every second.
 */
import { useMemo, useRef } from 'preact/hooks';
import { api } from '../api.ts';
import { Empty, Pending } from '../components/feedback.tsx';
import { memoWith } from '../components/memo.ts';
import { DAG_RUN_STATES, Legend, stateLabel } from '../components/state.tsx';
import { useNow, usePoll } from '../hooks.ts';
import { formatDateTime, formatDuration, plural, type TimeZoneMode } from '../lib/format.ts';
import { BAR_MIN_PX, cellsSignature, moveInGrid, runBarHeights, type CellPosition } from '../lib/grid-model.ts';
import { href } from '../lib/routes.ts';
import { monoLabelPx } from '../lib/text-width.ts';
import { usePrefs } from '../prefs.tsx';
import { Link, navigate, useSearchParam } from '../router.tsx';
import type { DagRun, Grid, GridCell, GridTask } from '../types.ts';

const RUN_COUNTS = ['25', '50', '100', '365'] as const;

export function DagGrid({ dagId, hasSchedule }: { dagId: string; hasSchedule: boolean }) {
  const [runsParam, setRunsParam] = useSearchParam('runs');
  const [stateParam, setStateParam] = useSearchParam('state');
  const [offsetParam, setOffsetParam] = useSearchParam('offset');
  const limit = (RUN_COUNTS as readonly string[]).includes(runsParam ?? '') ? Number(runsParam) : 25;
  const offset = Math.max(0, Number(offsetParam) || 0);
  const state = DAG_RUN_STATES.find((s) => s === stateParam);
  const grid = usePoll(JSON.stringify(['grid', dagId, limit, offset, state]), (signal) => api.grid.get(dagId, { limit, offset, state }, { signal }));

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
            <button
              type="button"
              disabled={offset + limit >= grid.data.totalEntries}
              onClick={() => setOffsetParam(String(offset + limit))}
              title="Older runs"
            >
              ← Older
            </button>
            <span class="muted small">
              {grid.data.totalEntries === 0
                ? 'no runs'
                : `${offset + 1}–${Math.min(offset + limit, grid.data.totalEntries)} of ${plural(grid.data.totalEntries, 'run')}`}
            </span>
            <button
              type="button"
              disabled={offset === 0}
              onClick={() => setOffsetParam(offset - limit > 0 ? String(offset - limit) : null)}
              title="Newer runs"
            >
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
          {hasSchedule ? ', or wait for the schedule' : ''}.
        </Empty>
      ) : (
        <GridTable dagId={dagId} grid={grid.data} />
      )}
    </div>
  );
}

/** Pixel sizes the CSS uses too (style.css, "Grid"): cells line up by construction, not by table layout. */
const CELL_PX = 18;
const ROW_PX = 20;

/**
 * Drawn column by column: live changes happen within runs (a running run's tasks, a cleared run),
 * so a change re-renders the one column it touched, and a new run adds one column.
 */
function GridTable({ dagId, grid }: { dagId: string; grid: Grid }) {
  const runs = useMemo(() => [...grid.dagRuns].reverse(), [grid]); // oldest on the left, as in Airflow
  const taskIds = useMemo(() => grid.tasks.map((t) => t.taskId), [grid]);
  const taskKey = taskIds.join('\n');
  const boxRef = useRef<HTMLDivElement>(null);
  const focus = useRef<CellPosition>({ row: 0, col: runs.length - 1 });
  const nameWidth = Math.min(352, Math.max(120, monoLabelPx(Math.max(0, ...taskIds.map((id) => id.length)), 28)));

  const onKeyDown = (event: KeyboardEvent) => {
    const box = boxRef.current;
    const next = moveInGrid(focus.current, event.key, taskIds.length, runs.length);
    if (!box || !next) return;
    event.preventDefault();
    const from = box.querySelector<HTMLElement>(`[data-cell="${focus.current.row}:${focus.current.col}"]`);
    const to = box.querySelector<HTMLElement>(`[data-cell="${next.row}:${next.col}"]`);
    if (!to) return;
    if (from) from.tabIndex = -1;
    to.tabIndex = 0;
    to.focus();
    focus.current = next;
  };

  // One handler for every cell (a click, or Enter on a focused cell): 5,000 cells, no 5,000 closures.
  const onClick = (event: MouseEvent) => {
    const cell = (event.target as Element).closest<HTMLAnchorElement>('a.cell');
    if (!cell || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(cell.getAttribute('href')!);
  };

  // The row under the pointer is highlighted by a CSS variable, without re-rendering anything.
  const onPointerOver = (event: PointerEvent) => {
    const position = (event.target as Element).closest<HTMLElement>('[data-cell], [data-row]');
    const row = position?.dataset.row ?? position?.dataset.cell?.split(':')[0];
    boxRef.current?.style.setProperty('--hover-row', row ?? '-1');
  };

  return (
    <div class="grid-scroll">
      <div
        class="grid"
        ref={boxRef}
        role="group"
        aria-label={`Task instances of the last ${plural(runs.length, 'run')}: arrow keys move, Enter opens`}
        style={{ '--name-px': `${nameWidth}px`, '--cell-px': `${CELL_PX}px`, '--row-px': `${ROW_PX}px` }}
        onKeyDown={onKeyDown}
        onClick={onClick}
        onPointerOver={onPointerOver}
        onPointerLeave={() => boxRef.current?.style.setProperty('--hover-row', '-1')}
      >
        <RunBars dagId={dagId} runs={runs} taskCount={taskIds.length} />
        <div class="grid-body">
          <div class="row-highlight" aria-hidden="true" />
          <TaskNames tasks={grid.tasks} />
          {runs.map((run, col) => {
            const cells = taskIds.map((taskId) => grid.taskInstances[run.dagRunId]?.[taskId]);
            return (
              <RunColumn
                key={run.dagRunId}
                dagId={dagId}
                runId={run.dagRunId}
                col={col}
                taskIds={taskIds}
                taskKey={taskKey}
                cells={cells}
                signature={cellsSignature(cells)}
                focusRow={col === runs.length - 1 ? 0 : -1}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** The header: a bar per run, its height the run's duration. Only this part ticks with the clock. */
function RunBars({ dagId, runs, taskCount }: { dagId: string; runs: DagRun[]; taskCount: number }) {
  const { zone } = usePrefs();
  const now = useNow(
    2000,
    runs.some((r) => !r.endDate),
  );
  const heights = runBarHeights(runs, now);
  return (
    <div class="grid-head">
      <div class="grid-corner">
        Task <span class="muted small">({taskCount})</span>
      </div>
      {runs.map((run, i) => (
        <Link
          key={run.dagRunId}
          class="run-head"
          href={href.run(dagId, run.dagRunId)}
          title={runTitle(run, zone)}
          aria-label={`Run ${run.dagRunId}: ${run.state}`}
          tabIndex={-1}
        >
          <span class={`bar st-${run.state}`} style={{ height: `${heights[i] ?? BAR_MIN_PX}px` }} />
        </Link>
      ))}
    </div>
  );
}

function runTitle(run: DagRun, zone: TimeZoneMode): string {
  return [
    run.dagRunId,
    `${stateLabel(run.state)} · ${run.runType}`,
    `logical date ${formatDateTime(run.logicalDate, zone)}`,
    run.startDate && `started ${formatDateTime(run.startDate, zone)}`,
    run.endDate && `ended ${formatDateTime(run.endDate, zone)}`,
  ]
    .filter(Boolean)
    .join('\n');
}

const TaskNames = memoWith(
  ({ tasks }: { tasks: GridTask[] }) => (
    <div class="task-names">
      {tasks.map((task, row) => (
        <div
          key={task.taskId}
          class="task-name mono"
          data-row={row}
          title={`${task.taskId}\ntrigger rule: ${task.triggerRule}\nupstream: ${task.upstream.join(', ') || 'none'}`}
        >
          {task.taskId}
        </div>
      ))}
    </div>
  ),
  (a, b) => JSON.stringify(a.tasks) === JSON.stringify(b.tasks),
);

interface ColumnProps {
  dagId: string;
  runId: string;
  col: number;
  taskIds: string[];
  /** taskIds joined: compared instead of the array, which is new whenever the grid is. */
  taskKey: string;
  cells: (GridCell | undefined)[];
  signature: string;
  focusRow: number;
}

/**
 * A run's column of cells: re-rendered only when one of its cells changed. Its 50-odd cells are
 * then simply diffed: a component per cell would cost more on the first render than it saves here.
 */
const RunColumn = memoWith(
  ({ dagId, runId, col, taskIds, cells, focusRow }: ColumnProps) => (
    <div class="run-col">
      {cells.map((cell, row) => {
        const taskId = taskIds[row]!;
        const position = `${row}:${col}`;
        const tabIndex = row === focusRow ? 0 : -1;
        if (!cell) {
          return <span key={taskId} class="cell absent" title={`${taskId} is not part of this run`} data-cell={position} tabIndex={tabIndex} />;
        }
        const duration = cell.durationMs !== null ? ` · ${formatDuration(cell.durationMs)}` : '';
        return (
          <a
            key={taskId}
            class={`cell st-${cell.state}`}
            href={href.task(dagId, runId, taskId)}
            // Also the cell's accessible name (an empty link is named by its title).
            title={`${taskId} · ${stateLabel(cell.state)}\ntry ${cell.tryNumber} of ${cell.maxTries}${duration}\n${runId}`}
            data-cell={position}
            data-state={cell.state}
            tabIndex={tabIndex}
          />
        );
      })}
    </div>
  ),
  (a, b) => a.signature === b.signature && a.col === b.col && a.focusRow === b.focusRow && a.runId === b.runId && a.taskKey === b.taskKey,
);
