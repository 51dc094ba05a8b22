import { notFound } from '../../errors.ts';
import { clearTaskInstances, markTaskInstance } from '../../engine/actions.ts';
import { DEFAULT_PAGE_BYTES, logExtent, MAX_PAGE_BYTES } from '../../store/logs.ts';
import { listTaskInstances, listTries, pageRunTries, pageTaskInstances } from '../../store/task-instance-reads.ts';
import { readInstanceXcom } from '../../store/xcom.ts';
import { page } from '../context.ts';
import { requireDag, requireRun, requireTaskInstance } from '../lookup.ts';
import { defineRoute, SENT } from '../route.ts';
import { dagPath, intString, listQuery, mappedTaskInstancePath, runPath, taskInstancePath } from '../schemas/fields.ts';
import {
  clearTaskInstancesBody,
  logQuery,
  markTaskInstanceBody,
  taskInstance,
  taskInstanceList,
  taskInstanceListQuery,
  taskTryList,
  xcomValue,
} from '../schemas/task-instances.ts';
import { taskInstanceJson, tryJson } from '../serialize.ts';
import { LOG_HEADERS, sendLogPage, streamWholeLog } from '../task-log-response.ts';

const BASE = '/dags/:dagId/dagRuns/:runId/taskInstances';
const TAG = 'Task instances';
const NO_TASK_INSTANCE = 'no such DAG, run of it, or task of that run';

export const taskInstanceRoutes = [
  defineRoute({
    operationId: 'listTaskInstances',
    method: 'get',
    path: BASE,
    tag: TAG,
    minRole: 'viewer',
    summary: "A run's task instances",
    params: runPath,
    query: taskInstanceListQuery,
    answers: { 200: { description: 'a page of task instances (1,000 unless limit says otherwise)', schema: taskInstanceList } },
    errors: { 404: 'no such DAG, or no such run of it' },
    async handle({ params: { dagId, runId }, query: q }, { deps: { services: { db } } }) {
      await requireRun(db, dagId, runId);
      const { instances, total } = await pageTaskInstances(db, dagId, runId, { taskId: q.taskId, limit: q.limit ?? 1000, offset: q.offset ?? 0 });
      return { status: 200, body: { taskInstances: instances.map(taskInstanceJson), totalEntries: total } };
    },
  }),

  // Beyond the contract: the tries of every task instance of a run at once, for the UI's Gantt
  // chart (a run of 500 instances would otherwise take 500 requests). Not under BASE, where the
  // segment after taskInstances is a task id.
  defineRoute({
    operationId: 'listRunTries',
    method: 'get',
    minRole: 'viewer',
    path: '/dags/:dagId/dagRuns/:runId/taskInstanceTries',
    tag: TAG,
    summary: 'Every try of every task instance of a run',
    params: runPath,
    query: listQuery,
    answers: {
      200: { description: 'a page of tries (1,000 unless limit says otherwise) by task, map index and try number: the finished ones and those running', schema: taskTryList },
    },
    errors: { 404: 'no such DAG, or no such run of it' },
    async handle({ params: { dagId, runId }, query: q }, { deps: { services: { db } } }) {
      await requireRun(db, dagId, runId);
      const { tries, total } = await pageRunTries(db, dagId, runId, { limit: q.limit ?? 1000, offset: q.offset ?? 0 });
      return { status: 200, body: { taskInstanceTries: tries.map((t) => tryJson(dagId, runId, t.taskId, t.mapIndex, t)), totalEntries: total } };
    },
  }),

  ...instanceRoutes({ path: `${BASE}/:taskId`, params: taskInstancePath, operation: (name) => name }),
  defineRoute({
    operationId: 'clearTaskInstances',
    method: 'post',
    path: '/dags/:dagId/clearTaskInstances',
    tag: TAG,
    minRole: 'operator',
    summary: "Clear a run's task instances so that they run again",
    params: dagPath,
    body: clearTaskInstancesBody,
    answers: { 200: { description: 'the task instances cleared', schema: taskInstanceList } },
    errors: { 404: 'no such DAG, or no such run of it' },
    async handle({ params: { dagId }, body }, { deps: { services }, caller }) {
      const { db } = services;
      await requireDag(db, dagId);
      const cleared = await clearTaskInstances(services, dagId, body.dagRunId, {
        taskIds: body.taskIds,
        includeDownstream: body.includeDownstream,
        onlyFailed: body.onlyFailed,
        actor: caller.name,
      });
      const ids = new Set(cleared);
      const tis = (await listTaskInstances(db, dagId, body.dagRunId)).filter((ti) => ids.has(ti.taskId));
      return { status: 200, body: { taskInstances: tis.map(taskInstanceJson), totalEntries: tis.length } };
    },
  }),

  // Last: `…/:taskId/:mapIndex` would otherwise take `…/:taskId/tries` and `…/:taskId/xcom`.
  ...instanceRoutes({
    path: `${BASE}/:taskId/:mapIndex`,
    params: mappedTaskInstancePath,
    operation: (name) => name.replace('TaskInstance', 'MappedTaskInstance'),
  }),
];

/**
 * The routes that address one task instance, in one of two forms: by task id alone (map index
 * -1, a task that is not mapped), or by task id and map index (one instance of a mapped task).
 */
interface InstanceForm {
  path: string;
  params: typeof taskInstancePath | typeof mappedTaskInstancePath;
  operation: (name: string) => string;
}

