/** What the Gantt and the task-duration charts share: their width, and the tip shown on hover and focus. */
import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** An element's inner width, followed as the window (or the layout around it) changes. */
export function useWidth(ref: RefObject<HTMLElement | null>, fallback = 900): number {
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    setWidth(el.clientWidth);
    return () => observer.disconnect();
  }, []);
  return width;
}

export interface Tip {
  /** Where the tip points, in pixels from the chart box's top left. */
  x: number;
  y: number;
  title: string;
  lines: string[];
}

/** Where `target` is in `box`: the middle of its top edge. */
export function tipPosition(box: HTMLElement, target: Element): { x: number; y: number } {
  const outer = box.getBoundingClientRect();
  const inner = target.getBoundingClientRect();
  return { x: inner.left + inner.width / 2 - outer.left, y: inner.top - outer.top };
}

/** Above the point it is about, read by screen readers as the focused mark's description. */
export function ChartTip({ tip }: { tip: Tip }) {
  return (
    <div class="chart-tip" role="tooltip" id="chart-tip" style={{ left: `${tip.x}px`, top: `${tip.y}px` }}>
      <strong class="mono">{tip.title}</strong>
      {tip.lines.map((line) => (
        <div key={line}>{line}</div>
      ))}
    </div>
  );
}
