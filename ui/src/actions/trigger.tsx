/** Triggering a run by hand: optional conf (checked as you type) and logical date. */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Dialog } from '../components/dialog.tsx';
import { ErrorNote, toast } from '../components/feedback.tsx';
import { refreshAll } from '../hooks.ts';
import { fromDateTimeInput, prettyJson } from '../lib/format.ts';
import { parseJsonObject } from '../lib/json-input.ts';
import { href } from '../lib/routes.ts';
import { usePrefs } from '../prefs.tsx';
import type { Dag } from '../types.ts';

export function TriggerDialog({ dag, onClose }: { dag: Pick<Dag, 'dagId' | 'params' | 'isPaused'>; onClose: () => void }) {
  const { zone } = usePrefs();
  const hasParams = Object.keys(dag.params ?? {}).length > 0;
  const [confText, setConfText] = useState(hasParams ? prettyJson(dag.params) : '');
  const [dateText, setDateText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();

  const conf = parseJsonObject(confText);
  const logicalDate = dateText ? fromDateTimeInput(dateText, zone) : null;
  const dateInvalid = dateText !== '' && logicalDate === null;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!conf.ok || dateInvalid) return;
    setBusy(true);
    setError(undefined);
    try {
      const run = await api.dagRuns.trigger(dag.dagId, {
        ...(conf.value ? { conf: conf.value } : {}),
        ...(logicalDate ? { logicalDate } : {}),
      });
      toast('success', `Triggered ${run.dagRunId}`, { href: href.run(dag.dagId, run.dagRunId), label: 'Open run' });
      refreshAll();
      onClose();
    } catch (caught) {
      setError(caught as Error);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Trigger ${dag.dagId}`} onClose={onClose}>
      <form onSubmit={submit} class="form">
        <label>
          <span>
            Conf <span class="muted">(JSON object; overrides the DAG's params{hasParams ? ', shown here' : ''})</span>
          </span>
          <textarea
            name="conf"
            rows={8}
            spellcheck={false}
            class="mono"
            value={confText}
            placeholder="{}"
            aria-invalid={!conf.ok}
            aria-describedby="conf-error"
            onInput={(e) => setConfText(e.currentTarget.value)}
          />
          {!conf.ok && (
            <span id="conf-error" class="field-error" role="alert">
              Conf {conf.message}
            </span>
          )}
        </label>
        <label>
          <span>
            Logical date <span class="muted">({zone === 'utc' ? 'UTC' : 'your local time'}; empty: now)</span>
          </span>
          <input
            type="datetime-local"
            name="logicalDate"
            step={1}
            value={dateText}
            aria-invalid={dateInvalid}
            onInput={(e) => setDateText(e.currentTarget.value)}
          />
          {dateInvalid && <span class="field-error">Give a complete date and time, or leave it empty for now.</span>}
        </label>
        {dag.isPaused && <p class="note">This DAG is paused: the run still runs, since you asked for it.</p>}
        {error && <ErrorNote error={error} />}
        <footer class="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy || !conf.ok || dateInvalid}>
            {busy ? 'Triggering…' : 'Trigger'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
