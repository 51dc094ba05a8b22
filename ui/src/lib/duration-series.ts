/**
 * The task-duration chart's data: the runs along the x axis (oldest left, each at its own place,
 * so runs triggered seconds apart do not pile up), and per task a point per try, the latest try
 * of each run joined by the task's line. Pure, and unit-tested.
 */
import type { TaskDurationList } from '../types.ts';

export interface DurationPoint {
  /** The run's place on the x axis: 0 is the oldest shown. */
  run: number;
  dagRunId: string;
  tryNumber: number;
  state: string;
  /** Until now for a try still running. */
  durationMs: number;
  running: boolean;
  /** The latest try of the task in that run: the one its line goes through. */
  latest: boolean;
  mappedInstances: number | null;
}

export interface DurationSeries {
  taskId: string;
  points: DurationPoint[];
}

export interface DurationChartData {
  runs: TaskDurationList['dagRuns'];
  series: DurationSeries[];
}

/**
 * `order`: the DAG's tasks in its order; tasks only old runs have come after them, by name. A try
 * without a start (none are sent) is left out.
 */
export function durationSeries(answer: TaskDurationList, order: readonly string[], now: number): DurationChartData {
  const runs = [...answer.dagRuns].reverse();
  const place = new Map(runs.map((r, i) => [r.dagRunId, i]));
  const byTask = new Map<string, DurationPoint[]>();
  for (const d of answer.taskDurations) {
    const run = place.get(d.dagRunId);
    if (run === undefined || !d.startDate) continue;
    const running = d.endDate === null;
    const durationMs = d.durationMs ?? Math.max(0, (d.endDate ? new Date(d.endDate).getTime() : now) - new Date(d.startDate).getTime());
    const point = { run, dagRunId: d.dagRunId, tryNumber: d.tryNumber, state: d.state, durationMs, running, latest: false, mappedInstances: d.mappedInstances };
    const list = byTask.get(d.taskId);
    if (list) list.push(point);
    else byTask.set(d.taskId, [point]);
  }
  for (const points of byTask.values()) {
    points.sort((a, b) => a.run - b.run || a.tryNumber - b.tryNumber);
    points.forEach((p, i) => (p.latest = points[i + 1]?.run !== p.run));
  }
  const known = new Set(order);
  const taskIds = [...order.filter((id) => byTask.has(id)), ...[...byTask.keys()].filter((id) => !known.has(id)).sort()];
  return { runs, series: taskIds.map((taskId) => ({ taskId, points: byTask.get(taskId)! })) };
}

/** The longest duration among the shown tasks' points (0 with none): the top of the y axis. */
export function longestDuration(series: readonly DurationSeries[], hidden: ReadonlySet<string>): number {
  let longest = 0;
  for (const s of series) if (!hidden.has(s.taskId)) for (const p of s.points) longest = Math.max(longest, p.durationMs);
  return longest;
}

/** Left and right along a task's dots; up and down to the shown task above or below, at the nearest run. */
export function nextDot(data: DurationChartData, shown: number[], series: number, point: number, key: string): { series: number; point: number } | null {
  const points = data.series[series]?.points ?? [];
  if (key === 'ArrowLeft') return point > 0 ? { series, point: point - 1 } : null;
  if (key === 'ArrowRight') return point < points.length - 1 ? { series, point: point + 1 } : null;
  const step = key === 'ArrowDown' ? 1 : key === 'ArrowUp' ? -1 : 0;
  const to = shown[shown.indexOf(series) + step];
  if (step === 0 || to === undefined) return null;
  const run = points[point]?.run ?? 0;
  const target = data.series[to]!.points;
  let best = 0;
  target.forEach((p, i) => {
    if (Math.abs(p.run - run) < Math.abs(target[best]!.run - run)) best = i;
  });
  return { series: to, point: best };
}
