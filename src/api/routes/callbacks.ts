import { notFound } from '../../errors.ts';
import { formatLog } from '../../log-format.ts';
import { getCallbackLog, listRunCallbacks, type CallbackRecord } from '../../store/callbacks.ts';
import { requireRun } from '../lookup.ts';
import { defineRoute, SENT } from '../route.ts';
import { callbackList, callbackPath, type Callback } from '../schemas/callbacks.ts';
import { listQuery, runPath } from '../schemas/fields.ts';
import { iso } from '../serialize.ts';

/** A callback as the API shows it: running (a worker holds it) is still pending, until it ends. */
function toApi(c: CallbackRecord): Callback {
  return {
    id: c.id,
    event: c.event,
    taskId: c.taskId,
    mapIndex: c.mapIndex,
    state: c.state === 'running' ? 'pending' : c.state,
    tries: c.tries,
    error: c.error,
    createdAt: iso(c.createdAt),
    endDate: iso(c.endDate),
  };
}

export const callbackRoutes = [
  defineRoute({
    operationId: 'listCallbacks',
    method: 'get',
    path: '/dags/:dagId/dagRuns/:runId/callbacks',
    tag: 'DAG runs',
    minRole: 'viewer',
    summary: "A run's callbacks, in the order their events happened",
    description:
      'One per event that had callbacks (onSuccess, onFailure, onRetry of the DAG or a task): recorded when the event happened, ' +
      'then run on a worker, at least once, with up to 3 tries.',
    params: runPath,
    query: listQuery,
    answers: { 200: { description: 'a page of callbacks', schema: callbackList } },
    errors: { 404: 'no such DAG or run' },
    async handle({ params: { dagId, runId }, query: q }, { deps: { services: { db } } }) {
      await requireRun(db, dagId, runId);
      const { callbacks, total } = await listRunCallbacks(db, dagId, runId, q.limit ?? 100, q.offset ?? 0);
      return { status: 200, body: { callbacks: callbacks.map(toApi), totalEntries: total } };
    },
  }),

  defineRoute({
    operationId: 'getCallbackLog',
    method: 'get',
    path: '/dags/:dagId/dagRuns/:runId/callbacks/:callbackId/log',
    tag: 'DAG runs',
    minRole: 'viewer',
    summary: "A callback's log: every try's lines, formatted for people",
    params: callbackPath,
    answers: { 200: { description: 'the log as text (empty before its first try has ended)', contentType: 'text/plain' } },
    errors: { 404: 'no such DAG, run or callback' },
    async handle({ params: { dagId, runId, callbackId } }, { deps: { services: { db } }, res }) {
      await requireRun(db, dagId, runId);
      const log = await getCallbackLog(db, dagId, runId, callbackId);
      if (log === undefined) {
        throw notFound(`run "${runId}" of DAG "${dagId}" has no callback ${callbackId}; GET /api/v1/dags/${dagId}/dagRuns/${runId}/callbacks lists them`);
      }
      res.status(200).type('text/plain; charset=utf-8').send(formatLog(log));
      return SENT;
    },
  }),
];
