import { listLiveWorkers, listQueueStatus } from '../../store/workers.ts';
import { defineRoute } from '../route.ts';
import { nothing } from '../schemas/fields.ts';
import { queueStatusList, queueStatusQuery, workerList } from '../schemas/workers.ts';
import { iso } from '../serialize.ts';

export const workerRoutes = [
  defineRoute({
    operationId: 'listWorkers',
    method: 'get',
    path: '/workers',
    tag: 'Monitoring',
    minRole: 'viewer',
    summary: 'The running workers, and the pools and queues each serves',
    query: nothing,
    answers: { 200: { description: 'the workers heard from in the last 30 seconds, newest heartbeat first', schema: workerList } },
    async handle(_input, { deps: { services: { db } } }) {
      const workers = await listLiveWorkers(db);
      return {
        status: 200,
        body: {
          workers: workers.map((w) => ({
            workerId: w.workerId,
            hostname: w.hostname,
            pools: w.pools,
            queues: w.queues,
            concurrency: w.concurrency,
            startedAt: iso(w.startedAt),
            latestHeartbeat: iso(w.latestHeartbeat),
          })),
          totalEntries: workers.length,
        },
      };
    },
  }),

  defineRoute({
    operationId: 'listQueues',
    method: 'get',
    path: '/queues',
    tag: 'Monitoring',
    minRole: 'viewer',
    summary: 'Tries queued and running by pool and queue, and how many running workers serve each',
    description:
      'A pool and queue with tries queued and 0 workers is one no running worker serves: its tries wait in `queued` ' +
      'until a worker is started with that queue in `--queues` (and, if it has `--pools`, that pool).',
    query: queueStatusQuery,
    answers: { 200: { description: 'one entry per pool and queue with tries queued or running', schema: queueStatusList } },
    async handle({ query: q }, { deps: { services: { db } } }) {
      const queues = await listQueueStatus(db, q.dagId);
      return {
        status: 200,
        body: { queues: queues.map((s) => ({ ...s, oldestQueuedAt: iso(s.oldestQueuedAt) })), totalEntries: queues.length },
      };
    },
  }),
];