function instanceRoutes(form: InstanceForm) {
  const params = form.params as typeof mappedTaskInstancePath;
  const logPath = params.extend({ tryNumber: intString(1) });
  const mapIndexOf = (p: { mapIndex?: number }) => p.mapIndex ?? -1;
  return [
    defineRoute({
      operationId: form.operation('getTaskInstance'),
      method: 'get',
      path: form.path,
      tag: TAG,
      minRole: 'viewer',
      summary: 'One task instance',
      params,
      answers: { 200: { description: 'the task instance', schema: taskInstance } },
      errors: { 404: NO_TASK_INSTANCE },
      async handle({ params: p }, { deps: { services: { db } } }) {
        return { status: 200, body: taskInstanceJson(await requireTaskInstance(db, p.dagId, p.runId, p.taskId, mapIndexOf(p))) };
      },
    }),

    defineRoute({
      operationId: form.operation('markTaskInstance'),
      method: 'patch',
      path: form.path,
      tag: TAG,
      minRole: 'operator',
      summary: 'Mark a task instance success or failed by hand',
      params,
      body: markTaskInstanceBody,
      answers: { 200: { description: 'the task instance as it is now', schema: taskInstance } },
      errors: { 404: NO_TASK_INSTANCE },
      async handle({ params: p, body: { state } }, { deps: { services }, caller }) {
        const key = { dagId: p.dagId, runId: p.runId, taskId: p.taskId, mapIndex: mapIndexOf(p) };
        await requireTaskInstance(services.db, key.dagId, key.runId, key.taskId, key.mapIndex);
        await markTaskInstance(services, key, state, caller.name);
        return { status: 200, body: taskInstanceJson(await requireTaskInstance(services.db, key.dagId, key.runId, key.taskId, key.mapIndex)) };
      },
    }),

    // Beyond the contract: every try of a task instance, for the UI's try picker.
    defineRoute({
      operationId: form.operation('listTaskInstanceTries'),
      method: 'get',
      path: `${form.path}/tries`,
      tag: TAG,
      minRole: 'viewer',
      summary: 'Every try of a task instance',
      params,
      query: listQuery,
      answers: { 200: { description: 'the finished tries, then the current one if it is running', schema: taskTryList } },
      errors: { 404: NO_TASK_INSTANCE },
      async handle({ params: p, query: q }, { deps: { services: { db } } }) {
        const { dagId, runId, taskId } = p;
        const mapIndex = mapIndexOf(p);
        await requireTaskInstance(db, dagId, runId, taskId, mapIndex);
        const tries = await listTries(db, dagId, runId, taskId, mapIndex);
        return {
          status: 200,
          body: { taskInstanceTries: page(tries, q, 1000).map((t) => tryJson(dagId, runId, taskId, mapIndex, t)), totalEntries: tries.length },
        };
      },
    }),

    defineRoute({
      operationId: form.operation('getTaskInstanceLog'),
      method: 'get',
      path: `${form.path}/logs/:tryNumber`,
      tag: TAG,
      minRole: 'viewer',
      summary: "A try's log, as text",
      description:
        'Without offset and limit, the whole log; with either, one page of it. The X-Log-* headers say which bytes of the stored log the text covers.',
      params: logPath,
      query: logQuery(MAX_PAGE_BYTES),
      answers: { 200: { description: 'the log, formatted for people', contentType: 'text/plain', headers: LOG_HEADERS } },
      errors: { 404: 'no such DAG, run, task, or try of it' },
      async handle({ params: p, query: { offset, limit } }, { deps: { services }, res }) {
        const { db } = services;
        const { dagId, runId, taskId, tryNumber } = p;
        const mapIndex = mapIndexOf(p);
        const ti = await requireTaskInstance(db, dagId, runId, taskId, mapIndex);
        if (tryNumber > ti.tryNumber) {
          throw notFound(
            ti.tryNumber === 0
              ? `task "${taskId}" of run "${runId}" has not been tried yet, so it has no logs`
              : `task "${taskId}" of run "${runId}" has no try ${tryNumber}; its tries so far are 1 to ${ti.tryNumber}`,
          );
        }
        const key = { dagId, runId, taskId, mapIndex, tryNumber };
        // Read before any text: a try whose state is final has all its lines stored (they commit
        // with its outcome), so a reader told "complete" that reads up to this size has them all.
        const extent = await logExtent(db, key);
        if (offset === undefined && limit === undefined) {
          await streamWholeLog(res, db, key, extent, services.log.child({ component: 'api' }));
        } else {
          await sendLogPage(res, db, key, extent, { offset: offset ?? 0, limit: limit ?? DEFAULT_PAGE_BYTES });
        }
        return SENT;
      },
    }),

    defineRoute({
      operationId: form.operation('getTaskInstanceXcom'),
      method: 'get',
      path: `${form.path}/xcom`,
      tag: TAG,
      minRole: 'viewer',
      summary: 'What a task returned (its XCom)',
      params,
      answers: { 200: { description: 'the value', schema: xcomValue } },
      errors: { 404: 'no such DAG, run or task, or the task has no XCom value (it has not succeeded, or returned nothing)' },
      async handle({ params: p }, { deps: { services: { db } } }) {
        const { dagId, runId, taskId } = p;
        const ti = await requireTaskInstance(db, dagId, runId, taskId, mapIndexOf(p));
        const xcom = await readInstanceXcom(db, { dagId, runId, taskId, mapIndex: ti.mapIndex });
        if (!xcom.found) {
          throw notFound(
            ti.state === 'success'
              ? `task "${taskId}" of run "${runId}" returned nothing, so it has no XCom value`
              : `task "${taskId}" of run "${runId}" has no XCom value: its state is "${ti.state}", and only a task ` +
                  'that succeeded has one (if it returned something)',
          );
        }
        return { status: 200, body: { value: xcom.value } };
      },
    }),
  ];
}
