/**
 * The REST API as the UI calls it: one function per route, typed by the types the server derives
 * from its own schemas (src/api/schemas), so a renamed field or a changed query is a type error
 * here rather than a blank cell in the browser. Type imports only: no zod reaches the bundle.
 *
 * Reads go through getJson, which answers an unchanged poll with the very same object (see
 * http.ts); each takes `{signal}` so a view that goes away stops its request.
 */
import type {
  AssetEventList,
  AssetEventListQuery,
  AssetList,
  AuditLog,
  AuditLogQuery,
  Backfill,
  BackfillList,
  BackfillListQuery,
  CallbackList,
  ClearTaskInstancesBody,
  CreateBackfillBody,
  CurrentUser,
  Dag,
  DagDetail,
  DagList,
  DagListQuery,
  DagRun,
  DagRunList,
  DagRunListQuery,
  DagVersionList,
  Grid,
  GridQuery,
  Health,
  ImportErrorList,
  ListQuery,
  LogQuery,
  MarkTaskInstanceBody,
  PatchDagBody,
  PlannedBackfill,
  QueueStatusList,
  QueueStatusQuery,
  TaskInstance,
  TaskInstanceList,
  TaskInstanceListQuery,
  TaskTryList,
  TaskDurationList,
  TaskDurationQuery,
  TriggerDagRunBody,
  PatchPoolBody,
  Pool,
  PoolList,
  Connection,
  ConnectionList,
  CreateConnectionBody,
  PatchConnectionBody,
  Variable,
  VariableList,
  CreateVariableBody,
  PatchVariableBody,
  MarkDagRunBody,
  TriggeredRunsQuery,
  WorkerList,
  XcomValue,
} from '../../src/api/schemas/index.ts';
import { apiPath, getJson, getText, query, remove, send, type RequestOptions } from './http.ts';

export { ApiError, onUnauthorized, token, Unauthorized } from './http.ts';

type Read = Pick<RequestOptions, 'signal'>;

const runPath = (dagId: string, runId: string) => apiPath`/dags/${dagId}/dagRuns/${runId}`;
/**
 * A task instance as the routes name it: an unmapped task by its id; an instance of a mapped task
 * by its id and map index (the routes without the index answer 404 for a mapped task).
 */
export type TaskInstanceRef = string | { taskId: string; mapIndex: number };

const taskInstancePath = (dagId: string, runId: string, ref: TaskInstanceRef) => {
  const { taskId, mapIndex } = typeof ref === 'string' ? { taskId: ref, mapIndex: -1 } : ref;
  return runPath(dagId, runId) + apiPath`/taskInstances/${taskId}` + (mapIndex >= 0 ? `/${mapIndex}` : '');
};

/** The list route's largest page. */
const LIST_PAGE = 1000;

