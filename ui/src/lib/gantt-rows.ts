/**
 * The Gantt chart's rows: a run's task instances in the grid's rows (task groups as header rows
 * that fold), each with a segment per try, from its start to its end, with the time it waited in
 * the queue before it when the API knows it. A mapped task is one row summing its instances up,
 * followed by a row per instance when it is expanded. Pure, and unit-tested.
 */
import { gridRows } from './grid-rows.ts';
import { summarizeStates } from './state-summary.ts';

export interface InstanceInput {
  taskId: string;
  mapIndex: number;
  state: string;
  tryNumber: number;
  queuedAt: string | null;
}

export interface TryInput {
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  state: string;
  startDate: string | null;
  endDate: string | null;
}

/** One try, in ms since 1970. `start` null: queued, not started; `end` null: not ended (yet). */
export interface Segment {
  tryNumber: number;
  state: string;
  /** When the try was queued, if known: only the latest try's is (the task instance keeps one). */
  queued: number | null;
  start: number | null;
  end: number | null;
}

interface RowBase {
  key: string;
  depth: number;
  name: string;
  /** The state the row's name is marked with: the instance's, or the most pressing of those it sums up. */
  state: string | null;
  segments: Segment[];
}

export type GanttRow =
  | (RowBase & { kind: 'task'; taskId: string; mapIndex: number })
  | (RowBase & { kind: 'mapped'; taskId: string; count: number; expanded: boolean })
  | (RowBase & { kind: 'group'; groupId: string; folded: boolean; taskCount: number });

/** Date.parse: a mapped task has tens of thousands of times to read, and it reads them faster than new Date(). */
const ms = (iso: string | null) => (iso ? Date.parse(iso) : null);

/** An instance's tries as segments: the started ones, and a queued one not started yet. */
export function instanceSegments(ti: InstanceInput, tries: readonly TryInput[]): Segment[] {
  const queued = ms(ti.queuedAt);
  const segments = tries.map((t): Segment => {
    const start = ms(t.startDate);
    // The instance's queued time is its latest try's; a try handed back and queued again started before it.
    const lead = t.tryNumber === ti.tryNumber && queued !== null && start !== null && queued <= start ? queued : null;
    return { tryNumber: t.tryNumber, state: t.state, queued: lead, start, end: ms(t.endDate) };
  });
  if (ti.state === 'queued' && queued !== null && !tries.some((t) => t.tryNumber === ti.tryNumber)) {
    segments.push({ tryNumber: ti.tryNumber, state: 'queued', queued, start: null, end: null });
  }
  return segments;
}

/** One segment for many: from the first start to the last end (open while one is), in the most pressing state. */
function summarySegment(segments: readonly Segment[], state: string | null): Segment[] {
  let first = Infinity;
  let last = -Infinity;
  let open = false;
  let tryNumber = 0;
  // A loop, not Math.min(...): a mapped task's 10,000 segments are too many arguments for some engines.
  for (const s of segments) {
    const from = s.queued ?? s.start;
    if (from === null) continue;
    first = Math.min(first, from);
    if (s.end === null) open = true;
    else last = Math.max(last, s.end);
    tryNumber = Math.max(tryNumber, s.tryNumber);
  }
  if (first === Infinity || state === null) return [];
  return [{ tryNumber, state, queued: null, start: first, end: open ? null : last }];
}

/**
 * The rows, in `tasks`' order (the DAG's), then tasks only the run has, by name. `folded`: groups
 * shown as one row; `expanded`: mapped tasks whose instances each have a row.
 */
