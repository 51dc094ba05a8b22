/**
 * A DAG's task-duration tab (Airflow's "Task Duration"): how long each task took in the latest
 * 25, 50, 100 or 365 runs (the grid's choices), with a legend that shows and hides tasks.
 */
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { RunCountSelect, useRunCount } from '../components/run-count.tsx';
import { DurationChart, taskColor } from '../components/duration-chart.tsx';
import { Empty, Pending } from '../components/feedback.tsx';
import { useNow, usePoll } from '../hooks.ts';
import { durationSeries } from '../lib/duration-series.ts';

export function DagDurations({ dagId, taskIds }: { dagId: string; taskIds: readonly string[] | undefined }) {
  const [limit, setRunCount] = useRunCount();
  const answer = usePoll(JSON.stringify(['task-durations', dagId, limit]), (signal) => api.dags.taskDurations(dagId, { limit }, { signal }));
  const running = answer.data?.taskDurations.some((d) => d.endDate === null) ?? false;
  // Tries still running lengthen with the clock; the rest is redrawn only when the answer changes.
  const now = useNow(1000, running);
  const order = taskIds?.join('\n') ?? '';
  const data = useMemo(() => answer.data && durationSeries(answer.data, order ? order.split('\n') : [], now), [answer.data, order, running ? now : 0]);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = (taskId: string) => setHidden(new Set(hidden.has(taskId) ? [...hidden].filter((t) => t !== taskId) : [...hidden, taskId]));

  return (
    <div>
      <div class="toolbar">
        <RunCountSelect limit={limit} onChange={setRunCount} />
        {data && data.series.length > 1 && (
          <button type="button" class="small" onClick={() => setHidden(new Set(hidden.size > 0 ? [] : data.series.map((s) => s.taskId)))}>
            {hidden.size > 0 ? 'Show all tasks' : 'Hide all tasks'}
          </button>
        )}
      </div>
      {!data ? (
        <Pending error={answer.error} what="task durations" />
      ) : data.series.length === 0 ? (
        <Empty>{data.runs.length === 0 ? 'No runs yet.' : 'No task of these runs has started yet.'}</Empty>
      ) : (
        <>
          <ul class="legend task-legend" aria-label="Tasks: press one to show or hide its line">
            {data.series.map((s, i) => (
              <li key={s.taskId}>
                <button type="button" class="legend-task" aria-pressed={!hidden.has(s.taskId)} onClick={() => toggle(s.taskId)} data-task-id={s.taskId}>
                  <span class="swatch" style={{ background: taskColor(i) }} aria-hidden="true" />
                  <span class="mono">{s.taskId}</span>
                </button>
              </li>
            ))}
          </ul>
          <DurationChart dagId={dagId} data={data} hidden={hidden} />
        </>
      )}
    </div>
  );
}
