/**
 * The DAG's tasks and dependencies laid out left to right, coloured by the task instances of the
 * chosen run (the latest by default). A node opens its task instance. Task groups are boxes that
 * collapse into one node (graph-groups.tsx); which are collapsed is kept per DAG (prefs.tsx).
 * A mapped task's node is drawn as a stack marked [ ]; in a run that expanded it, with its instance
 * count, their most pressing state and a bar of each state's share; it opens the list of its instances.
 */
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Pending } from '../components/feedback.tsx';
import { GroupBox, GroupNode, StateBar } from '../components/graph-groups.tsx';
import { Legend, stateLabel } from '../components/state.tsx';
import { usePoll } from '../hooks.ts';
import { useTaskInstances } from '../instances.ts';
import { formatDateTime, formatDuration } from '../lib/format.ts';
import { type Point } from '../lib/graph-layout.ts';
import { layoutGrouped, type GroupedLayout } from '../lib/grouped-layout.ts';
import { href } from '../lib/routes.ts';
import { compactCount } from '../lib/mapped-cell.ts';
import { describeCounts, summarizeStates, type StateSummary } from '../lib/state-summary.ts';
import { groupName, localName } from '../lib/task-groups.ts';
import { monoLabelPx } from '../lib/text-width.ts';
import { useCollapsedGroups, usePrefs } from '../prefs.tsx';
import { navigate, useSearchParam } from '../router.tsx';
import type { DagDetail, TaskInstance } from '../types.ts';

const NODE_HEIGHT = 38;
const GROUP_NODE_HEIGHT = 46;
const ZOOMS = [0.5, 0.75, 1, 1.25] as const;

