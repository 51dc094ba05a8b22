import type { DagCallbackKind, DagSpec, TaskCallbackKind, TaskSpec } from '../core/spec.ts';
import { topologicalOrder } from '../core/graph.ts';
import { showValue } from '../core/show-value.ts';
import type { TaskFn } from './context.ts';
import { DagDefinitionError } from './errors.ts';
import { TaskGroup, recordMember, type GroupHost } from './group.ts';
import {
  resolveDagOptions,
  resolveGroupOptions,
  resolveTaskOptions,
  type DagOptions,
  type GroupOptions,
  type ResolvedDagOptions,
  type TaskOptions,
} from './options.ts';
import { resolveMapping, type MappingOptions } from './mapping.ts';
import { resolveSensor, sensorFunction, withoutSensorOptions, type SensorOptions } from './sensor.ts';
import { resolveOutlets, type OutletOptions } from './asset.ts';
import { Task, taskList, type Linkable } from './task.ts';
import { checkId } from './validate.ts';

export { Task } from './task.ts';
export { TaskGroup } from './group.ts';

// A registered symbol, so the loader recognizes a DAG built by another copy of this module.
const DAG_BRAND = Symbol.for('sluice.dag');

export class Dag {
  readonly dagId: string;
  readonly options: Readonly<ResolvedDagOptions>;
  readonly #tasks = new Map<string, Task>();
  readonly #groups = new Map<string, TaskGroup>();
  /** How its groups declare tasks and subgroups (group.ts). */
  readonly #host: GroupHost;

