/**
 * What the Gantt chart draws: its time axis, the gridlines under the bars, and the bars. Bars of
 * tries that ended are drawn once per change of the rows or the scale (FinishedBars); only those
 * still queued or running redraw as the clock ticks (GrowingBars).
 */
import { formatDateTime, formatDuration, type TimeZoneMode } from '../lib/format.ts';
import type { GanttRow, Segment } from '../lib/gantt-rows.ts';
import { ticks, type Scale } from '../lib/time-scale.ts';
import { memoWith } from './memo.ts';
import { stateLabel } from './state.tsx';

/** The grid's row height (style.css): a run's rows read like the grid's. */
export const ROW_PX = 20;
/** Space at both ends of the time axis, so the first and last bars do not touch the box. */
export const PAD_PX = 8;
const BAR_PX = 12;
const MIN_BAR_PX = 2;

/** About one label per 110 pixels. */
const tickCount = (scale: Scale) => Math.max(2, Math.floor(scale.range[1] / 110));

export const Axis = memoWith(
  ({ scale, zone }: { scale: Scale; zone: TimeZoneMode }) => {
    const [, right] = scale.range;
    const { step, values } = ticks(scale.domain, tickCount(scale));
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

export const Gridlines = memoWith(
  ({ scale, height }: { scale: Scale; height: number }) => (
    <g class="gantt-grid" aria-hidden="true">
      {ticks(scale.domain, tickCount(scale)).values.map((v) => (
        <line key={v} x1={scale(v)} x2={scale(v)} y1={0} y2={height} />
      ))}
    </g>
  ),
  (a, b) => a.scale === b.scale && a.height === b.height,
);

export interface BarsProps {
  rows: GanttRow[];
  scale: Scale;
  link: (row: GanttRow, s: Segment) => string;
  now?: number;
}

/** Every bar that has ended: redrawn only when the rows or the scale change. */
export const FinishedBars = memoWith(
  ({ rows, scale, link }: BarsProps) => <g>{bars(rows, scale, link, null)}</g>,
  (a, b) => a.rows === b.rows && a.scale === b.scale,
);

/** The bars still queued or running, to now: the only ones the clock redraws. */
export function GrowingBars({ rows, scale, link, now }: BarsProps) {
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
          data-group-id={row.kind === 'group' ? row.groupId : undefined}
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
