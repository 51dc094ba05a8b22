/**
 * The API's JSON, as types derived from the schemas beside this file: what the web UI and the
 * tests import (`import type`, so no zod reaches the browser). Request bodies are the types a
 * client sends (z.input); queries are the values the server reads from the query string
 * (z.output: numbers and booleans, written out as text by the client).
 */
export type { ApiErrorBody } from './error.ts';
export type { CreatePoolBody, PatchPoolBody, Pool, PoolList } from './pools.ts';
export type { Connection, ConnectionList, CreateConnectionBody, PatchConnectionBody } from './connections.ts';
export type { CreateVariableBody, PatchVariableBody, Variable, VariableList } from './variables.ts';
export type {
  DagRun,
  DagRunList,
  DagRunListQuery,
  DagRunState,
  RunSummary,
  RunType,
  TriggerDagRunBody,
  MarkDagRunBody,
  TriggeredBy,
  TriggeredRunsQuery,
} from './dag-runs.ts';
export type {
  Dag,
  DagDetail,
  DagParam,
  DagList,
  DagListEntry,
  DagListQuery,
  ImportError,
  ImportErrorList,
  PatchDagBody,
  TaskDefinition,
  TriggerRule,
} from './dags.ts';
export type {
  ClearTaskInstancesBody,
  LogQuery,
  MarkTaskInstanceBody,
  TaskInstance,
  TaskInstanceList,
  TaskInstanceListQuery,
  TaskInstanceProgress,
  TaskState,
  TaskTry,
  TaskTryList,
  XcomValue,
} from './task-instances.ts';
export type { TaskDuration, TaskDurationList, TaskDurationQuery } from './task-durations.ts';
export type { DagVersion, DagVersionList } from './dag-versions.ts';
export type { Callback, CallbackList } from './callbacks.ts';
export type { Grid, GridCell, GridQuery, GridTask } from './grid.ts';
export type {
  Backfill,
  BackfillList,
  BackfillListQuery,
  BackfillProgress,
  CreateBackfillBody,
  IntervalPlan,
  PlannedBackfill,
  PlannedInterval,
  ReprocessBehavior,
} from './backfills.ts';
export type { Asset, AssetEvent, AssetEventList, AssetEventListQuery, AssetList, ConsumedAssetEvent, CreateAssetEventBody } from './assets.ts';
export type { Health, HealthStatus } from './health.ts';
export type { QueueStatus, QueueStatusList, QueueStatusQuery, Worker, WorkerList } from './workers.ts';
export type { ListQuery } from './fields.ts';
export type { CurrentUser, Role } from './users.ts';
export type { AuditLog, AuditLogEntry, AuditLogQuery } from './audit-log.ts';
