/**
 * The Gantt chart's names column: the grid's (style.css "Grid"), with a fold button on a task
 * group's row and on a mapped task's, whose instances then each get a row. Redrawn only when the
 * rows' names or folds change, not as their bars do.
 */
import type { GanttRow } from '../lib/gantt-rows.ts';
import { plural } from '../lib/format.ts';
import { memoWith } from './memo.ts';

interface Props {
  rows: GanttRow[];
  onToggleGroup: (groupId: string) => void;
  onToggleMapped: (taskId: string) => void;
}

/** What the column shows of the rows: their names and folds, not their bars. */
const signature = (rows: GanttRow[]) => rows.map((r) => `${r.key}:${r.kind === 'group' ? r.folded : r.kind === 'mapped' ? r.expanded : ''}`).join('\n');

export const GanttNames = memoWith(
  ({ rows, onToggleGroup, onToggleMapped }: Props) => (
    <div class="task-names">
      {rows.map((row) => {
        const indent = { paddingLeft: `calc(0.6rem + ${row.depth * 12}px)` };
        if (row.kind === 'task') {
          return (
            <div key={row.key} class="task-name mono" style={indent} title={row.mapIndex >= 0 ? `${row.taskId} [${row.mapIndex}]` : row.taskId}>
              {row.name}
            </div>
          );
        }
        const open = row.kind === 'group' ? !row.folded : row.expanded;
        const what = row.kind === 'group' ? `group ${row.groupId} (${plural(row.taskCount, 'task')})` : `${row.taskId}'s ${plural(row.count, 'mapped instance')}`;
        return (
          <div key={row.key} class="task-name group-name" style={indent} data-fold={row.key}>
            <button
              type="button"
              class="fold"
              aria-expanded={open}
              aria-label={`${open ? 'Fold' : 'Unfold'} ${what}`}
              onClick={() => (row.kind === 'group' ? onToggleGroup(row.groupId) : onToggleMapped(row.taskId))}
            >
              <span aria-hidden="true">{open ? '▾' : '▸'}</span> <span class="mono">{row.name}</span>
            </button>
            <span class="muted small"> {row.kind === 'group' ? row.taskCount : `[${row.count}]`}</span>
          </div>
        );
      })}
    </div>
  ),
  (a, b) => signature(a.rows) === signature(b.rows) && a.onToggleGroup === b.onToggleGroup && a.onToggleMapped === b.onToggleMapped,
);
