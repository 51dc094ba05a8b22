/**
 * What the connections and variables pages share: a row's Edit and Delete buttons, shown to
 * admins only (the API refuses anyone else, README "Users and roles"), and the confirmation of a
 * delete that says it is done and refreshes what the page shows.
 */
import type { ComponentChildren } from 'preact';
import { Can } from '../me.tsx';
import { Confirm } from './dialog.tsx';
import { toast } from './feedback.tsx';
import { refreshAll } from '../hooks.ts';

export function AdminRowActions({ onEdit, onDelete }: { onEdit: () => void; onDelete: () => void }) {
  return (
    <td class="actions">
      <Can role="admin">
        <button type="button" class="small" onClick={onEdit}>
          Edit
        </button>{' '}
        <button type="button" class="small danger" onClick={onDelete}>
          Delete
        </button>
      </Can>
    </td>
  );
}

/** "Delete connection wh": on yes, `remove()`, a toast naming it, and every poll refreshed. */
export function ConfirmDelete({
  what,
  name,
  remove,
  onClose,
  children,
}: {
  what: 'connection' | 'variable';
  name: string;
  remove: () => Promise<void>;
  onClose: () => void;
  children: ComponentChildren;
}) {
  return (
    <Confirm
      title={`Delete ${what} ${name}`}
      confirmLabel="Delete"
      danger
      onClose={onClose}
      onConfirm={async () => {
        await remove();
        toast('success', `${what === 'connection' ? 'Connection' : 'Variable'} "${name}" deleted`);
        refreshAll();
      }}
    >
      {children}
    </Confirm>
  );
}
