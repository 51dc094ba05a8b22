/**
 * Connections (README, "Connections"): what tasks read with ctx.connection(), listed, added,
 * edited and deleted here. A password is never shown, nor sent back: the API answers "***" for
 * one that is set, and a password field left empty when editing keeps the stored one.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Can } from '../me.tsx';
import { AdminRowActions, ConfirmDelete } from '../components/admin-rows.tsx';
import { Confirm } from '../components/dialog.tsx';
import { Pending, toast } from '../components/feedback.tsx';
import { refreshAll, usePoll } from '../hooks.ts';
import { plural, prettyJson } from '../lib/format.ts';
import { parseJsonObject } from '../lib/json-input.ts';
import type { Connection } from '../types.ts';

type Editing = { mode: 'add' } | { mode: 'edit'; connection: Connection } | { mode: 'delete'; connection: Connection };

export function ConnectionsPage() {
  const list = usePoll('connections', (signal) => api.connections.list({ signal }), 5000);
  const [editing, setEditing] = useState<Editing | undefined>();
  return (
    <div class="page">
      <div class="page-head">
        <h1>Connections</h1>
        {list.data && <span class="muted">{plural(list.data.totalEntries, 'connection')}</span>}
        <span class="spacer" />
        <Can role="admin">
          <button type="button" class="primary" onClick={() => setEditing({ mode: 'add' })}>
            Add connection
          </button>
        </Can>
      </div>
      <p class="muted small">
        Tasks read these with <code>await ctx.connection(id)</code>. Passwords and extras are stored encrypted and never shown; an
        environment variable <code>SLUICE_CONN_&lt;ID&gt;</code> on the workers wins over what is here.
      </p>
      {!list.data ? (
        <Pending error={list.error} what="connections" />
      ) : list.data.connections.length === 0 ? (
        <p class="muted">No connections yet.</p>
      ) : (
        <table class="table dense connections">
          <thead>
            <tr>
              <th>Connection id</th>
              <th>Type</th>
              <th>Host</th>
              <th class="num">Port</th>
              <th>Login</th>
              <th>Password</th>
              <th>Schema</th>
              <th>Extra</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.connections.map((c) => (
              <tr key={c.connectionId} data-connection={c.connectionId}>
                <td class="mono">{c.connectionId}</td>
                <td>{c.connType}</td>
                <td>{c.host ?? <span class="muted">—</span>}</td>
                <td class="num">{c.port ?? ''}</td>
                <td>{c.login ?? <span class="muted">—</span>}</td>
                <td>{c.password ?? <span class="muted">none</span>}</td>
                <td>{c.schema ?? <span class="muted">—</span>}</td>
                <td class="mono small">{Object.keys(c.extra).length ? JSON.stringify(c.extra) : ''}</td>
                <AdminRowActions onEdit={() => setEditing({ mode: 'edit', connection: c })} onDelete={() => setEditing({ mode: 'delete', connection: c })} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing?.mode === 'delete' ? (
        <ConfirmDelete what="connection" name={editing.connection.connectionId} remove={() => api.connections.delete(editing.connection.connectionId)} onClose={() => setEditing(undefined)}>
          <p>Tasks that read it will fail, unless a SLUICE_CONN_ environment variable gives it.</p>
        </ConfirmDelete>
      ) : editing ? (
        <ConnectionForm connection={editing.mode === 'edit' ? editing.connection : undefined} onClose={() => setEditing(undefined)} />
      ) : null}
    </div>
  );
}

const FIELDS = ['connType', 'host', 'port', 'login', 'schema'] as const;
const LABELS: Record<(typeof FIELDS)[number], string> = { connType: 'Type', host: 'Host', port: 'Port', login: 'Login', schema: 'Schema' };

/** Adds a connection, or edits one (its id fixed, its password kept unless a new one is typed). */
function ConnectionForm({ connection, onClose }: { connection?: Connection; onClose: () => void }) {
  const [id, setId] = useState(connection?.connectionId ?? '');
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(FIELDS.map((f) => [f, connection?.[f] === null || connection?.[f] === undefined ? '' : String(connection[f])])),
  );
  const [password, setPassword] = useState('');
  const [extraText, setExtraText] = useState(connection && Object.keys(connection.extra).length ? prettyJson(connection.extra) : '');
  const extra = parseJsonObject(extraText);
  const orNull = (text: string | undefined) => (text?.trim() ? text.trim() : null);

  const save = async () => {
    if (!extra.ok) throw new Error(`Extra ${extra.message}`);
    const port = orNull(texts.port);
    if (port !== null && !/^\d+$/.test(port)) throw new Error(`Port must be a number from 0 to 65535, not "${port}"`);
    const fields = {
      host: orNull(texts.host),
      port: port === null ? null : Number(port),
      login: orNull(texts.login),
      schema: orNull(texts.schema),
      extra: extra.value ?? {},
    };
    if (connection) {
      await api.connections.patch(connection.connectionId, { connType: texts.connType ?? '', ...fields, ...(password ? { password } : {}) });
      toast('success', `Connection "${connection.connectionId}" saved`);
    } else {
      await api.connections.create({ connectionId: id.trim(), connType: texts.connType ?? '', ...fields, password: password || null });
      toast('success', `Connection "${id.trim()}" added`);
    }
    refreshAll();
  };

  return (
    <Confirm title={connection ? `Edit connection ${connection.connectionId}` : 'Add a connection'} confirmLabel="Save" onConfirm={save} onClose={onClose}>
      <div class="form">
        <label>
          <span>Connection id</span>
          <input name="connectionId" value={id} disabled={Boolean(connection)} required onInput={(e) => setId(e.currentTarget.value)} />
        </label>
        {FIELDS.map((f) => (
          <label key={f}>
            <span>
              {LABELS[f]} {f === 'connType' && <span class="muted">(postgres, mongodb, aws, http, …)</span>}
            </span>
            <input
              name={f}
              value={texts[f]}
              inputMode={f === 'port' ? 'numeric' : undefined}
              onInput={(e) => {
                const value = e.currentTarget.value;
                setTexts((before) => ({ ...before, [f]: value }));
              }}
            />
          </label>
        ))}
        <label>
          <span>
            Password <span class="muted">({connection?.password ? 'set; leave empty to keep it' : 'optional'}; stored encrypted)</span>
          </span>
          <input name="password" type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <label>
          <span>
            Extra <span class="muted">(JSON object; optional)</span>
          </span>
          <textarea name="extra" rows={4} spellcheck={false} class="mono" placeholder="{}" value={extraText} aria-invalid={!extra.ok} onInput={(e) => setExtraText(e.currentTarget.value)} />
          {!extra.ok && (
            <span class="field-error" role="alert">
              Extra {extra.message}
            </span>
          )}
        </label>
      </div>
    </Confirm>
  );
}
