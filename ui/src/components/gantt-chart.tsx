/**
 * A run's Gantt chart: the task names (the grid's column, groups and mapped tasks folding), a
 * time axis, and per row a bar per try from its start to its end in its state's colour, led by
 * a paler stretch for the time it waited in the queue (gantt-marks.tsx draws them). Its axis
 * runs on past now while the run goes on, rescaling only now and then. Arrow keys move between
 * bars, Enter opens the try; hovering or focusing a bar tells its task, try, state and times.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { useNow } from '../hooks.ts';
import { formatDateTime, formatDuration, type TimeZoneMode } from '../lib/format.ts';
import { ganttExtent, nextBar, type GanttRow, type Segment } from '../lib/gantt-rows.ts';
import { href } from '../lib/routes.ts';
import { monoLabelPx } from '../lib/text-width.ts';
import { linearScale, liveEnd } from '../lib/time-scale.ts';
import { usePrefs } from '../prefs.tsx';
import { navigate } from '../router.tsx';
import { ChartTip, tipPosition, useWidth, type Tip } from './chart-parts.tsx';
import { Axis, FinishedBars, Gridlines, GrowingBars, PAD_PX, ROW_PX } from './gantt-marks.tsx';
import { GanttNames } from './gantt-names.tsx';
import { stateLabel } from './state.tsx';

interface Props {
  dagId: string;
  runId: string;
  rows: GanttRow[];
  onToggleGroup: (groupId: string) => void;
  onToggleMapped: (taskId: string) => void;
}

export function GanttChart({ dagId, runId, rows, onToggleGroup, onToggleMapped }: Props) {
  const { zone } = usePrefs();
  const boxRef = useRef<HTMLDivElement>(null);
  const [tip, setTip] = useState<Tip | null>(null);
  const width = useWidth(boxRef);
  const nameWidth = Math.min(352, Math.max(140, ...rows.map((r) => r.depth * 12 + monoLabelPx(r.name.length + 2, 44))));
  const plotWidth = Math.max(240, width - nameWidth - 2);
  const extent = useMemo(() => ganttExtent(rows), [rows]);
  const now = useNow(1000, extent?.open ?? false);
  const start = extent?.start ?? now;
  // A finished run's axis ends where its last try did (a tenth of a second at least, never of no width).
  const end = !extent ? now + 60_000 : extent.open ? Math.max(extent.end, liveEnd(start, now)) : Math.max(extent.end, start + 100);
  const scale = useMemo(() => linearScale([start, end], [PAD_PX, plotWidth - PAD_PX]), [start, end, plotWidth]);
  const link = (row: GanttRow, s: Segment) => tryHref(dagId, runId, row, s);

  const barAt = (target: EventTarget | null) => (target as Element | null)?.closest<SVGAElement>('a.gantt-try') ?? null;
  /** A try's bar opens its page; a folded group's summary bar unfolds the group, an open one's folds it. */
  const open = (bar: SVGAElement) => {
    const groupId = bar.dataset.groupId;
    if (groupId !== undefined) onToggleGroup(groupId);
    else navigate(bar.getAttribute('href')!);
  };
  const show = (bar: SVGAElement | null) => {
    const row = rows[Number(bar?.dataset.row)];
    const segment = row?.segments[Number(bar?.dataset.seg)];
    setTip(bar && row && segment ? { ...tipPosition(boxRef.current!, bar), ...describe(row, segment, zone, now) } : null);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const bar = barAt(event.target);
    if (!bar) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      open(bar);
      return;
    }
    const next = nextBar(rows, Number(bar.dataset.row), Number(bar.dataset.seg), event.key);
    const to = next && boxRef.current?.querySelector<SVGAElement>(`a.gantt-try[data-row="${next.row}"][data-seg="${next.seg}"]`);
    if (!to) return;
    event.preventDefault();
    bar.setAttribute('tabindex', '-1');
    to.setAttribute('tabindex', '0');
    to.focus();
  };
  const onClick = (event: MouseEvent) => {
    const bar = barAt(event.target);
    if (!bar || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    open(bar);
  };

  return (
    <div class="gantt-box">
      <div class="gantt-scroll" ref={boxRef} style={{ '--name-px': `${nameWidth}px`, '--row-px': `${ROW_PX}px` }}>
        <div class="gantt-head">
          <div class="grid-corner">Task</div>
          <Axis scale={scale} zone={zone} />
        </div>
        <div
          class="gantt-body"
          role="group"
          aria-label="Tries of the run's task instances: arrow keys move between them, Enter opens one"
          onKeyDown={onKeyDown}
          onClick={onClick}
          onPointerOver={(e) => show(barAt(e.target))}
          onPointerLeave={() => setTip(null)}
          onFocusIn={(e) => show(barAt(e.target))}
          onFocusOut={() => setTip(null)}
        >
          <GanttNames rows={rows} onToggleGroup={onToggleGroup} onToggleMapped={onToggleMapped} />
          <svg class="gantt-bars" width={plotWidth} height={rows.length * ROW_PX}>
            <Gridlines scale={scale} height={rows.length * ROW_PX} />
            <FinishedBars rows={rows} scale={scale} link={link} />
            <GrowingBars rows={rows} scale={scale} link={link} now={now} />
          </svg>
        </div>
      </div>
      {tip && <ChartTip tip={tip} />}
    </div>
  );
}

/** The try's page: an unmapped task's, or one mapped instance's; a summary row opens the task's. */
function tryHref(dagId: string, runId: string, row: GanttRow, s: Segment): string {
  // A group's bar unfolds it (see open below); its address is this very chart.
  if (row.kind === 'group') return href.run(dagId, runId, 'gantt');
  if (row.kind === 'mapped' || row.mapIndex < 0) return href.task(dagId, runId, row.taskId, row.kind === 'mapped' ? undefined : s.tryNumber);
  return href.mappedInstance(dagId, runId, row.taskId, row.mapIndex, s.tryNumber);
}

function describe(row: GanttRow, s: Segment, zone: TimeZoneMode, now: number): Omit<Tip, 'x' | 'y'> {
  const title = row.kind === 'group' ? `${row.groupId} (group)` : row.kind === 'mapped' ? `${row.taskId} (${row.count} mapped)` : `${row.taskId}${row.mapIndex >= 0 ? ` [${row.mapIndex}]` : ''}`;
  const time = (ms: number) => formatDateTime(new Date(ms).toISOString(), zone);
  const lines = [`${row.kind === 'task' ? `try ${s.tryNumber}` : `tries up to ${s.tryNumber}`} · ${stateLabel(s.state)}`];
  if (s.queued !== null) lines.push(`queued ${time(s.queued)}${s.start !== null ? ` (waited ${formatDuration(s.start - s.queued)})` : ''}`);
  if (s.start !== null) lines.push(`started ${time(s.start)}`);
  if (s.end !== null) lines.push(`ended ${time(s.end)}`);
  if (s.start !== null) lines.push(`${s.end === null ? 'running for' : 'took'} ${formatDuration((s.end ?? now) - s.start)}`);
  return { title, lines };
}
