/** Backfills with their progress, for all DAGs or one, with cancel and the form for a new one. */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { BackfillDialog } from '../actions/backfill.tsx';
import { Confirm } from '../components/dialog.tsx';
import { Empty, Pending, toast } from '../components/feedback.tsx';
import { Relative, Time } from '../components/time.tsx';
import { refreshAll, usePoll } from '../hooks.ts';
import { plural } from '../lib/format.ts';
import { href } from '../lib/routes.ts';
import { Link } from '../router.tsx';
import type { Backfill, BackfillProgress } from '../types.ts';
import { Can } from '../me.tsx';

export function BackfillsPage() {
  const dags = usePoll('dags', (signal) => api.dags.list({ limit: 1000 }, { signal }), 5000);
  const [creating, setCreating] = useState(false);
  const scheduled = (dags.data?.dags ?? []).filter((d) => d.schedule).map((d) => d.dagId);
  return (
    <div class="page">
      <div class="page-head">
        <h1>Backfills</h1>
        <span class="spacer" />
        <Can role="operator">
          <button type="button" class="primary" data-hotkey="b" disabled={scheduled.length === 0} onClick={() => setCreating(true)}>
            New backfill…
          </button>
        </Can>
      </div>
      <BackfillList />
      {creating && <BackfillDialog dagIds={scheduled} onClose={() => setCreating(false)} />}
    </div>
  );
}

export function BackfillList({ dagId }: { dagId?: string }) {
  const list = usePoll(`backfills:${dagId ?? ''}`, (signal) => api.backfills.list({ dagId, limit: 200 }, { signal }), 2000);
  const [cancelling, setCancelling] = useState<Backfill | undefined>();

  if (!list.data) return <Pending error={list.error} what="backfills" />;
  if (list.data.backfills.length === 0) {
    return (
      <Empty>
        No backfills yet. A backfill creates a run for every data interval in a date range{dagId ? <>: press <kbd>b</kbd> or “Backfill…” above</> : ''}.
      </Empty>
    );
  }
  const backfills = [...list.data.backfills].sort((a, b) => (b.id ?? 0) - (a.id ?? 0));
  return (
    <>
      <table class="table">
        <thead>
          <tr>
            <th>#</th>
            {!dagId && <th>DAG</th>}
            <th>Range (interval starts)</th>
            <th>Options</th>
            <th>Progress</th>
            <th>Status</th>
            <th>Created</th>
            <th>
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {backfills.map((b) => {
            const done = b.completedAt !== null;
            return (
              <tr key={b.id} data-backfill-id={b.id}>
                <td class="num">{b.id}</td>
                {!dagId && (
                  <td>
                    <Link href={href.dag(b.dagId, 'backfills')} class="mono">
                      {b.dagId}
                    </Link>
                  </td>
                )}
                <td>
                  <Time iso={b.fromDate} seconds={false} /> → <Time iso={b.toDate} seconds={false} />
                </td>
                <td class="small">
                  reprocess {b.reprocessBehavior} · max {b.maxActiveRuns} active{b.runBackwards ? ' · backwards' : ''}
                </td>
                <td>
                  <ProgressBar progress={b.progress ?? undefined} total={b.dagRunIds.length} />
                </td>
                <td>{b.isCancelled ? <span class="badge st-failed">cancelled</span> : done ? <span class="badge st-success">completed</span> : <span class="badge st-running">running</span>}</td>
                <td>
                  <Relative iso={b.createdAt} />
                </td>
                <td>
                  <Can role="operator">
                    {!done && !b.isCancelled && (
                      <button type="button" class="danger-text" onClick={() => setCancelling(b)}>
                        Cancel
                      </button>
                    )}
                  </Can>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {cancelling && (
        <Confirm
          title={`Cancel backfill ${cancelling.id}`}
          confirmLabel="Cancel backfill"
          danger
          onClose={() => setCancelling(undefined)}
          onConfirm={async () => {
            await api.backfills.cancel(cancelling.id ?? 0);
            toast('success', `Backfill ${cancelling.id} cancelled`);
            refreshAll();
          }}
        >
          <p>
            Runs of this backfill that have not started are failed and will not run; runs already going finish. Its{' '}
            {plural(cancelling.dagRunIds.length, 'run')} of <span class="mono">{cancelling.dagId}</span> stay in the history.
          </p>
        </Confirm>
      )}
    </>
  );
}

const PROGRESS_STATES = ['success', 'failed', 'running', 'queued'] as const;

function ProgressBar({ progress, total }: { progress: BackfillProgress | undefined; total: number }) {
  if (!progress || total === 0) return <span class="muted small">{plural(total, 'run')}</span>;
  const finished = progress.success + progress.failed;
  const label = `${finished} of ${plural(total, 'run')} finished: ${PROGRESS_STATES.map((s) => `${progress[s]} ${s}`).join(', ')}`;
  return (
    <div class="progress-cell" title={label}>
      <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={finished} aria-label={label}>
        {PROGRESS_STATES.map((s) =>
          progress[s] > 0 ? <span key={s} class={`st-${s}`} style={{ width: `${(100 * progress[s]) / total}%` }} /> : null,
        )}
      </div>
      <span class="small num">
        {finished}/{total}
        {progress.failed > 0 && <span class="fail-count"> · {progress.failed} failed</span>}
      </span>
    </div>
  );
}
