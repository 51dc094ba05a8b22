/**
 * A warning over a page when tries wait on a pool and queue that no running worker serves: they
 * stay queued until a worker is started with that queue, and nothing else on screen says why.
 */
import { api } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { plural } from '../lib/format.ts';
import { Relative } from './time.tsx';

/**
 * Polls GET /queues (one DAG's tries with `dagId`; of those, one pool and queue's with `only`);
 * renders nothing while every queue is served.
 */
export function UnservedQueues({ dagId, only }: { dagId?: string; only?: { pool: string; queue: string } }) {
  const queues = usePoll(`queues:${dagId ?? ''}`, (signal) => api.workers.queues(dagId ? { dagId } : {}, { signal }), 3000);
  const unserved = (queues.data?.queues ?? []).filter(
    (q) => q.queuedTries > 0 && q.workers === 0 && (!only || (q.pool === only.pool && q.queue === only.queue)),
  );
  if (unserved.length === 0) return null;
  return (
    <section class="banner banner-warn" role="status" aria-label="Queues no worker serves">
      <strong>{plural(unserved.reduce((n, q) => n + q.queuedTries, 0), 'try', 'tries')} waiting on queues no running worker serves</strong>
      <ul class="unserved-queues">
        {unserved.map((q) => (
          <li key={`${q.pool}\u0000${q.queue}`}>
            queue <span class="mono strong">{q.queue}</span> of pool <span class="mono">{q.pool}</span>: {plural(q.queuedTries, 'try', 'tries')},
            the oldest queued <Relative iso={q.oldestQueuedAt} />. Start a worker for it:{' '}
            <code>sluice worker --queues {q.queue}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}
