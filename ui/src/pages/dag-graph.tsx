/**
 * The DAG's tasks and dependencies laid out left to right, coloured by the task instances of the
 * chosen run (the latest by default). A node opens its task instance.
 */
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Pending } from '../components/feedback.tsx';
import { Legend, stateLabel } from '../components/state.tsx';
import { usePoll } from '../hooks.ts';
import { formatDateTime, formatDuration } from '../lib/format.ts';
import { layoutDag, type Layout, type Point } from '../lib/graph-layout.ts';
import { href } from '../lib/routes.ts';
import { monoLabelPx } from '../lib/text-width.ts';
import { usePrefs } from '../prefs.tsx';
import { navigate, useSearchParam } from '../router.tsx';
import type { DagDetail } from '../types.ts';

const NODE_HEIGHT = 38;
const ZOOMS = [0.5, 0.75, 1, 1.25] as const;

export function DagGraph({ dag }: { dag: DagDetail }) {
  const { zone } = usePrefs();
  const [runParam, setRunParam] = useSearchParam('run');
  const [zoom, setZoom] = useState(1);
  const runs = usePoll(`graph-runs:${dag.dagId}`, (signal) => api.dagRuns.list(dag.dagId, { limit: 50 }, { signal }), 2000);
  const runId = runParam ?? runs.data?.dagRuns[0]?.dagRunId ?? null;
  const tis = usePoll(runId ? `tis:${dag.dagId}:${runId}` : null, (signal) => api.taskInstances.list(dag.dagId, runId!, {}, { signal }));
  const layout = useMemo(() => layoutTasks(dag), [JSON.stringify(dag.tasks.map((t) => [t.taskId, t.downstream]))]);
  const byTask = new Map((tis.data?.taskInstances ?? []).map((ti) => [ti.taskId, ti]));
  const runList = runs.data?.dagRuns ?? [];

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
          {layout.edges.map((e) => (
            <path key={`${e.from}>${e.to}`} class="edge" d={edgePath(e.points)} marker-end="url(#arrow)" />
          ))}
          {layout.nodes.map((n) => {
            const ti = byTask.get(n.id);
            const state = ti?.state ?? 'none';
            const open = () => runId && ti && navigate(href.task(dag.dagId, runId, n.id));
            return (
              <g
                key={n.id}
                class={`node st-${state}${ti ? ' clickable' : ''}`}
                transform={`translate(${n.x},${n.y})`}
                tabIndex={ti ? 0 : -1}
                role={ti ? 'link' : undefined}
                aria-label={`${n.id}: ${stateLabel(state)}`}
                data-task-id={n.id}
                data-state={state}
                onClick={open}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') open();
                }}
              >
                <title>{`${n.id}\n${stateLabel(state)}${ti ? ` · try ${ti.tryNumber} of ${ti.maxTries}` : ''}${ti?.durationMs != null ? ` · ${formatDuration(ti.durationMs)}` : ''}`}</title>
                <rect width={n.width} height={n.height} rx={6} class="node-box" />
                <rect width={6} height={n.height} rx={3} class="node-state" />
                <text x={14} y={16} class="node-label">
                  {n.id}
                </text>
                <text x={14} y={30} class="node-sub">
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

function layoutTasks(dag: DagDetail): Layout {
  const nodes = dag.tasks.map((t) => ({ id: t.taskId, width: Math.max(120, monoLabelPx(t.taskId.length, 28)), height: NODE_HEIGHT }));
  const edges = dag.tasks.flatMap((t) => t.downstream.map((d) => ({ from: t.taskId, to: d })));
  return layoutDag(nodes, edges);
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
