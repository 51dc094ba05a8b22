/**
 * The grid: recent runs (columns, oldest left) × tasks (rows, in dependency order), one coloured
 * cell per task instance. Rows re-render only when one of their cells changed, so a 100 × 50
 * grid stays smooth while it updates every second. A task group is a header row whose cells sum
 * up its tasks in each run, and which folds them away (kept per DAG with the graph's, prefs.tsx).
 * A mapped task is one row (its name marked `[ ]`): its cell in a run sums up its instances, the
 * most pressing state's colour with a bar of each state's share, and opens the list of them.
 */
import { useCallback, useMemo, useRef } from 'preact/hooks';
import { api } from '../api.ts';
import { RunCountSelect, useRunCount } from '../components/run-count.tsx';
import { Empty, Pending } from '../components/feedback.tsx';
import { memoWith } from '../components/memo.ts';
import { DAG_RUN_STATES, Legend, stateLabel } from '../components/state.tsx';
import { useNow, usePoll } from '../hooks.ts';
import { formatDateTime, formatDuration, plural, type TimeZoneMode } from '../lib/format.ts';
import { BAR_MIN_PX, cellsSignature, moveInGrid, runBarHeights, type CellPosition } from '../lib/grid-model.ts';
import { gridRows, rowsSignature, type GridRow } from '../lib/grid-rows.ts';
import { mappedSummary, splitBarBackground, type MappedCounts } from '../lib/mapped-cell.ts';
import { href } from '../lib/routes.ts';
import { describeCounts, summarizeStates } from '../lib/state-summary.ts';
import { monoLabelPx } from '../lib/text-width.ts';
import { useCollapsedGroups, usePrefs } from '../prefs.tsx';
import { Link, navigate, useSearchParam } from '../router.tsx';
import type { DagDetail, DagRun, Grid, GridCell, GridTask } from '../types.ts';

type TaskGroup = DagDetail['groups'][number];

/** mappedTasks: the tasks the DAG declares with expand (a task an old run had mapped is known by its cells). */
export function DagGrid({
  dagId,
  hasSchedule,
  groups = [],
  mappedTasks = [],
}: {
  dagId: string;
  hasSchedule: boolean;
  groups?: TaskGroup[];
  mappedTasks?: string[];
}) {
  const [limit, setRunCount] = useRunCount();
  const [stateParam, setStateParam] = useSearchParam('state');
  const [offsetParam, setOffsetParam] = useSearchParam('offset');
  const offset = Math.max(0, Number(offsetParam) || 0);
  const state = DAG_RUN_STATES.find((s) => s === stateParam);
  const grid = usePoll(JSON.stringify(['grid', dagId, limit, offset, state]), (signal) => api.grid.get(dagId, { limit, offset, state }, { signal }));

  return (
    <div>
      <div class="toolbar">
        <RunCountSelect limit={limit} onChange={setRunCount} />
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
        <GridTable dagId={dagId} grid={grid.data} groups={groups} mappedTasks={mappedTasks} />
      )}
    </div>
  );
}

/** Pixel sizes the CSS uses too (style.css, "Grid"): cells line up by construction, not by table layout. */
const CELL_PX = 18;
const ROW_PX = 20;
/** How far each level of task groups is indented in the names column. */
const INDENT_PX = 12;

/**
 * Drawn column by column: live changes happen within runs (a running run's tasks, a cleared run),
 * so a change re-renders the one column it touched, and a new run adds one column.
 */
