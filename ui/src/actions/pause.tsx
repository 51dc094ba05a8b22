/**
 * The paused switch: flips at once, and flips back with the API's reason if the change fails. A
 * viewer, who may not pause, sees the same position as a picture, not a control.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { toast } from '../components/feedback.tsx';
import { refreshAll } from '../hooks.ts';
import { useCan } from '../me.tsx';
import type { Dag } from '../types.ts';

export function PauseToggle({ dag }: { dag: Pick<Dag, 'dagId' | 'isPaused'> }) {
  const canPause = useCan('operator');
  const [pending, setPending] = useState<boolean | undefined>();
  const paused = pending ?? dag.isPaused;
  // Show the new position until the refreshed list agrees, so the switch does not flick back.
  useEffect(() => {
    if (pending === undefined) return;
    if (dag.isPaused === pending) {
      setPending(undefined);
      return;
    }
    const timer = window.setTimeout(() => setPending(undefined), 5000);
    return () => window.clearTimeout(timer);
  }, [dag.isPaused, pending]);
  const toggle = async () => {
    const next = !paused;
    setPending(next);
    try {
      await api.dags.patch(dag.dagId, { isPaused: next });
      refreshAll();
    } catch (error) {
      setPending(undefined);
      toast('error', `Could not ${next ? 'pause' : 'unpause'} ${dag.dagId}: ${(error as Error).message}`);
    }
  };
  if (!canPause) {
    return (
      <span class={`switch${paused ? '' : ' on'}`} role="img" aria-label={`${dag.dagId} is ${paused ? 'paused' : 'active'}`} title={paused ? 'Paused' : 'Active'}>
        <span class="knob" />
      </span>
    );
  }
  return (
    <button
      type="button"
      role="switch"
      class={`switch${paused ? '' : ' on'}`}
      aria-checked={!paused}
      aria-label={`${dag.dagId} is ${paused ? 'paused' : 'active'}; ${paused ? 'unpause' : 'pause'} it`}
      title={paused ? 'Paused: no scheduled runs. Click to unpause.' : 'Active: scheduled runs are created. Click to pause.'}
      onClick={toggle}
      data-dag-id={dag.dagId}
    >
      <span class="knob" />
    </button>
  );
}
