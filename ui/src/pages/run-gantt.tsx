/**
 * A run's Gantt tab: its task instances' tries along a time axis (components/gantt-chart.tsx),
 * live while the run goes on. Task groups fold as in the grid and the graph (the same folds,
 * kept per DAG); a mapped task is one row until it is unfolded into its instances.
 */
import { useCallback, useMemo, useRef, useState } from 'preact/hooks';
import { Empty, Pending } from '../components/feedback.tsx';
import { GanttChart } from '../components/gantt-chart.tsx';
import { Legend, TASK_STATES } from '../components/state.tsx';
import { useTaskInstances } from '../instances.ts';
import { ganttRows } from '../lib/gantt-rows.ts';
import { useCollapsedGroups } from '../prefs.tsx';
import { useRunTries } from '../run-tries.ts';

/**
 * The mapped tasks unfolded, per run, for as long as the tab is open: back from an instance's
 * page, the chart is as it was left.
 */
const unfolded = new Map<string, ReadonlySet<string>>();

/** The states a try can be drawn in: the others (none, scheduled, upstream failed) never start one. */
const TRY_STATES = TASK_STATES.filter((s) => !['none', 'scheduled', 'upstream_failed'].includes(s));

export function RunGantt({ dagId, runId, tasks }: { dagId: string; runId: string; tasks: readonly { taskId: string; group: string | null }[] | undefined }) {
  const instances = useTaskInstances(dagId, runId);
  const tries = useRunTries(dagId, runId);
  const [collapsed, setCollapsed] = useCollapsedGroups(dagId);
  const runKey = JSON.stringify([dagId, runId]);
  const [expanded, setExpandedState] = useState<ReadonlySet<string>>(() => unfolded.get(runKey) ?? new Set());
  const setExpanded = useCallback((next: ReadonlySet<string>) => {
    unfolded.set(runKey, next);
    setExpandedState(next);
  }, [runKey]);
  const rows = useMemo(
    () => ganttRows(tasks ?? [], instances.data ?? [], tries.data ?? [], collapsed, expanded),
    [tasks, instances.data, tries.data, collapsed, expanded],
  );
  // The names column is memoised: its toggles read the current sets, not those it was drawn with.
  const current = useRef({ collapsed, expanded });
  current.current = { collapsed, expanded };
  const toggleGroup = useCallback((groupId: string) => setCollapsed(flip(current.current.collapsed, groupId)), [setCollapsed]);
  const toggleMapped = useCallback((taskId: string) => setExpanded(new Set(flip(current.current.expanded, taskId))), [setExpanded]);

  if (!instances.data || !tries.data) return <Pending error={instances.error ?? tries.error} what="the tries of this run" />;
  if (rows.length === 0) return <Empty>This run has no task instances.</Empty>;
  return (
    <div>
      <div class="toolbar">
        <Legend states={TRY_STATES} />
        <span class="legend small">
          <span class="dot gantt-queued-dot" aria-hidden="true" /> waiting in the queue
        </span>
      </div>
      <GanttChart dagId={dagId} runId={runId} rows={rows} onToggleGroup={toggleGroup} onToggleMapped={toggleMapped} />
    </div>
  );
}

function flip(set: ReadonlySet<string>, id: string): string[] {
  return set.has(id) ? [...set].filter((x) => x !== id) : [...set, id];
}
