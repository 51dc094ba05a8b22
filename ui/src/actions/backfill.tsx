/**
 * A backfill in two steps, as in Airflow 3: fill in the range and options, see the dry run's
 * list of intervals (what is created, re-run or skipped), then confirm.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Dialog } from '../components/dialog.tsx';
import { ErrorNote, toast } from '../components/feedback.tsx';
import { StateDot } from '../components/state.tsx';
import { Time } from '../components/time.tsx';
import { refreshAll } from '../hooks.ts';
import { fromDateTimeInput, plural, toDateTimeInput } from '../lib/format.ts';
import { parseJsonObject } from '../lib/json-input.ts';
import { href } from '../lib/routes.ts';
import { usePrefs } from '../prefs.tsx';
import { navigate } from '../router.tsx';
import type { CreateBackfillBody, PlannedBackfill, ReprocessBehavior } from '../types.ts';

const REPROCESS: Record<ReprocessBehavior, string> = {
  none: 'none: skip dates that already have a run',
  failed: 'failed: also re-run dates whose run failed',
  completed: 'completed: re-run every date that has a finished run',
};
type Reprocess = ReprocessBehavior;

const DAY_MS = 86_400_000;

interface FormState {
  dagId: string;
  from: string;
  to: string;
  reprocess: Reprocess;
  maxActiveRuns: string;
  backwards: boolean;
  conf: string;
}

export function BackfillDialog({ dagIds, dagId, onClose }: { dagIds: string[]; dagId?: string; onClose: () => void }) {
  const { zone } = usePrefs();
  const [form, setForm] = useState<FormState>(() => {
    const today = new Date();
    today.setUTCHours(0, 0, 0, 0);
    return {
      dagId: dagId ?? dagIds[0] ?? '',
      from: toDateTimeInput(new Date(today.getTime() - 7 * DAY_MS).toISOString(), zone),
      to: toDateTimeInput(new Date(today.getTime() - DAY_MS).toISOString(), zone),
      reprocess: 'none',
      maxActiveRuns: '10',
      backwards: false,
      conf: '',
    };
  });
  const [preview, setPreview] = useState<PlannedBackfill | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();

  const update = <K extends keyof FormState>(key: K, value: FormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setPreview(undefined); // the dry run no longer describes what would be created
  };

  const fromDate = fromDateTimeInput(form.from, zone);
  const toDate = fromDateTimeInput(form.to, zone);
  const maxActiveRuns = Number(form.maxActiveRuns);
  const conf = parseJsonObject(form.conf);
  const problems = [
    !form.dagId && 'choose a DAG',
    !fromDate && 'give the first date as a complete date and time',
    !toDate && 'give the last date as a complete date and time',
    fromDate && toDate && fromDate > toDate && 'the range starts after it ends: swap From and To',
    !(Number.isInteger(maxActiveRuns) && maxActiveRuns >= 1) && 'max active runs must be a whole number of at least 1',
    !conf.ok && `conf ${conf.message}`,
  ].filter((p): p is string => typeof p === 'string');

  // Sent only once `problems` is empty, so both dates were read.
  const body = (dryRun: boolean): CreateBackfillBody => ({
    dagId: form.dagId,
    fromDate: fromDate!,
    toDate: toDate!,
    reprocessBehavior: form.reprocess,
    maxActiveRuns,
    runBackwards: form.backwards,
    dryRun,
    ...(conf.ok && conf.value ? { dagRunConf: conf.value } : {}),
  });

  const submit = async (event: Event) => {
    event.preventDefault();
    if (problems.length) return;
    setBusy(true);
    setError(undefined);
    try {
      if (!preview) {
        setPreview(await api.backfills.create(body(true)));
      } else {
        const created = await api.backfills.create(body(false));
        toast('success', `Backfill ${created.id} of ${created.dagId}: ${plural(created.dagRunIds.length, 'run')}`);
        refreshAll();
        onClose();
        navigate(href.dag(created.dagId, 'backfills'));
      }
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };

  const toRun = preview ? preview.planCounts.create + preview.planCounts.reprocess : 0;
  return (
    <Dialog title="New backfill" onClose={onClose} wide>
      <form onSubmit={submit} class="form">
        <div class="form-grid">
          <label>
            <span>DAG</span>
            <select name="dagId" value={form.dagId} onChange={(e) => update('dagId', e.currentTarget.value)} disabled={dagId !== undefined}>
              {dagIds.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>Reprocess</span>
            <select name="reprocessBehavior" value={form.reprocess} onChange={(e) => update('reprocess', e.currentTarget.value as Reprocess)}>
              {Object.entries(REPROCESS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>
              From <span class="muted">(first interval start, {zone === 'utc' ? 'UTC' : 'local time'})</span>
            </span>
            <input type="datetime-local" step={1} name="fromDate" value={form.from} onInput={(e) => update('from', e.currentTarget.value)} />
          </label>
          <label>
            <span>
              To <span class="muted">(last interval start, inclusive)</span>
            </span>
            <input type="datetime-local" step={1} name="toDate" value={form.to} onInput={(e) => update('to', e.currentTarget.value)} />
          </label>
          <label>
            <span>Max active runs</span>
            <input type="number" min={1} name="maxActiveRuns" value={form.maxActiveRuns} onInput={(e) => update('maxActiveRuns', e.currentTarget.value)} />
          </label>
          <label class="inline">
            <input type="checkbox" name="runBackwards" checked={form.backwards} onChange={(e) => update('backwards', e.currentTarget.checked)} />
            Run backwards (newest date first)
          </label>
        </div>
        <label>
          <span>
            Conf <span class="muted">(optional JSON object for every run)</span>
          </span>
          <textarea rows={3} class="mono" name="dagRunConf" spellcheck={false} value={form.conf} placeholder="{}" onInput={(e) => update('conf', e.currentTarget.value)} />
        </label>
        {problems.length > 0 && (
          <ul class="field-error" role="alert">
            {problems.map((p) => (
              <li key={p}>{p[0]!.toUpperCase() + p.slice(1)}.</li>
            ))}
          </ul>
        )}
        {preview && <IntervalPreview plan={preview} />}
        {error && <ErrorNote error={error} />}
        <footer class="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          {!preview ? (
            <button type="submit" class="primary" disabled={busy || problems.length > 0}>
              {busy ? 'Planning…' : 'Preview runs'}
            </button>
          ) : (
            <button type="submit" class="primary" disabled={busy || toRun === 0}>
              {busy ? 'Creating…' : toRun === 0 ? 'Nothing to run' : `Create backfill (${plural(toRun, 'run')})`}
            </button>
          )}
        </footer>
      </form>
    </Dialog>
  );
}

const PLAN_LABEL = { create: 'new run', reprocess: 're-run', skip: 'skipped' } as const;

function IntervalPreview({ plan }: { plan: PlannedBackfill }) {
  const { intervals, totalEntries, planCounts } = plan;
  const count = (n: number) => n.toLocaleString('en-US');
  return (
    <section class="preview" aria-label="Dry run">
      <p>
        <strong>{plural(totalEntries, 'interval')}</strong> in range: {count(planCounts.create)} new, {count(planCounts.reprocess)} re-run,{' '}
        {count(planCounts.skip)} skipped.
        {intervals.length < totalEntries && ` The first ${count(intervals.length)} are listed.`}
      </p>
      {intervals.length > 0 && (
        <div class="scroll-box">
          <table class="dense">
            <thead>
              <tr>
                <th>Logical date</th>
                <th>Data interval end</th>
                <th>Plan</th>
                <th>Existing run</th>
              </tr>
            </thead>
            <tbody>
              {intervals.map((i) => (
                <tr key={i.logicalDate} class={i.plan === 'skip' ? 'muted' : undefined}>
                  <td>
                    <Time iso={i.logicalDate} />
                  </td>
                  <td>
                    <Time iso={i.dataIntervalEnd} />
                  </td>
                  <td>{PLAN_LABEL[i.plan]}</td>
                  <td>{i.existingState ? <StateDot state={i.existingState} title={`${i.existingRunId}: ${i.existingState}`} /> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
