import type { DagSpec, TaskSpec } from '../core/spec.ts';
import { topologicalOrder } from '../core/graph.ts';
import { showValue } from '../core/show-value.ts';
import type { TaskFn } from './context.ts';
import { DagDefinitionError } from './errors.ts';
import { resolveDagOptions, resolveTaskOptions, type DagOptions, type ResolvedDagOptions, type TaskOptions } from './options.ts';
import { Task, taskList } from './task.ts';
import { checkId } from './validate.ts';

export { Task } from './task.ts';

// A registered symbol, so the loader recognizes a DAG built by another copy of this module.
const DAG_BRAND = Symbol.for('sluice.dag');

export class Dag {
  readonly dagId: string;
  readonly options: Readonly<ResolvedDagOptions>;
  readonly #tasks = new Map<string, Task>();

  /** Use `dag(id, options)`: it checks the id and the options. */
  constructor(dagId: string, options: ResolvedDagOptions) {
    this.dagId = dagId;
    this.options = options;
    Object.defineProperty(this, DAG_BRAND, { value: true });
  }

  /** In the order they were declared. */
  get tasks(): Task[] {
    return [...this.#tasks.values()];
  }

  task(taskId: string, fn: TaskFn): Task;
  task(taskId: string, options: TaskOptions, fn: TaskFn): Task;
  task(taskId: string, optionsOrFn: TaskOptions | TaskFn, maybeFn?: TaskFn): Task {
    const id = this.#check(() => checkId(taskId, 'the task id'));
    if (this.#tasks.has(id)) {
      throw new DagDefinitionError(this.dagId, `task id "${id}" is used twice; every task of a DAG needs its own id`);
    }
    const [options, fn]: [unknown, unknown] = typeof optionsOrFn === 'function' && maybeFn === undefined ? [{}, optionsOrFn] : [optionsOrFn, maybeFn];
    if (typeof fn !== 'function') {
      throw new DagDefinitionError(
        this.dagId,
        `task "${id}" has no function; write d.task('${id}', async (ctx) => { ... }) or d.task('${id}', { retries: 2 }, async (ctx) => { ... }); got ${showValue(fn)}`,
      );
    }
    const task = new Task(this, id, resolveTaskOptions(this.dagId, id, options, this.options.defaultArgs), fn as TaskFn);
    this.#tasks.set(id, task);
    return task;
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
      tags: [...options.tags],
      tasks: order.map((id) => taskSpec(this.#tasks.get(id) as Task)),
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

function taskSpec(task: Task): TaskSpec {
  return {
    taskId: task.taskId,
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
 * `chain(a, [b, c], d)`: each task of a group runs after every task of the group before it.
 * Empty groups are passed over, so a generated list that happens to be empty links its neighbours.
 */
export function chain(...groups: (Task | readonly Task[])[]): void {
  let previous: Task[] = [];
  groups.forEach((group, i) => {
    const tasks = taskList(group, `chain(): argument ${i + 1}`, firstDagId(groups));
    if (tasks.length === 0) return;
    for (const upstream of previous) for (const downstream of tasks) Task.link(upstream, downstream);
    previous = tasks;
  });
}

function firstDagId(groups: readonly unknown[]): string {
  for (const group of groups) {
    for (const item of Array.isArray(group) ? group : [group]) if (item instanceof Task) return item.dagId;
  }
  return '(unknown)';
}