export function DagGraph({ dag }: { dag: DagDetail }) {
  const { zone } = usePrefs();
  const [runParam, setRunParam] = useSearchParam('run');
  const [zoom, setZoom] = useState(1);
  const runs = usePoll(`graph-runs:${dag.dagId}`, (signal) => api.dagRuns.list(dag.dagId, { limit: 50 }, { signal }), 2000);
  const runId = runParam ?? runs.data?.dagRuns[0]?.dagRunId ?? null;
  // Every page: a mapped task's 10,000 instances would not fit the first.
  const tis = useTaskInstances(dag.dagId, runId);
  const [collapsed, setCollapsed] = useCollapsedGroups(dag.dagId);
  const { byTask, mapped } = useMemo(() => instancesByTask(tis.data ?? []), [tis.data]);
  // Mapped: declared so, or mapped in this run (by an older version of the DAG). A mapped node is
  // wider (its count, "upstream failed 999/1000"): laid out again only when which tasks are changes.
  const mappedKey = [...new Set([...dag.tasks.filter((t) => t.mapped).map((t) => t.taskId), ...mapped.keys()])].sort().join('\n');
  const layout = useMemo(
    () => layoutTasks(dag, collapsed, new Set(mappedKey.split('\n'))),
    [JSON.stringify(dag.tasks.map((t) => [t.taskId, t.group, t.downstream])), collapsed, mappedKey],
  );
  const isMapped = new Set(mappedKey.split('\n'));
  const sensors = new Set(dag.tasks.filter((t) => t.sensor).map((t) => t.taskId));
  const runList = runs.data?.dagRuns ?? [];
  const tooltips = new Map(dag.groups.map((g) => [g.groupId, g.tooltip]));
  const groupIds = [...tooltips.keys()];
  const toggle = (groupId: string) =>
    setCollapsed(collapsed.has(groupId) ? [...collapsed].filter((g) => g !== groupId) : [...collapsed, groupId]);

  return (
    <div>
      <div class="toolbar">
        <label class="inline">
          Run
          <select value={runId ?? ''} onChange={(e) => setRunParam(e.currentTarget.value || null)} disabled={runList.length === 0} aria-label="Colour the graph by this run">
            {runList.length === 0 && <option value="">no runs yet</option>}
            {runParam && !runList.some((r) => r.dagRunId === runParam) && <option value={runParam}>{runParam}</option>}
            {runList.map((r) => (
              <option key={r.dagRunId} value={r.dagRunId}>
                {formatDateTime(r.logicalDate, zone)} · {r.runType} · {r.state}
              </option>
            ))}
          </select>
        </label>
        {groupIds.length > 0 && (
          <div class="segmented small" role="group" aria-label="Task groups">
            <button type="button" disabled={groupIds.every((g) => collapsed.has(g))} onClick={() => setCollapsed(groupIds)}>
              Collapse groups
            </button>
            <button type="button" disabled={collapsed.size === 0} onClick={() => setCollapsed([])}>
              Expand groups
            </button>
          </div>
        )}
        <div class="segmented small" role="group" aria-label="Zoom">
          {ZOOMS.map((z) => (
            <button key={z} type="button" aria-pressed={zoom === z} onClick={() => setZoom(z)}>
              {Math.round(z * 100)}%
            </button>
          ))}
        </div>
        <span class="spacer" />
        <Legend />
      </div>
      {runId && !tis.data && tis.error && <Pending error={tis.error} what="the run's task instances" />}
      <div class="graph-scroll">
        <svg
          class="graph"
          width={layout.width * zoom}
          height={layout.height * zoom}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          role="img"
          aria-label={`Graph of ${dag.dagId}: ${dag.tasks.length} tasks`}
        >
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
            </marker>
          </defs>
          {layout.boxes.map((group) => (
            <GroupBox key={group.groupId} group={group} tooltip={tooltips.get(group.groupId) ?? ''} onToggle={toggle} />
          ))}
          {layout.edges.map((e) => (
            <path
              key={`${e.from}>${e.to}`}
              class="edge"
              d={edgePath(e.points)}
              {...(e.reversed ? { 'marker-start': 'url(#arrow)' } : { 'marker-end': 'url(#arrow)' })}
            />
          ))}
          {layout.groupNodes.map((group) => (
            <GroupNode
              key={group.groupId}
              group={group}
              tooltip={tooltips.get(group.groupId) ?? ''}
              onToggle={toggle}
              summary={groupSummary(group.taskIds, byTask, mapped)}
            />
          ))}
          {layout.tasks.map(({ taskId, ...n }) => {
            const summary = mapped.get(taskId);
            const ti = byTask.get(taskId);
            if (isMapped.has(taskId)) {
              // Not expanded (yet) in this run: its one instance, map index -1, says where it stands.
              const reached = summary !== undefined || ti !== undefined;
              return (
                <MappedNode
                  key={taskId}
                  taskId={taskId}
                  label={layout.labels.get(taskId) ?? taskId}
                  node={n}
                  summary={summary ?? null}
                  state={summary?.state ?? ti?.state ?? 'none'}
                  open={runId && reached ? () => navigate(href.task(dag.dagId, runId, taskId)) : null}
                />
              );
            }
            const state = ti?.state ?? 'none';
            const open = () => runId && ti && navigate(href.task(dag.dagId, runId, taskId));
            return (
              <g
                key={taskId}
                class={`node st-${state}${ti ? ' clickable' : ''}`}
                transform={`translate(${n.x},${n.y})`}
                // Lower case: SVG attribute names keep their case, and `tabIndex` would not make it focusable.
                tabindex={ti ? 0 : -1}
                role={ti ? 'link' : undefined}
                aria-label={`${taskId}: ${stateLabel(state)}`}
                data-task-id={taskId}
                data-state={state}
                onClick={open}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') open();
                }}
              >
                <title>{`${taskId}\n${stateLabel(state)}${ti ? ` · try ${ti.tryNumber} of ${ti.maxTries}` : ''}${ti?.durationMs != null ? ` · ${formatDuration(ti.durationMs)}` : ''}`}</title>
                <rect width={n.width} height={n.height} rx={6} class="node-box" />
                <rect width={6} height={n.height} rx={3} class="node-state" />
                <text x={14} y={16} class="node-label">
                  {layout.labels.get(taskId) ?? taskId}
                </text>
                <text x={14} y={30} class="node-sub">
                  {/* A sensor says so: its "up for reschedule" is it waiting, not stuck. */}
                  {sensors.has(taskId) ? 'sensor · ' : ''}
                  {stateLabel(state)}
                  {ti && ti.tryNumber > 1 ? ` · try ${ti.tryNumber}` : ''}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
    </div>
  );
}

/** Inside a group's box a task is called by its own id: the box names the group (the full id is in its title). */
function taskLabels(dag: DagDetail): Map<string, string> {
  return new Map(dag.tasks.map((t) => [t.taskId, localName(t.taskId, t.group)]));
}

function layoutTasks(dag: DagDetail, collapsed: ReadonlySet<string>, mapped: ReadonlySet<string>): GroupedLayout & { labels: Map<string, string> } {
  const labels = taskLabels(dag);
  const sensors = new Set(dag.tasks.filter((t) => t.sensor).map((t) => t.taskId));
  const layout = layoutGrouped({
    tasks: dag.tasks,
    collapsed,
    taskSize: (taskId) => {
      const label = (labels.get(taskId) ?? taskId).length;
      // A mapped node: its name and " [10k]", and room for "upstream failed 999/1000" under it.
      if (mapped.has(taskId)) return { width: Math.max(170, monoLabelPx(label + 6, 28)), height: NODE_HEIGHT };
      // A sensor: room for "sensor · up for reschedule" under its name.
      return { width: Math.max(sensors.has(taskId) ? 175 : 120, monoLabelPx(label, 28)), height: NODE_HEIGHT };
    },
    // Room for "upstream failed 120/120" under the name, whatever the run shows.
    collapsedSize: (groupId) => ({ width: Math.max(170, monoLabelPx(groupName(groupId).length + 2, 28)), height: GROUP_NODE_HEIGHT }),
    // "▾ name · 1,000 tasks", all in the monospace font
    headerWidth: (groupId) => monoLabelPx(`▾ ${groupName(groupId)} · 1,000 tasks`.length, 20),
  });
  return { ...layout, labels };
}

/** The group's tasks' states in the chosen run: those the run has; a mapped task counts once, by its instances' summary, as in the grid. */
function groupSummary(taskIds: readonly string[], byTask: ReadonlyMap<string, TaskInstance>, mapped: ReadonlyMap<string, StateSummary>) {
  const states: string[] = [];
  for (const taskId of taskIds) {
    const state = mapped.get(taskId)?.state ?? byTask.get(taskId)?.state;
    if (state) states.push(state);
  }
  return summarizeStates(states);
}

/** An unmapped task's instance by task, and a mapped task's instances summed up. */
function instancesByTask(instances: readonly TaskInstance[]): { byTask: Map<string, TaskInstance>; mapped: Map<string, StateSummary> } {
  const byTask = new Map<string, TaskInstance>();
  const mappedStates = new Map<string, string[]>();
  for (const ti of instances) {
    if (ti.mapIndex < 0) byTask.set(ti.taskId, ti);
    else {
      const states = mappedStates.get(ti.taskId);
      if (states) states.push(ti.state);
      else mappedStates.set(ti.taskId, [ti.state]);
    }
  }
  const mapped = new Map<string, StateSummary>();
  for (const [taskId, states] of mappedStates) mapped.set(taskId, summarizeStates(states)!);
  return { byTask, mapped };
}

interface MappedNodeProps {
  taskId: string;
  label: string;
  node: { x: number; y: number; width: number; height: number };
  /** Its instances in the chosen run; null when the run has not expanded it. */
  summary: StateSummary | null;
  state: string;
  /** null: nothing to open (the run does not have the task). */
  open: (() => void) | null;
}

/** A stack of cards, marked [ ] (or [its count]): the instances' most pressing state, how many there are, a bar of each state's share. */
function MappedNode({ taskId, label, node, summary, state, open }: MappedNodeProps) {
  const counts = summary ? describeCounts(summary, stateLabel) : 'not expanded in this run';
  const lead = summary?.counts[0]![1] ?? 0;
  return (
    <g
      class={`node mapped-node st-${state}${open ? ' clickable' : ''}`}
      transform={`translate(${node.x},${node.y})`}
      tabindex={open ? 0 : -1}
      role={open ? 'link' : undefined}
      aria-label={summary ? `${taskId}, mapped into ${summary.total} instances: ${counts}` : `${taskId}, mapped: ${stateLabel(state)}, ${counts}`}
      data-task-id={taskId}
      data-state={state}
      data-mapped-count={summary?.total ?? 0}
      onClick={() => open?.()}
      onKeyDown={(e) => {
        if (e.key === 'Enter') open?.();
      }}
    >
      <title>{`${taskId} [${summary ? `${summary.total} mapped instances` : 'mapped'}]\n${stateLabel(state)}\n${counts}`}</title>
      <rect x={4} y={-4} width={node.width} height={node.height} rx={6} class="node-box stack" />
      <rect width={node.width} height={node.height} rx={6} class="node-box" />
      <rect width={6} height={node.height} rx={3} class="node-state" />
      <text x={14} y={16} class="node-label">
        {label}
        <tspan class="node-sub"> [{summary ? compactCount(summary.total) : ' '}]</tspan>
      </text>
      <text x={14} y={29} class="node-sub">
        {stateLabel(state)}
        {summary && (lead === summary.total ? ' all' : ` ${lead}/${summary.total}`)}
      </text>
      {summary && <StateBar summary={summary} x={14} y={node.height - 6} width={node.width - 22} />}
    </g>
  );
}

/** A smooth curve through the edge's points: horizontal tangents at every point, as flows read. */
function edgePath(points: Point[]): string {
  const [first, ...rest] = points;
  if (!first) return '';
  let d = `M ${first.x} ${first.y}`;
  let previous = first;
  for (const p of rest) {
    const mid = (previous.x + p.x) / 2;
    d += ` C ${mid} ${previous.y}, ${mid} ${p.y}, ${p.x} ${p.y}`;
    previous = p;
  }
  return d;
}
