/**
 * The package entry: what DAG files import from 'sluice'. Authoring only; nothing here does I/O,
 * so importing a DAG file never connects to anything.
 */
export { dag, chain } from './sdk/dag.ts';
export { param } from './sdk/param.ts';
export { asset } from './sdk/asset.ts';
export { SkipTask, FailTask, RescheduleTask, DagDefinitionError, NotFoundError, isNotFound } from './sdk/errors.ts';
export type { Dag, Task, TaskGroup } from './sdk/dag.ts';
export type { TaskContext, TaskFn, TriggeringAssetEvent } from './sdk/context.ts';
export type { Callback, CallbackContext, CallbackEvent, CallbackValue, Notifier, NotifierInfo, NotifierKind } from './sdk/callbacks.ts';
export type { DagOptions, TaskOptions, GroupOptions, Duration } from './sdk/options.ts';
export type { Param, ParamOptions } from './sdk/param.ts';
export type { Asset, OutletOptions } from './sdk/asset.ts';
export type { MappingOptions } from './sdk/mapping.ts';
export type { SensorOptions, SensorMode } from './sdk/sensor.ts';
export type { TriggerRule } from './core/trigger-rules.ts';