function GridTable({ dagId, grid, groups, mappedTasks }: { dagId: string; grid: Grid; groups: TaskGroup[]; mappedTasks: string[] }) {
  const runs = useMemo(() => [...grid.dagRuns].reverse(), [grid]); // oldest on the left, as in Airflow
  const taskIds = useMemo(() => grid.tasks.map((t) => t.taskId), [grid]);
  const [collapsed, setCollapsed] = useCollapsedGroups(dagId);
  const rows = useMemo(() => gridRows(grid.tasks, collapsed), [grid, collapsed]);
  const rowKey = rowsSignature(rows);
  const boxRef = useRef<HTMLDivElement>(null);
  const focus = useRef<CellPosition>({ row: 0, col: runs.length - 1 });
  // Mapped tasks: those the DAG declares so, and those a run shown has mapped (a task since removed, or changed).
  const declared = mappedTasks.join('\n');
  const mappedKey = useMemo(() => {
    const inRuns = taskIds.filter((taskId) => grid.dagRuns.some((r) => grid.taskInstances[r.dagRunId]?.[taskId]?.mapped));
    return [...new Set([...mappedTasks, ...inRuns])].sort().join('\n');
  }, [grid, taskIds, declared]);
  const mapped = useMemo(() => new Set(mappedKey ? mappedKey.split('\n') : []), [mappedKey]);
  const nameWidth = Math.min(352, Math.max(120, ...rows.map((row) => nameWidthOf(row, mapped))));
  // The names column is memoised: its toggle reads the current set, not the one it was drawn with.
  const collapsedRef = useRef(collapsed);
  collapsedRef.current = collapsed;
  const toggleGroup = useCallback(
    (groupId: string) => {
      const current = collapsedRef.current;
      setCollapsed(current.has(groupId) ? [...current].filter((g) => g !== groupId) : [...current, groupId]);
    },
    [setCollapsed],
  );

  const onKeyDown = (event: KeyboardEvent) => {
    const box = boxRef.current;
    // Keys on a group's fold button are the button's, not moves between cells.
    if (!(event.target as Element).closest('[data-cell]')) return;
    const next = moveInGrid(focus.current, event.key, rows.length, runs.length);
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
          <TaskNames tasks={grid.tasks} rows={rows} rowKey={rowKey} groups={groups} onToggle={toggleGroup} mapped={mapped} mappedKey={mappedKey} />
          {runs.map((run, col) => {
            const cellOf = grid.taskInstances[run.dagRunId] ?? {};
            return (
              <RunColumn
                key={run.dagRunId}
                dagId={dagId}
                runId={run.dagRunId}
                col={col}
                rows={rows}
                rowKey={rowKey}
                cellOf={cellOf}
                // Every task's cell, shown or folded: a folded group's cells sum its tasks' up.
                signature={cellsSignature(taskIds.map((taskId) => cellOf[taskId]))}
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

/** The names column's width for a row: its indent, its name, for a mapped task its ` [ ]`, for a group its marker and count. */
function nameWidthOf(row: GridRow, mapped: ReadonlySet<string>): number {
  const indent = row.depth * INDENT_PX;
  if (row.kind === 'group') return indent + monoLabelPx(row.name.length + 2, 28) + 48;
  return indent + monoLabelPx(row.name.length + (mapped.has(row.taskId) ? 4 : 0), 28);
}

interface NamesProps {
  tasks: GridTask[];
  rows: GridRow[];
  /** rowsSignature(rows): compared instead of the array, which is new whenever the grid is. */
  rowKey: string;
  groups: TaskGroup[];
  onToggle: (groupId: string) => void;
  /** Tasks mapped in a shown run, and the same as a string to compare. */
  mapped: ReadonlySet<string>;
  mappedKey: string;
}

const TaskNames = memoWith(
  ({ tasks, rows, groups, onToggle, mapped }: NamesProps) => {
    const byId = new Map(tasks.map((t) => [t.taskId, t]));
    const tooltips = new Map(groups.map((g) => [g.groupId, g.tooltip]));
    return (
      <div class="task-names">
        {rows.map((row, index) => {
          const indent = { paddingLeft: `calc(0.6rem + ${row.depth * INDENT_PX}px)` };
          if (row.kind === 'group') {
            const title = [row.groupId, tooltips.get(row.groupId), plural(row.taskIds.length, 'task')].filter(Boolean).join('\n');
            return (
              <div key={`group:${row.groupId}`} class="task-name group-name" data-row={index} data-group-id={row.groupId} style={indent} title={title}>
                <button
                  type="button"
                  class="fold"
                  aria-expanded={!row.folded}
                  aria-label={`${row.folded ? 'Unfold' : 'Fold'} group ${row.groupId} (${plural(row.taskIds.length, 'task')})`}
                  onClick={() => onToggle(row.groupId)}
                >
                  <span aria-hidden="true">{row.folded ? '▸' : '▾'}</span> <span class="mono">{row.name}</span>
                </button>
                <span class="muted small"> {row.taskIds.length}</span>
              </div>
            );
          }
          const task = byId.get(row.taskId);
          return (
            <div
              key={row.taskId}
              class="task-name mono"
              data-row={index}
              style={indent}
              title={
                (task ? `${task.taskId}\ntrigger rule: ${task.triggerRule}\nupstream: ${task.upstream.join(', ') || 'none'}` : row.taskId) +
                (mapped.has(row.taskId) ? '\nmapped: one instance per element' : '')
              }
            >
              {row.name}
              {mapped.has(row.taskId) && (
                <span class="muted" aria-label="(mapped)">
                  {' [ ]'}
                </span>
              )}
            </div>
          );
        })}
      </div>
    );
  },
  (a, b) =>
    a.rowKey === b.rowKey &&
    a.mappedKey === b.mappedKey &&
    JSON.stringify(a.tasks) === JSON.stringify(b.tasks) &&
    JSON.stringify(a.groups) === JSON.stringify(b.groups),
);

interface ColumnProps {
  dagId: string;
  runId: string;
  col: number;
  rows: GridRow[];
  /** rowsSignature(rows): compared instead of the array, which is new whenever the grid is. */
  rowKey: string;
  cellOf: Record<string, GridCell>;
  signature: string;
  focusRow: number;
}

/**
 * A run's column of cells: re-rendered only when one of its cells changed. Its 50-odd cells are
 * then simply diffed: a component per cell would cost more on the first render than it saves here.
 */
const RunColumn = memoWith(
  ({ dagId, runId, col, rows, cellOf, focusRow }: ColumnProps) => (
    <div class="run-col">
      {rows.map((row, index) => {
        const position = `${index}:${col}`;
        const tabIndex = index === focusRow ? 0 : -1;
        if (row.kind === 'group') return groupCell(dagId, runId, row, cellOf, position, tabIndex);
        const { taskId } = row;
        const cell = cellOf[taskId];
        if (!cell) {
          return <span key={taskId} class="cell absent" title={`${taskId} is not part of this run`} data-cell={position} tabIndex={tabIndex} />;
        }
        if (cell.mapped) return mappedTaskCell(dagId, runId, taskId, cell, cell.mapped, position, tabIndex);
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
  (a, b) => a.signature === b.signature && a.col === b.col && a.focusRow === b.focusRow && a.runId === b.runId && a.rowKey === b.rowKey,
);

/** A group's cell in a run: its tasks' most pressing state, their counts in the title; it opens the run. */
function groupCell(dagId: string, runId: string, row: Extract<GridRow, { kind: 'group' }>, cellOf: Record<string, GridCell>, position: string, tabIndex: number) {
  const key = `group:${row.groupId}`;
  const summary = summarizeStates(row.taskIds.flatMap((taskId) => cellOf[taskId]?.state ?? []));
  if (!summary) {
    return <span key={key} class="cell group-cell absent" title={`No task of group ${row.groupId} is part of this run`} data-cell={position} tabIndex={tabIndex} />;
  }
  return (
    <a
      key={key}
      class={`cell group-cell st-${summary.state}`}
      href={href.run(dagId, runId)}
      title={`${row.groupId} (group) · ${stateLabel(summary.state)}\n${describeCounts(summary, stateLabel)}\n${runId}`}
      data-cell={position}
      data-state={summary.state}
      data-group-id={row.groupId}
      tabIndex={tabIndex}
    />
  );
}

/**
 * A mapped task's cell in a run: its instances' most pressing state, a bar of each state's share
 * at its foot when they differ, the counts in the title; it opens the task's list of instances.
 */
function mappedTaskCell(dagId: string, runId: string, taskId: string, cell: GridCell, mapped: MappedCounts, position: string, tabIndex: number) {
  const summary = mappedSummary(mapped);
  const counts = summary ? describeCounts(summary, stateLabel) : 'no instances';
  const duration = cell.durationMs !== null ? ` · ${formatDuration(cell.durationMs)}` : '';
  return (
    <a
      key={taskId}
      class={`cell mapped-cell st-${cell.state}`}
      href={href.task(dagId, runId, taskId)}
      title={`${taskId} · ${plural(mapped.count, 'mapped instance')} · ${stateLabel(cell.state)}\n${counts}\ntries up to ${cell.tryNumber} of ${cell.maxTries}${duration}\n${runId}`}
      data-cell={position}
      data-state={cell.state}
      data-mapped-count={mapped.count}
      tabIndex={tabIndex}
    >
      {summary && summary.counts.length > 1 && <span class="split" aria-hidden="true" style={{ background: splitBarBackground(summary) }} />}
    </a>
  );
}
