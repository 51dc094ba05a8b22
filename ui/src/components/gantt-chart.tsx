/**
 * A run's Gantt chart: the task names (the grid's column, groups and mapped tasks folding), a
 * time axis, and per row a bar per try from its start to its end in its state's colour, led by
 * a paler stretch for the time it waited in the queue. Finished bars are drawn once per change
 * of the data; only bars still growing redraw as the clock ticks. Arrow keys move between bars,
 * Enter opens the try; hovering or focusing a bar tells its task, try, state and times.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { useNow } from '../hooks.ts';
import { formatDateTime, formatDuration, type TimeZoneMode } from '../lib/format.ts';
import { ganttExtent, type GanttRow, type Segment } from '../lib/gantt-rows.ts';
import { href } from '../lib/routes.ts';
import { monoLabelPx } from '../lib/text-width.ts';
import { linearScale, liveEnd, ticks, type Scale } from '../lib/time-scale.ts';
import { usePrefs } from '../prefs.tsx';
import { navigate } from '../router.tsx';
import { ChartTip, tipPosition, useWidth, type Tip } from './chart-parts.tsx';
import { GanttNames } from './gantt-names.tsx';
import { memoWith } from './memo.ts';
import { stateLabel } from './state.tsx';

/** The grid's row height (style.css): a run's rows read like the grid's. */
const ROW_PX = 20;
const BAR_PX = 12;
const PAD_PX = 8;
const MIN_BAR_PX = 2;

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
      navigate(bar.getAttribute('href')!);
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
    navigate(bar.getAttribute('href')!);
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
  if (row.kind === 'group') return href.run(dagId, runId);
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

/** The bar the arrow key moves to: up and down to the nearest row with bars, left and right along the row. */
function nextBar(rows: GanttRow[], row: number, seg: number, key: string): { row: number; seg: number } | null {
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

const Axis = memoWith(
  ({ scale, zone }: { scale: Scale; zone: TimeZoneMode }) => {
    const [, right] = scale.range;
    const { step, values } = ticks(scale.domain, Math.max(2, Math.floor(right / 110)));
    // The time of day (the date too for steps of days), with milliseconds for steps below a second.
    const label = (v: number) => {
      const time = formatDateTime(new Date(v).toISOString(), zone, step < 60_000).slice(step < 86_400_000 ? 11 : 0);
      return step < 1000 ? `${time}.${String(v % 1000).padStart(3, '0')}` : time;
    };
    return (
      <svg class="gantt-axis" width={right + PAD_PX} height={26} role="img" aria-label={`Time axis, every ${formatDuration(step)}`}>
        {values.map((v) => (
          <g key={v} transform={`translate(${scale(v)},0)`}>
            <line y1={20} y2={26} />
            {/* Labels at the edges lean inwards: the box would cut half of them off. */}
            <text y={15} text-anchor={scale(v) > right - 45 ? 'end' : scale(v) < 45 ? 'start' : 'middle'}>
              {label(v)}
            </text>
          </g>
        ))}
      </svg>
    );
  },
  (a, b) => a.scale === b.scale && a.zone === b.zone,
);

const Gridlines = memoWith(
  ({ scale, height }: { scale: Scale; height: number }) => (
    <g class="gantt-grid" aria-hidden="true">
      {ticks(scale.domain, Math.max(2, Math.floor(scale.range[1] / 110))).values.map((v) => (
        <line key={v} x1={scale(v)} x2={scale(v)} y1={0} y2={height} />
      ))}
    </g>
  ),
  (a, b) => a.scale === b.scale && a.height === b.height,
);

interface BarsProps {
  rows: GanttRow[];
  scale: Scale;
  link: (row: GanttRow, s: Segment) => string;
  now?: number;
}

/** Every bar that has ended: redrawn only when the rows or the scale change. */
const FinishedBars = memoWith(
  ({ rows, scale, link }: BarsProps) => <g>{bars(rows, scale, link, null)}</g>,
  (a, b) => a.rows === b.rows && a.scale === b.scale,
);

/** The bars still queued or running, to now: the only ones the clock redraws. */
function GrowingBars({ rows, scale, link, now }: BarsProps) {
  return <g>{bars(rows, scale, link, now!)}</g>;
}

/** With now null, the ended bars (and the state of rows that have none); with a number, the open ones up to it. */
function bars(rows: GanttRow[], scale: Scale, link: BarsProps['link'], now: number | null) {
  const marks = [];
  const firstBar = rows.findIndex((r) => r.segments.length > 0);
  for (const [i, row] of rows.entries()) {
    const y = i * ROW_PX + (ROW_PX - BAR_PX) / 2;
    if (row.segments.length === 0 && now === null && row.state) {
      marks.push(
        <text key={`${row.key}:state`} class="gantt-none" x={PAD_PX} y={y + BAR_PX - 2}>
          {stateLabel(row.state)}
        </text>,
      );
    }
    for (const [j, s] of row.segments.entries()) {
      if ((s.end === null) !== (now !== null)) continue;
      const to = s.end ?? now!;
      const x0 = scale(s.start ?? to);
      const x1 = Math.max(x0 + MIN_BAR_PX, scale(to));
      const q = s.queued === null ? null : scale(s.queued);
      marks.push(
        <a
          key={`${row.key}:${s.tryNumber}`}
          class="gantt-try"
          href={link(row, s)}
          data-row={i}
          data-seg={j}
          data-state={s.state}
          data-try={s.tryNumber}
          tabIndex={i === firstBar && j === 0 ? 0 : -1}
          aria-label={`${row.kind === 'group' ? row.groupId : row.taskId}${row.kind === 'task' && row.mapIndex >= 0 ? ` [${row.mapIndex}]` : ''}, try ${s.tryNumber}, ${stateLabel(s.state)}`}
          aria-describedby="chart-tip"
        >
          {q !== null && <rect class="gantt-queued" x={q} y={y} width={Math.max(0, x0 - q)} height={BAR_PX} />}
          {s.start !== null && (
            <rect class={`gantt-bar${row.kind === 'task' ? '' : ' summary'}${s.end === null ? ' live' : ''}`} x={x0} y={y} width={x1 - x0} height={BAR_PX} style={{ fill: `var(--st-${s.state})` }} />
          )}
        </a>,
      );
    }
  }
  return marks;
}
