/**
 * The task-duration chart: the latest runs along x (oldest left, labelled by logical date), the
 * time each task took along y, a line per task through its latest try in each run, and a dot per
 * try in its state's colour (a retried try's red dot below or above the line). Arrow keys move
 * between dots, Enter opens the try; hovering or focusing a dot tells its task, run, try, state
 * and duration.
 */
import { useRef, useState } from 'preact/hooks';
import { longestDuration, nextDot, type DurationChartData, type DurationPoint } from '../lib/duration-series.ts';
import { formatDateTime, formatDuration } from '../lib/format.ts';
import { href } from '../lib/routes.ts';
import { formatTickDuration, linearScale, ticks } from '../lib/time-scale.ts';
import { usePrefs } from '../prefs.tsx';
import { navigate } from '../router.tsx';
import { ChartTip, tipPosition, useWidth, type Tip } from './chart-parts.tsx';
import { stateLabel } from './state.tsx';

const HEIGHT = 320;
const M = { top: 12, right: 16, bottom: 44, left: 64 };

/**
 * A task's line colour: hues a golden angle apart, so neighbours in the legend differ most,
 * starting from blue, which no state uses, so a DAG's first task is not read as failed or success.
 */
export const taskColor = (index: number) => `hsl(${Math.round((215 + index * 137.508) % 360)} 58% 48%)`;

export function DurationChart({ dagId, data, hidden }: { dagId: string; data: DurationChartData; hidden: ReadonlySet<string> }) {
  const { zone } = usePrefs();
  const boxRef = useRef<HTMLDivElement>(null);
  const [tip, setTip] = useState<Tip | null>(null);
  const width = Math.max(360, useWidth(boxRef));
  const plotW = width - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const n = data.runs.length;
  const x = (run: number) => M.left + ((run + 0.5) * plotW) / n;
  const longest = longestDuration(data.series, hidden);
  // The axis ends at the first round value at or above the longest duration (a second with none).
  const { step } = ticks([0, longest || 1000], 5);
  const top = Math.max(step, Math.ceil(longest / step) * step);
  const yValues = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  const y = linearScale([0, top], [M.top + plotH, M.top]);
  const every = Math.max(1, Math.ceil((n * 128) / plotW));
  const shown = data.series.map((s, i) => ({ ...s, color: taskColor(i), index: i })).filter((s) => !hidden.has(s.taskId));

  const dotAt = (target: EventTarget | null) => (target as Element | null)?.closest<SVGAElement>('a.duration-dot') ?? null;
  const show = (dot: SVGAElement | null) => {
    const series = data.series[Number(dot?.dataset.series)];
    const point = series?.points[Number(dot?.dataset.point)];
    const run = point && data.runs[point.run];
    setTip(dot && series && point && run ? { ...tipPosition(boxRef.current!, dot), title: series.taskId, lines: describe(point, run.logicalDate) } : null);
  };
  const describe = (p: DurationPoint, logicalDate: string) => [
    p.dagRunId,
    `logical date ${formatDateTime(logicalDate, zone)}`,
    `${p.mappedInstances === null ? `try ${p.tryNumber}` : `${p.mappedInstances} mapped instances`} · ${stateLabel(p.state)}`,
    `${p.running ? 'running for' : 'took'} ${formatDuration(p.durationMs)}`,
  ];
  const onKeyDown = (event: KeyboardEvent) => {
    const dot = dotAt(event.target);
    if (!dot) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      navigate(dot.getAttribute('href')!);
      return;
    }
    const next = nextDot(data, shown.map((s) => s.index), Number(dot.dataset.series), Number(dot.dataset.point), event.key);
    const to = next && boxRef.current?.querySelector<SVGAElement>(`a.duration-dot[data-series="${next.series}"][data-point="${next.point}"]`);
    if (!to) return;
    event.preventDefault();
    dot.setAttribute('tabindex', '-1');
    to.setAttribute('tabindex', '0');
    to.focus();
  };
  const onClick = (event: MouseEvent) => {
    const dot = dotAt(event.target);
    if (!dot || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(dot.getAttribute('href')!);
  };
  const firstSeries = shown[0]?.index;

  return (
    <div class="chart-box" ref={boxRef}>
      <svg
        class="duration-chart"
        width={width}
        height={HEIGHT}
        role="group"
        aria-label="Task durations per run: arrow keys move between tries, Enter opens one"
        onKeyDown={onKeyDown}
        onClick={onClick}
        onPointerOver={(e) => show(dotAt(e.target))}
        onPointerLeave={() => setTip(null)}
        onFocusIn={(e) => show(dotAt(e.target))}
        onFocusOut={() => setTip(null)}
      >
        <g class="chart-axis" aria-hidden="true">
          {yValues.map((v) => (
            <g key={v}>
              <line class="chart-gridline" x1={M.left} x2={M.left + plotW} y1={y(v)} y2={y(v)} />
              <text x={M.left - 8} y={y(v) + 4} text-anchor="end">
                {formatTickDuration(v, step)}
              </text>
            </g>
          ))}
          {data.runs.map((r, i) =>
            i % every === 0 || i === n - 1 ? (
              <text key={r.dagRunId} x={x(i)} y={M.top + plotH + 18} text-anchor="middle">
                {formatDateTime(r.logicalDate, zone, false)}
              </text>
            ) : null,
          )}
          <text x={M.left + plotW / 2} y={HEIGHT - 4} text-anchor="middle" class="chart-caption">
            run (logical date)
          </text>
        </g>
        {shown.map((s) => (
          <g key={s.taskId} class="duration-series" data-task-id={s.taskId} style={{ '--task-color': s.color }}>
            <polyline class="duration-line" points={s.points.filter((p) => p.latest).map((p) => `${x(p.run)},${y(p.durationMs)}`).join(' ')} />
            {s.points.map((p, j) => (
              <a
                key={`${p.dagRunId}:${p.tryNumber}`}
                class="duration-dot"
                href={p.mappedInstances === null ? href.task(dagId, p.dagRunId, s.taskId, p.tryNumber) : href.task(dagId, p.dagRunId, s.taskId)}
                data-series={s.index}
                data-point={j}
                data-run-id={p.dagRunId}
                data-state={p.state}
                data-try={p.tryNumber}
                tabIndex={s.index === firstSeries && j === 0 ? 0 : -1}
                aria-label={`${s.taskId}, ${p.dagRunId}, try ${p.tryNumber}, ${stateLabel(p.state)}, ${formatDuration(p.durationMs)}`}
                aria-describedby="chart-tip"
              >
                <circle cx={x(p.run)} cy={y(p.durationMs)} r={p.latest ? 5 : 4} style={{ fill: `var(--st-${p.state})` }} />
              </a>
            ))}
          </g>
        ))}
      </svg>
      {tip && <ChartTip tip={tip} />}
    </div>
  );
}
