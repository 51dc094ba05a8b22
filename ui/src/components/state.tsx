/** One look for each state everywhere: the same colour, the same words as the API. */
import { DAG_RUN_STATES, TASK_STATES, type DagRunState, type TaskState } from '../../../src/core/states.ts';

type AnyState = TaskState | DagRunState;

const LABELS: Record<AnyState, string> = {
  none: 'no status',
  scheduled: 'scheduled',
  queued: 'queued',
  running: 'running',
  success: 'success',
  failed: 'failed',
  up_for_retry: 'up for retry',
  up_for_reschedule: 'up for reschedule',
  upstream_failed: 'upstream failed',
  skipped: 'skipped',
};

export const stateLabel = (state: string): string => LABELS[state as AnyState] ?? state;

export function StateBadge({ state }: { state: string }) {
  return <span class={`badge st-${state}`}>{stateLabel(state)}</span>;
}

/** A small coloured square: a task instance or run at a glance, its state in words for screen readers. */
export function StateDot({ state, title }: { state: string; title?: string }) {
  return <span class={`dot st-${state}`} title={title ?? stateLabel(state)} role="img" aria-label={title ?? stateLabel(state)} />;
}

export function Legend({ states = TASK_STATES }: { states?: readonly string[] }) {
  return (
    <ul class="legend" aria-label="State colours">
      {states.map((state) => (
        <li key={state}>
          <StateDot state={state} /> {stateLabel(state)}
        </li>
      ))}
    </ul>
  );
}

export { DAG_RUN_STATES, TASK_STATES };
