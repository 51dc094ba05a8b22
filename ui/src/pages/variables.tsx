/**
 * Variables (README, "Variables"): what tasks read with ctx.variable(), listed, added, edited and
 * deleted here. A secret variable's value (its key contains secret, password, token, api_key or
 * private) is never shown: the API answers "***", and editing one without typing a new value keeps it.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Can } from '../me.tsx';
import { AdminRowActions, ConfirmDelete } from '../components/admin-rows.tsx';
import { Confirm } from '../components/dialog.tsx';
import { Pending, toast } from '../components/feedback.tsx';
import { refreshAll, usePoll } from '../hooks.ts';
import { plural } from '../lib/format.ts';
import type { Variable } from '../types.ts';

type Editing = { mode: 'add' } | { mode: 'edit'; variable: Variable } | { mode: 'delete'; variable: Variable };

const SECRET_SHOWN = '***';

export function VariablesPage() {
  const list = usePoll('variables', (signal) => api.variables.list({ signal }), 5000);
  const [editing, setEditing] = useState<Editing | undefined>();
  return (
    <div class="page">
      <div class="page-head">
        <h1>Variables</h1>
        {list.data && <span class="muted">{plural(list.data.totalEntries, 'variable')}</span>}
        <span class="spacer" />
        <Can role="admin">
          <button type="button" class="primary" onClick={() => setEditing({ mode: 'add' })}>
            Add variable
          </button>
        </Can>
      </div>
      <p class="muted small">
        Tasks read these with <code>await ctx.variable(key)</code>. A variable whose key contains secret, password, token, api_key or
        private is stored encrypted and shown as ***; an environment variable <code>SLUICE_VAR_&lt;KEY&gt;</code> on the workers wins
        over what is here.
      </p>
      {!list.data ? (
        <Pending error={list.error} what="variables" />
      ) : list.data.variables.length === 0 ? (
        <p class="muted">No variables yet.</p>
      ) : (
        <table class="table dense variables">
          <thead>
            <tr>
              <th>Key</th>
              <th>Value</th>
              <th>Description</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.variables.map((v) => (
              <tr key={v.key} data-variable={v.key}>
                <td class="mono">{v.key}</td>
                <td class="mono value">{v.value}</td>
                <td>{v.description || <span class="muted">—</span>}</td>
                <AdminRowActions onEdit={() => setEditing({ mode: 'edit', variable: v })} onDelete={() => setEditing({ mode: 'delete', variable: v })} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing?.mode === 'delete' ? (
        <ConfirmDelete what="variable" name={editing.variable.key} remove={() => api.variables.delete(editing.variable.key)} onClose={() => setEditing(undefined)}>
          <p>Tasks that read it without a fallback will fail, unless a SLUICE_VAR_ environment variable gives it.</p>
        </ConfirmDelete>
      ) : editing ? (
        <VariableForm variable={editing.mode === 'edit' ? editing.variable : undefined} onClose={() => setEditing(undefined)} />
      ) : null}
    </div>
  );
}

/** Adds a variable, or edits one (its key fixed; a secret one's value kept unless a new one is typed). */
function VariableForm({ variable, onClose }: { variable?: Variable; onClose: () => void }) {
  const secret = variable?.value === SECRET_SHOWN;
  const [key, setKey] = useState(variable?.key ?? '');
  const [value, setValue] = useState(secret ? '' : (variable?.value ?? ''));
  const [description, setDescription] = useState(variable?.description ?? '');

  const save = async () => {
    if (variable) {
      await api.variables.patch(variable.key, { description, ...(secret && value === '' ? {} : { value }) });
      toast('success', `Variable "${variable.key}" saved`);
    } else {
      await api.variables.create({ key: key.trim(), value, description });
      toast('success', `Variable "${key.trim()}" added`);
    }
    refreshAll();
  };

  return (
    <Confirm title={variable ? `Edit variable ${variable.key}` : 'Add a variable'} confirmLabel="Save" onConfirm={save} onClose={onClose}>
      <div class="form">
        <label>
          <span>Key</span>
          <input name="key" value={key} disabled={Boolean(variable)} required onInput={(e) => setKey(e.currentTarget.value)} />
        </label>
        <label>
          <span>
            Value <span class="muted">{secret ? '(secret: leave empty to keep it)' : '(text; JSON is kept as its text)'}</span>
          </span>
          <textarea name="value" rows={4} spellcheck={false} class="mono" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </label>
        <label>
          <span>
            Description <span class="muted">(optional)</span>
          </span>
          <input name="description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
      </div>
    </Confirm>
  );
}
