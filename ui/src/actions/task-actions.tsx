/** Clearing task instances (so they run again) and marking them, always after a confirmation. */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Confirm } from '../components/dialog.tsx';
import { toast } from '../components/feedback.tsx';
import { StateDot } from '../components/state.tsx';
import { refreshAll } from '../hooks.ts';
import { clearedTasks, type ClearScope } from '../lib/clear-preview.ts';
import { plural } from '../lib/format.ts';

export interface ClearTarget extends ClearScope {
  dagId: string;
  runId: string;
  /** The options the dialog opens with. */
  onlyFailed?: boolean;
  includeDownstream?: boolean;
}

export function ClearDialog({ target, onClose }: { target: ClearTarget; onClose: () => void }) {
  const [includeDownstream, setIncludeDownstream] = useState(target.includeDownstream ?? target.taskIds.length > 0);
  const [onlyFailed, setOnlyFailed] = useState(target.onlyFailed ?? false);
  const affected = clearedTasks(target, includeDownstream, onlyFailed);
  const what = target.taskIds.length === 1 ? `"${target.taskIds[0]}"` : target.taskIds.length ? plural(target.taskIds.length, 'task') : 'the run';

  const confirm = async () => {
    if (affected.length === 0) throw new Error('nothing matches these options, so nothing would be cleared');
    const body = {
      dagRunId: target.runId,
      ...(target.taskIds.length ? { taskIds: [...target.taskIds] } : {}),
      includeDownstream,
      onlyFailed,
    };
    const answer = await api.taskInstances.clear(target.dagId, body);
    toast('success', `Cleared ${plural(answer.totalEntries, 'task instance')}: they will run again`);
    refreshAll();
  };

  return (
    <Confirm title={`Clear ${what}`} confirmLabel={`Clear ${plural(affected.length, 'task')}`} onConfirm={confirm} onClose={onClose}>
      <p>Cleared tasks run again; their try numbers go on counting and each gets its retries anew.</p>
      <div class="checks">
        {target.taskIds.length > 0 && (
          <label>
            <input type="checkbox" name="includeDownstream" checked={includeDownstream} onChange={(e) => setIncludeDownstream(e.currentTarget.checked)} />
            Downstream too
          </label>
        )}
        <label>
          <input type="checkbox" name="onlyFailed" checked={onlyFailed} onChange={(e) => setOnlyFailed(e.currentTarget.checked)} />
          Only failed and upstream failed
        </label>
      </div>
      {affected.length === 0 ? (
        <p class="note">Nothing matches these options.</p>
      ) : (
        <details open={affected.length <= 12}>
          <summary>{plural(affected.length, 'task instance')} will be cleared</summary>
          <ul class="affected">
            {affected.map((id) => (
              <li key={id}>
                <StateDot state={target.states[id] ?? 'none'} /> <span class="mono">{id}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </Confirm>
  );
}

export interface MarkTarget {
  dagId: string;
  runId: string;
  taskId: string;
  /** One instance of a mapped task; absent for an unmapped task. */
  mapIndex?: number;
  state: 'success' | 'failed';
}

export function MarkDialog({ target, onClose }: { target: MarkTarget; onClose: () => void }) {
  const confirm = async () => {
    const { taskId, mapIndex } = target;
    await api.taskInstances.mark(target.dagId, target.runId, mapIndex === undefined ? taskId : { taskId, mapIndex }, { state: target.state });
    toast('success', `Marked "${markName(target)}" ${target.state}`);
    refreshAll();
  };
  return (
    <Confirm
      title={`Mark "${markName(target)}" ${target.state}`}
      confirmLabel={`Mark ${target.state}`}
      danger={target.state === 'failed'}
      onConfirm={confirm}
      onClose={onClose}
    >
      <p>
        Sets the task instance to <strong>{target.state}</strong> without running it. A try still running is stopped, and the
        tasks downstream are decided at once.
      </p>
    </Confirm>
  );
}

/** "load" for a task, "load [2]" for one instance of a mapped task. */
const markName = (target: MarkTarget) => (target.mapIndex === undefined ? target.taskId : `${target.taskId} [${target.mapIndex}]`);

export interface RunMarkTarget {
  dagId: string;
  runId: string;
  state: 'success' | 'failed';
}

/** Marks a whole run, after saying what happens to its task instances. */
export function RunMarkDialog({ target, onClose }: { target: RunMarkTarget; onClose: () => void }) {
  const confirm = async () => {
    await api.dagRuns.mark(target.dagId, target.runId, { state: target.state });
    toast('success', `Marked run "${target.runId}" ${target.state}`);
    refreshAll();
  };
  return (
    <Confirm
      title={`Mark run "${target.runId}" ${target.state}`}
      confirmLabel={`Mark run ${target.state}`}
      danger={target.state === 'failed'}
      onConfirm={confirm}
      onClose={onClose}
    >
      <p>
        {target.state === 'success' ? (
          <>
            Every task instance of the run that has not finished is set to <strong>success</strong>; tries still running are
            stopped.
          </>
        ) : (
          <>
            Tries still running are stopped and set to <strong>failed</strong>; task instances that have not started (or wait for
            a retry or a sensor's next check) are <strong>skipped</strong>. Finished ones stay as they are.
          </>
        )}
      </p>
    </Confirm>
  );
}