  /** Use `dag(id, options)`: it checks the id and the options. */
  constructor(dagId: string, options: ResolvedDagOptions) {
    this.dagId = dagId;
    this.options = options;
    this.#host = {
      dagId,
      addTask: (localId, optionsOrFn, maybeFn, group, isSensor) => this.#addTask(localId, optionsOrFn, maybeFn, group, isSensor),
      addGroup: (localId, options, parent) => this.#addGroup(localId, options, parent),
    };
    Object.defineProperty(this, DAG_BRAND, { value: true });
  }

  /** In the order they were declared. */
  get tasks(): Task[] {
    return [...this.#tasks.values()];
  }

  task(taskId: string, fn: TaskFn): Task;
  task(taskId: string, options: TaskOptions & MappingOptions & OutletOptions, fn: TaskFn): Task;
  task(taskId: string, optionsOrFn: (TaskOptions & MappingOptions & OutletOptions) | TaskFn, maybeFn?: TaskFn): Task {
    return this.#addTask(taskId, optionsOrFn, maybeFn, null);
  }

  /** A sensor (sensor.ts): `check` answers falsy for "not yet", anything else when done. */
  sensor(taskId: string, check: TaskFn): Task;
  sensor(taskId: string, options: SensorOptions & TaskOptions & MappingOptions & OutletOptions, check: TaskFn): Task;
  sensor(taskId: string, optionsOrFn: (SensorOptions & TaskOptions & MappingOptions & OutletOptions) | TaskFn, maybeFn?: TaskFn): Task {
    return this.#addTask(taskId, optionsOrFn, maybeFn, null, true);
  }

  /** A task group: `g.task('orders', ...)` has the id `<groupId>.orders`. */
  group(groupId: string, options?: GroupOptions): TaskGroup {
    return this.#addGroup(groupId, options, null);
  }

  /** Its task groups, subgroups included, in the order they were declared. */
  get groups(): TaskGroup[] {
    return [...this.#groups.values()];
  }

  #addTask(
    localId: string,
    optionsOrFn: (TaskOptions & MappingOptions & OutletOptions) | TaskFn,
    maybeFn: TaskFn | undefined,
    group: TaskGroup | null,
    isSensor = false,
  ): Task {
    const id = this.#scopedId(localId, 'task', group);
    const [given, fn]: [unknown, unknown] = typeof optionsOrFn === 'function' && maybeFn === undefined ? [{}, optionsOrFn] : [optionsOrFn, maybeFn];
    if (typeof fn !== 'function') {
      const call = `${group ? 'g' : 'd'}.${isSensor ? 'sensor' : 'task'}`;
      throw new DagDefinitionError(
        this.dagId,
        `task "${id}" has no function; write ${call}('${localId}', async (ctx) => { ... }) or ${call}('${localId}', { retries: 2 }, async (ctx) => { ... }); got ${showValue(fn)}`,
      );
    }
    const defaults = group ? group.defaultArgs : this.options.defaultArgs;
    const sensor = isSensor ? this.#check(() => resolveSensor(id, given)) : null;
    const options = isSensor ? withoutSensorOptions(given) : given;
    const resolved = resolveTaskOptions(this.dagId, id, options, defaults);
    const mapping = this.#check(() => resolveMapping(id, options));
    const outlets = this.#check(() => resolveOutlets(id, options));
    const run = sensor ? sensorFunction(id, sensor, fn as TaskFn) : (fn as TaskFn);
    const task = new Task(this, id, resolved, run, group?.groupId ?? null, mapping?.spec ?? null, sensor, outlets);
    if (mapping?.source) Task.link(mapping.source, task);
    this.#tasks.set(id, task);
    if (group) recordMember(group, task);
    return task;
  }

  #addGroup(localId: string, options: GroupOptions | undefined, parent: TaskGroup | null): TaskGroup {
    const id = this.#scopedId(localId, 'group', parent);
    const resolved = resolveGroupOptions(this.dagId, id, options);
    const defaults = { ...(parent ? parent.defaultArgs : this.options.defaultArgs), ...resolved.defaultArgs };
    const group = new TaskGroup(this.#host, id, resolved.tooltip, defaults, parent);
    this.#groups.set(id, group);
    return group;
  }

  /**
   * The full id of a task or group declared in `group` (or at the top): checked, and taken by no
   * other task or group. Inside a group an id has no dot of its own, so that `a.b.c` names one thing.
   */
  #scopedId(localId: string, kind: 'task' | 'group', group: TaskGroup | null): string {
    const own = this.#check(() => checkId(localId, `the ${kind} id`));
    if ((group || kind === 'group') && own.includes('.')) {
      throw new DagDefinitionError(
        this.dagId,
        `the ${kind} id "${own}"${group ? ` in group "${group.groupId}"` : ''} has a dot, which separates a group's id from its members'; ` +
          `use '_' or '-' instead, e.g. "${own.replaceAll('.', '_')}", or nest a group`,
      );
    }
    const id = group ? `${group.groupId}.${own}` : own;
    if (kind === 'task' && this.#tasks.has(id)) {
      throw new DagDefinitionError(this.dagId, `task id "${id}" is used twice; every task of a DAG needs its own id`);
    }
    if (this.#tasks.has(id) || this.#groups.has(id)) {
      const taken = this.#tasks.has(id) ? 'a task' : 'a group';
      throw new DagDefinitionError(this.dagId, `${kind} id "${id}" is already used by ${taken}; every task and group of a DAG needs its own id`);
    }
    return id;
  }

  getTask(taskId: string): Task | undefined {
    return this.#tasks.get(taskId);
  }

  /** Throws a DagDefinitionError naming a cycle if there is one. */
  validate(): void {
    this.#order();
  }

  /** The DAG as data, tasks in a topological order. Validates first. */
  toSpec(): DagSpec {
    const order = this.#order();
    const { options } = this;
    return {
      dagId: this.dagId,
      description: options.description,
      schedule: options.schedule ? options.schedule.expression : null,
      timezone: options.timezone,
      startDate: options.startDate ? options.startDate.toISOString() : null,
      endDate: options.endDate ? options.endDate.toISOString() : null,
      catchup: options.catchup,
      maxActiveRuns: options.maxActiveRuns,
      maxActiveTasks: options.maxActiveTasks,
      isPausedUponCreation: options.isPausedUponCreation,
      dagrunTimeoutMs: options.dagrunTimeoutMs,
      params: structuredClone(options.params),
      // Absent without typed params, so that such a DAG keeps the spec (and version) it had.
      ...(options.paramSchemas ? { paramSchemas: structuredClone(options.paramSchemas) } : {}),
      tags: [...options.tags],
      tasks: order.map((id) => taskSpec(this.#tasks.get(id) as Task)),
      // Absent without groups, so that a DAG without any keeps the spec (and version) it had.
      ...(this.#groups.size ? { groups: this.groups.map((g) => ({ groupId: g.groupId, tooltip: g.tooltip })) } : {}),
      // Absent without callbacks, likewise.
      ...dagCallbackKinds(options),
      // Absent for a cron or manual-only DAG, likewise.
      ...(options.assetSchedule ? { assetSchedule: [...options.assetSchedule] } : {}),
    };
  }

  #order(): string[] {
    const downstream = new Map(this.tasks.map((t) => [t.taskId, new Set(t.downstreamIds)]));
    const result = topologicalOrder([...this.#tasks.keys()], downstream);
    if (result.ok) return result.order;
    throw new DagDefinitionError(this.dagId, `its tasks form a cycle: ${result.cycle.join(' → ')}; remove one of these dependencies`);
  }

  #check<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw new DagDefinitionError(this.dagId, (error as Error).message, { cause: error });
    }
  }
}

/** Which run events have callbacks, for the spec (`{}` when none). */
function dagCallbackKinds(options: ResolvedDagOptions): Pick<DagSpec, 'callbacks'> {
  const kinds: DagCallbackKind[] = [];
  if (options.callbacks.onSuccess.length) kinds.push('success');
  if (options.callbacks.onFailure.length) kinds.push('failure');
  return kinds.length ? { callbacks: kinds } : {};
}

/** Which task events have callbacks, for the spec (`{}` when none). */
function taskCallbackKinds(task: Task): Pick<TaskSpec, 'callbacks'> {
  const kinds: TaskCallbackKind[] = [];
  if (task.callbacks.onSuccess) kinds.push('success');
  if (task.callbacks.onFailure) kinds.push('failure');
  if (task.callbacks.onRetry) kinds.push('retry');
  return kinds.length ? { callbacks: kinds } : {};
}

function taskSpec(task: Task): TaskSpec {
  return {
    taskId: task.taskId,
    ...(task.group === null ? {} : { group: task.group }),
    ...taskCallbackKinds(task),
    ...task.mapping,
    ...(task.sensor ? { sensor: { ...task.sensor } } : {}),
    // Absent without outlets, so that such a task keeps the spec (and its DAG the version) it had.
    ...(task.outlets.length ? { outlets: [...task.outlets] } : {}),
    upstream: task.upstreamIds,
    downstream: task.downstreamIds,
    ...task.options,
  };
}

/** A new DAG. The DAG file's default export must be it. */
export function dag(dagId: string, options?: DagOptions): Dag {
  let id: string;
  try {
    id = checkId(dagId, 'the DAG id');
  } catch (error) {
    throw new DagDefinitionError(typeof dagId === 'string' ? dagId : showValue(dagId), (error as Error).message, { cause: error });
  }
  return new Dag(id, resolveDagOptions(id, options));
}

export function isDag(value: unknown): value is Dag {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DAG_BRAND] === true;
}

/**
 * `chain(a, [b, c], d)`: each task of an argument runs after every task of the argument before it.
 * A task group stands for its roots where it follows something and for its leaves where something
 * follows it. Empty arguments are passed over, so a generated list that happens to be empty links
 * its neighbours.
 */
export function chain(...items: Linkable[]): void {
  const dagId = firstDagId(items);
  let previous: Task[] = [];
  items.forEach((item, i) => {
    const call = `chain(): argument ${i + 1}`;
    const ins = taskList(item, call, dagId, 'downstream');
    if (ins.length === 0) return;
    for (const upstream of previous) for (const downstream of ins) Task.link(upstream, downstream);
    previous = taskList(item, call, dagId, 'upstream');
  });
}

function firstDagId(items: readonly unknown[]): string {
  for (const item of items) {
    for (const one of Array.isArray(item) ? item : [item]) if (one instanceof Task || one instanceof TaskGroup) return one.dagId;
  }
  return '(unknown)';
}