export function ganttRows(
  tasks: readonly { taskId: string; group: string | null }[],
  instances: readonly InstanceInput[],
  tries: readonly TryInput[],
  folded: ReadonlySet<string>,
  expanded: ReadonlySet<string>,
): GanttRow[] {
  const triesOf = new Map<string, TryInput[]>();
  for (const t of tries) pushTo(triesOf, `${t.taskId}\n${t.mapIndex}`, t);
  const instancesOf = new Map<string, { ti: InstanceInput; segments: Segment[] }[]>();
  for (const ti of instances) {
    pushTo(instancesOf, ti.taskId, { ti, segments: instanceSegments(ti, triesOf.get(`${ti.taskId}\n${ti.mapIndex}`) ?? []) });
  }
  const known = new Set(tasks.map((t) => t.taskId));
  const extra = [...instancesOf.keys()].filter((id) => !known.has(id)).sort().map((taskId) => ({ taskId, group: null }));
  const allTasks = [...tasks.filter((t) => instancesOf.has(t.taskId)), ...extra];

  const rows: GanttRow[] = [];
  for (const row of gridRows(allTasks, folded)) {
    if (row.kind === 'group') {
      const members = row.taskIds.flatMap((id) => instancesOf.get(id) ?? []);
      const state = summarizeStates(members.map((m) => m.ti.state))?.state ?? null;
      rows.push({
        kind: 'group', key: `group:${row.groupId}`, groupId: row.groupId, depth: row.depth, name: row.name, folded: row.folded,
        taskCount: row.taskIds.length, state, segments: summarySegment(members.flatMap((m) => m.segments), state),
      });
      continue;
    }
    const own = instancesOf.get(row.taskId) ?? [];
    const mapped = own.filter((m) => m.ti.mapIndex >= 0);
    if (mapped.length === 0) {
      for (const { ti, segments } of own) {
        rows.push({ kind: 'task', key: `task:${ti.taskId}`, taskId: ti.taskId, mapIndex: -1, depth: row.depth, name: row.name, state: ti.state, segments });
      }
      continue;
    }
    const isExpanded = expanded.has(row.taskId);
    const state = summarizeStates(mapped.map((m) => m.ti.state))?.state ?? null;
    rows.push({
      kind: 'mapped', key: `mapped:${row.taskId}`, taskId: row.taskId, depth: row.depth, name: row.name, count: mapped.length,
      expanded: isExpanded, state, segments: summarySegment(mapped.flatMap((m) => m.segments), state),
    });
    if (!isExpanded) continue;
    for (const { ti, segments } of mapped) {
      rows.push({
        kind: 'task', key: `task:${ti.taskId}:${ti.mapIndex}`, taskId: ti.taskId, mapIndex: ti.mapIndex, depth: row.depth + 1,
        name: `[${ti.mapIndex}]`, state: ti.state, segments,
      });
    }
  }
  return rows;
}

/** Appends in place: a mapped task's 10,000 instances are not copied 10,000 times. */
function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The time the rows span: from the first queued or started try to the last end; `open` when a
 * try is still queued or running (the axis then runs on past now). null when nothing started.
 */
export function ganttExtent(rows: readonly GanttRow[]): { start: number; end: number; open: boolean } | null {
  let start = Infinity;
  let end = -Infinity;
  let open = false;
  for (const row of rows) {
    for (const s of row.segments) {
      const from = s.queued ?? s.start;
      if (from === null) continue;
      start = Math.min(start, from);
      end = Math.max(end, s.end ?? s.start ?? from);
      if (s.end === null) open = true;
    }
  }
  return start === Infinity ? null : { start, end, open };
}

/** The bar the arrow key moves to: up and down to the nearest row with bars, left and right along the row. */
export function nextBar(rows: GanttRow[], row: number, seg: number, key: string): { row: number; seg: number } | null {
  if (key === 'ArrowLeft') return seg > 0 ? { row, seg: seg - 1 } : null;
  if (key === 'ArrowRight') return seg < (rows[row]?.segments.length ?? 0) - 1 ? { row, seg: seg + 1 } : null;
  const step = key === 'ArrowDown' ? 1 : key === 'ArrowUp' ? -1 : 0;
  if (step === 0) return null;
  for (let r = row + step; r >= 0 && r < rows.length; r += step) {
    const count = rows[r]!.segments.length;
    if (count > 0) return { row: r, seg: Math.min(seg, count - 1) };
  }
  return null;
}