export const api = {
  health: (options?: Read) => getJson<Health>('/health', options),
  /** Who this token belongs to, and its role. */
  me: (options?: Read) => getJson<CurrentUser>('/me', options),
  auditLog: (q: Partial<AuditLogQuery> = {}, options?: Read) => getJson<AuditLog>('/auditLog' + query(q), options),

  dags: {
    list: (q: DagListQuery = {}, options?: Read) => getJson<DagList>('/dags' + query(q), options),
    get: (dagId: string, options?: Read) => getJson<DagDetail>(apiPath`/dags/${dagId}`, options),
    patch: (dagId: string, body: PatchDagBody) => send<Dag>('PATCH', apiPath`/dags/${dagId}`, body),
    versions: (dagId: string, q: ListQuery = {}, options?: Read) => getJson<DagVersionList>(apiPath`/dags/${dagId}/versions` + query(q), options),
    /** Every started try of the latest runs' tasks: the task-duration chart. */
    taskDurations: (dagId: string, q: TaskDurationQuery = {}, options?: Read) =>
      getJson<TaskDurationList>(apiPath`/dags/${dagId}/taskDurations` + query(q), options),
    /** The DAG file's source text in one version. */
    source: async (dagId: string, version: string, options?: Read) => (await getText(apiPath`/dags/${dagId}/versions/${version}/source`, options)).text,
  },

  importErrors: {
    list: (q: ListQuery = {}, options?: Read) => getJson<ImportErrorList>('/importErrors' + query(q), options),
  },

  dagRuns: {
    list: (dagId: string, q: DagRunListQuery = {}, options?: Read) =>
      getJson<DagRunList>(apiPath`/dags/${dagId}/dagRuns` + query(q), options),
    get: (dagId: string, runId: string, options?: Read) => getJson<DagRun>(runPath(dagId, runId), options),
    trigger: (dagId: string, body: TriggerDagRunBody) => send<DagRun>('POST', apiPath`/dags/${dagId}/dagRuns`, body),
    /** Marks the run (and its unfinished task instances) success or failed. */
    mark: (dagId: string, runId: string, body: MarkDagRunBody) => send<DagRun>('PATCH', runPath(dagId, runId), body),
    /** The runs (of any DAG) that tasks of this run triggered, oldest first. */
    triggered: (dagId: string, runId: string, q: TriggeredRunsQuery = {}, options?: Read) =>
      getJson<DagRunList>(runPath(dagId, runId) + '/triggeredRuns' + query(q), options),
  },

  callbacks: {
    /** A run's callbacks, in the order their events happened. */
    list: (dagId: string, runId: string, q: ListQuery = {}, options?: Read) =>
      getJson<CallbackList>(runPath(dagId, runId) + '/callbacks' + query(q), options),
    /** One callback's log, every try's lines, as text. */
    log: async (dagId: string, runId: string, id: number, options?: Read) =>
      (await getText(runPath(dagId, runId) + apiPath`/callbacks/${id}/log`, options)).text,
  },

  grid: {
    get: (dagId: string, q: GridQuery = {}, options?: Read) => getJson<Grid>(apiPath`/dags/${dagId}/grid` + query(q), options),
  },

  taskInstances: {
    list: (dagId: string, runId: string, q: TaskInstanceListQuery = {}, options?: Read) =>
      getJson<TaskInstanceList>(runPath(dagId, runId) + '/taskInstances' + query(q), options),
    /**
     * Every page of the list (a mapped task's 10,000 instances are 10): the first, then the rest at
     * once. Each page is the same object while it is unchanged (getJson), so callers can tell.
     */
    listPages: async (dagId: string, runId: string, q: Omit<TaskInstanceListQuery, 'limit' | 'offset'> = {}, options?: Read) => {
      const first = await api.taskInstances.list(dagId, runId, { ...q, limit: LIST_PAGE }, options);
      const offsets: number[] = [];
      for (let offset = LIST_PAGE; offset < first.totalEntries; offset += LIST_PAGE) offsets.push(offset);
      const rest = await Promise.all(offsets.map((offset) => api.taskInstances.list(dagId, runId, { ...q, limit: LIST_PAGE, offset }, options)));
      return [first, ...rest];
    },
    get: (dagId: string, runId: string, taskId: TaskInstanceRef, options?: Read) =>
      getJson<TaskInstance>(taskInstancePath(dagId, runId, taskId), options),
    mark: (dagId: string, runId: string, taskId: TaskInstanceRef, body: MarkTaskInstanceBody) =>
      send<TaskInstance>('PATCH', taskInstancePath(dagId, runId, taskId), body),
    /** A page of every try of every task instance of a run: the Gantt chart. */
    runTries: (dagId: string, runId: string, q: ListQuery = {}, options?: Read) =>
      getJson<TaskTryList>(runPath(dagId, runId) + '/taskInstanceTries' + query(q), options),
    tries: (dagId: string, runId: string, taskId: TaskInstanceRef, q: ListQuery = {}, options?: Read) =>
      getJson<TaskTryList>(taskInstancePath(dagId, runId, taskId) + '/tries' + query(q), options),
    xcom: (dagId: string, runId: string, taskId: TaskInstanceRef, options?: Read) =>
      getJson<XcomValue>(taskInstancePath(dagId, runId, taskId) + '/xcom', options),
    /** A page of a try's log as text; its X-Log-* headers say where the page ends. */
    log: (dagId: string, runId: string, taskId: TaskInstanceRef, tryNumber: number, q: LogQuery = {}, options?: Read) =>
      getText(taskInstancePath(dagId, runId, taskId) + apiPath`/logs/${tryNumber}` + query(q), options),
    clear: (dagId: string, body: ClearTaskInstancesBody) =>
      send<TaskInstanceList>('POST', apiPath`/dags/${dagId}/clearTaskInstances`, body),
  },

  workers: {
    list: (options?: Read) => getJson<WorkerList>('/workers', options),
    /** Tries queued and running by pool and queue, with the running workers that serve each. */
    queues: (q: QueueStatusQuery = {}, options?: Read) => getJson<QueueStatusList>('/queues' + query(q), options),
  },

  pools: {
    list: (options?: Read) => getJson<PoolList>('/pools', options),
    /** Changes a pool's slots or description; tasks waiting for room are admitted at once. */
    patch: (name: string, body: PatchPoolBody) => send<Pool>('PATCH', apiPath`/pools/${name}`, body),
  },

  /** Passwords and secret values are never sent: they show as "***", which PATCH reads as "keep it". */
  connections: {
    list: (options?: Read) => getJson<ConnectionList>('/connections', options),
    create: (body: CreateConnectionBody) => send<Connection>('POST', '/connections', body),
    patch: (connectionId: string, body: PatchConnectionBody) => send<Connection>('PATCH', apiPath`/connections/${connectionId}`, body),
    delete: (connectionId: string) => remove(apiPath`/connections/${connectionId}`),
  },

  variables: {
    list: (options?: Read) => getJson<VariableList>('/variables', options),
    create: (body: CreateVariableBody) => send<Variable>('POST', '/variables', body),
    patch: (key: string, body: PatchVariableBody) => send<Variable>('PATCH', apiPath`/variables/${key}`, body),
    delete: (key: string) => remove(apiPath`/variables/${key}`),
  },

  assets: {
    list: (q: ListQuery = {}, options?: Read) => getJson<AssetList>('/assets' + query(q), options),
    events: (q: Partial<AssetEventListQuery> = {}, options?: Read) => getJson<AssetEventList>('/assets/events' + query(q), options),
  },

  backfills: {
    list: (q: BackfillListQuery = {}, options?: Read) => getJson<BackfillList>('/backfills' + query(q), options),
    /** A dry run (200) and a new backfill (201) answer alike: the backfill with a page of its planned dates. */
    create: (body: CreateBackfillBody) => send<PlannedBackfill>('POST', '/backfills', body),
    cancel: (id: number) => send<Backfill>('POST', apiPath`/backfills/${id}/cancel`),
  },
};
