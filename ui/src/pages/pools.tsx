/**
 * Pools (README, "Pools"): each pool's slots, how many its tries hold now (occupied: queued or
 * running) and how many its waiting tasks want (queued), updated every two seconds; a pool's size
 * is changed in place (by an admin), and a larger size admits what waits at once.
 */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { Pending, toast } from '../components/feedback.tsx';
import { refreshAll, usePoll } from '../hooks.ts';
import { plural } from '../lib/format.ts';
import { useCan } from '../me.tsx';
import type { Pool } from '../types.ts';

export function PoolsPage() {
  const list = usePoll('pools', (signal) => api.pools.list({ signal }), 2000);
  return (
    <div class="page">
      <div class="page-head">
        <h1>Pools</h1>
        {list.data && <span class="muted">{plural(list.data.totalEntries, 'pool')}</span>}
      </div>
      <p class="muted small">
        A task holds its pool slots while its try is queued or running; tasks that find no room wait, counted as queued. A pool
        named by a task is made with 128 slots.
      </p>
      {!list.data ? (
        <Pending error={list.error} what="pools" />
      ) : (
        <table class="table dense pools">
          <thead>
            <tr>
              <th>Pool</th>
              <th class="num">Slots</th>
              <th>Occupied</th>
              <th class="num">Queued</th>
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {list.data.pools.map((p) => (
              <PoolRow key={p.name} pool={p} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function PoolRow({ pool }: { pool: Pool }) {
  const canEdit = useCan('admin');
  const [slots, setSlots] = useState<string | null>(null);
  const editing = slots !== null && slots !== String(pool.slots);
  const save = async (event: Event) => {
    event.preventDefault();
    if (slots === null) return;
    try {
      await api.pools.patch(pool.name, { slots: Number(slots) });
      toast('success', `Pool "${pool.name}" has ${slots} slots`);
      setSlots(null);
      refreshAll();
    } catch (error) {
      toast('error', error instanceof ApiError ? error.message : String(error));
    }
  };
  const share = pool.slots > 0 ? Math.min(1, pool.occupiedSlots / pool.slots) : pool.occupiedSlots > 0 ? 1 : 0;
  return (
    <tr data-pool={pool.name}>
      <td class="mono">{pool.name}</td>
      <td class="num">
        {!canEdit ? (
          pool.slots
        ) : (
          <form class="inline" onSubmit={save}>
            <input
              type="number"
              min={0}
              step={1}
              class="slots"
              aria-label={`Slots of ${pool.name}`}
              value={slots ?? String(pool.slots)}
              onInput={(e) => setSlots((e.target as HTMLInputElement).value)}
            />
            {editing && (
              <button type="submit" class="small">
                Set
              </button>
            )}
          </form>
        )}
      </td>
      <td>
        <span class="usage" title={`${pool.occupiedSlots} of ${pool.slots} slots occupied`}>
          <span class="usage-bar" style={{ width: `${Math.round(share * 100)}%` }} />
        </span>{' '}
        <span class="num">
          {pool.occupiedSlots} / {pool.slots}
        </span>
      </td>
      <td class="num">{pool.queuedSlots}</td>
      <td>{pool.description || <span class="muted">—</span>}</td>
    </tr>
  );
}
