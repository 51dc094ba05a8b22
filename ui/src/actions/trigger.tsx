/**
 * Triggering a run by hand. A DAG with typed params gets one field per param (checked as you
 * type, by the server's own rules) and a JSON object for extra conf keys; a DAG whose params are
 * all plain values gets its conf as JSON, prefilled with them. Both take an optional logical date.
 */
import { useState } from 'preact/hooks';
import type { ParamSpec } from '../../../src/core/params.ts';
import { api } from '../api.ts';
import { Dialog } from '../components/dialog.tsx';
import { ErrorNote, toast } from '../components/feedback.tsx';
import { refreshAll } from '../hooks.ts';
import { fromDateTimeInput, prettyJson } from '../lib/format.ts';
import { parseJsonObject } from '../lib/json-input.ts';
import { formConf, initialText } from '../lib/param-form.ts';
import { href } from '../lib/routes.ts';
import { usePrefs } from '../prefs.tsx';
import type { Dag } from '../types.ts';
import { ParamField, paramFieldId } from './param-field.tsx';

type TriggerDag = Pick<Dag, 'dagId' | 'params' | 'isPaused'>;

export function TriggerDialog({ dag, onClose }: { dag: TriggerDag; onClose: () => void }) {
  const { zone } = usePrefs();
  const params: Record<string, ParamSpec> = dag.params ?? {};
  // Plain values have no rules to make fields of ({} takes anything): their conf stays JSON.
  const typed = Object.values(params).some((p) => Object.keys(p.schema).length > 0);
  const hasParams = Object.keys(params).length > 0;
  const [confText, setConfText] = useState(hasParams && !typed ? prettyJson(defaultsOf(params)) : '');
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    typed ? Object.fromEntries(Object.entries(params).map(([name, p]) => [name, initialText(p, zone)])) : {},
  );
  // A field shows what is wrong once the person has been in it, or has tried to send.
  const [visited, setVisited] = useState<ReadonlySet<string>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [dateText, setDateText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();

  const extra = parseJsonObject(confText);
  const form = typed ? formConf(dag.dagId, params, texts, extra.ok ? (extra.value ?? {}) : {}, zone) : null;
  const shown = (name: string) => (attempted || visited.has(name) ? form?.problems[name] : undefined);
  const fieldProblems = form ? Object.keys(form.problems) : [];
  const logicalDate = dateText ? fromDateTimeInput(dateText, zone) : null;
  const dateInvalid = dateText !== '' && logicalDate === null;
  const confInvalid = !extra.ok || Boolean(form?.extraProblem);
  const blocked = confInvalid || dateInvalid || fieldProblems.some((name) => shown(name) !== undefined);

  const visit = (name: string) => setVisited((before) => (before.has(name) ? before : new Set([...before, name])));

  const submit = async (event: Event) => {
    event.preventDefault();
    if (confInvalid || dateInvalid) return;
    if (fieldProblems.length > 0) {
      setAttempted(true);
      document.getElementById(paramFieldId(fieldProblems[0]!))?.focus();
      return;
    }
    const conf = form ? form.conf : extra.ok ? extra.value : undefined;
    setBusy(true);
    setError(undefined);
    try {
      const run = await api.dagRuns.trigger(dag.dagId, {
        ...(conf ? { conf } : {}),
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
      <form onSubmit={submit} class="form" noValidate>
        {typed && (
          <fieldset class="params">
            <legend>Params</legend>
            {Object.entries(params).map(([name, param]) => (
              <ParamField
                key={name}
                name={name}
                param={param}
                text={texts[name] ?? ''}
                problem={shown(name)}
                zone={zone}
                onText={(text) => {
                  setTexts((before) => ({ ...before, [name]: text }));
                  visit(name);
                }}
                onLeave={() => visit(name)}
              />
            ))}
          </fieldset>
        )}
        <label>
          <span>
            {typed ? 'Extra conf' : 'Conf'}{' '}
            <span class="muted">
              {typed
                ? '(JSON object of keys that are not params; optional)'
                : `(JSON object; overrides the DAG's params${hasParams ? ', shown here' : ''})`}
            </span>
          </span>
          <textarea
            name="conf"
            rows={typed ? 3 : 8}
            spellcheck={false}
            class="mono"
            value={confText}
            placeholder="{}"
            aria-invalid={confInvalid}
            aria-describedby="conf-error"
            onInput={(e) => setConfText(e.currentTarget.value)}
          />
          {!extra.ok && (
            <span id="conf-error" class="field-error" role="alert">
              Conf {extra.message}
            </span>
          )}
          {extra.ok && form?.extraProblem && (
            <span id="conf-error" class="field-error" role="alert">
              Conf: {form.extraProblem}
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
          <button type="submit" class="primary" disabled={busy || blocked}>
            {busy ? 'Triggering…' : 'Trigger'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}

/** The params' defaults, as the plain-JSON form shows them. */
function defaultsOf(params: Record<string, ParamSpec>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).flatMap(([name, p]) => (Object.hasOwn(p, 'default') ? [[name, p.default]] : [])));
}
