/**
 * The audit log (README, "Audit log"): who changed what, newest first, live. On a DAG's page its
 * own entries; at /audit every entry, with the DAG of each. Filtered by action, paged.
 */
import { AUDIT_ACTIONS } from '../../../src/core/audit-actions.ts';
import { api } from '../api.ts';
import { Empty, Pending } from '../components/feedback.tsx';
import { Pager } from '../components/pager.tsx';
import { Time } from '../components/time.tsx';
import { usePoll } from '../hooks.ts';
import { href } from '../lib/routes.ts';
import { Link, useSearchParam } from '../router.tsx';
import type { AuditLogEntry } from '../types.ts';

const PAGE_SIZE = 50;

export function AuditLogPage() {
  return (
    <div class="page">
      <div class="page-head">
        <h1>Audit log</h1>
      </div>
      <p class="muted small">Every change made through the API, the UI or the CLI, by whom: the user of the API token, or cli:&lt;os user&gt;.</p>
      <AuditLogTable />
    </div>
  );
}

/** The entries of one DAG (with dagId) or of all. */
export function AuditLogTable({ dagId }: { dagId?: string }) {
  const [actionParam, setAction] = useSearchParam('action');
  const [offsetParam, setOffset] = useSearchParam('offset');
  const action = actionParam ?? undefined;
  const offset = Math.max(0, Number(offsetParam) || 0);
  const log = usePoll(JSON.stringify(['audit', dagId, action, offset]), (signal) =>
    api.auditLog({ dagId, action, limit: PAGE_SIZE, offset }, { signal }),
  );
  return (
    <div>
      <div class="toolbar">
        <label class="inline">
          Action
          <select
            value={action ?? ''}
            onChange={(e) => {
              setAction(e.currentTarget.value || null);
              setOffset(null);
            }}
          >
            <option value="">any</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <span class="spacer" />
        {log.data && <Pager offset={offset} limit={PAGE_SIZE} total={log.data.totalEntries} noun="entry" onOffset={(o) => setOffset(o ? String(o) : null)} />}
      </div>
      {!log.data ? (
        <Pending error={log.error} what="the audit log" />
      ) : log.data.entries.length === 0 ? (
        <Empty>{action ? `No ${action} entries.` : 'Nothing has been changed yet.'}</Empty>
      ) : (
        <table class="table dense audit" aria-label="Audit log">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Action</th>
              {!dagId && <th>DAG</th>}
              <th>Run</th>
              <th>Task</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {log.data.entries.map((e) => (
              <AuditRow key={e.id} entry={e} showDag={!dagId} />
            ))}
          </tbody>
        </table>
      )}
      {log.error && log.data && <p class="stale">Live updates paused: {log.error.message}</p>}
    </div>
  );
}

function AuditRow({ entry: e, showDag }: { entry: AuditLogEntry; showDag: boolean }) {
  const details = JSON.stringify(e.details);
  return (
    <tr data-audit-action={e.action} data-actor={e.actor}>
      <td>
        <Time iso={e.when} />
      </td>
      <td class="mono">{e.actor}</td>
      <td>{e.action}</td>
      {showDag && <td>{e.dagId ? <Link href={href.dag(e.dagId, 'audit')} class="mono">{e.dagId}</Link> : <span class="muted">—</span>}</td>}
      <td>{e.dagId && e.dagRunId ? <Link href={href.run(e.dagId, e.dagRunId)} class="mono">{e.dagRunId}</Link> : <span class="muted">—</span>}</td>
      <td class="mono">{e.taskId ?? <span class="muted">—</span>}</td>
      <td class="mono small" title={details}>
        {details === '{}' ? <span class="muted">—</span> : details}
      </td>
    </tr>
  );
}
