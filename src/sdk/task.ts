import { showValue } from '../core/show-value.ts';
import type { SensorSpec, TaskMapping, TaskSettings } from '../core/spec.ts';
import type { TaskFn } from './context.ts';
import type { Dag } from './dag.ts';
import { DagDefinitionError } from './errors.ts';
import type { ResolvedTaskOptions, TaskCallbacks } from './options.ts';

/** A task of a DAG; made by `d.task(...)`, linked with then / after / chain. */
export class Task {
  readonly dag: Dag;
  readonly taskId: string;
  /** Its settings as stored in the spec: its callbacks are apart (`callbacks`). */
  readonly options: Readonly<TaskSettings>;
  /** Its onSuccess, onFailure and onRetry, as lists (absent: none); the code loaded on a worker runs them. */
  readonly callbacks: Readonly<TaskCallbacks>;
  readonly fn: TaskFn;
  /** The id of the innermost task group it was declared in, or null. */
  readonly group: string | null;
  /** How it is mapped (mapping.ts), or null for a plain task. */
  readonly mapping: TaskMapping | null;
  /** A sensor's settings (sensor.ts), or null for any other task. */
  readonly sensor: SensorSpec | null;
  /** The URIs of the assets it updates (asset.ts); [] when none. */
  readonly outlets: readonly string[];
  readonly #upstream = new Set<Task>();
  readonly #downstream = new Set<Task>();

  /** Use `d.task(...)` or `g.task(...)`: they check the id and the options. */
  constructor(
    dag: Dag,
    taskId: string,
    options: ResolvedTaskOptions,
    fn: TaskFn,
    group: string | null = null,
    mapping: TaskMapping | null = null,
    sensor: SensorSpec | null = null,
    outlets: readonly string[] = [],
  ) {
    this.dag = dag;
    this.taskId = taskId;
    const { onSuccess, onFailure, onRetry, ...settings } = options;
    this.options = Object.freeze(settings);
    this.callbacks = Object.freeze({
      ...(onSuccess?.length ? { onSuccess } : {}),
      ...(onFailure?.length ? { onFailure } : {}),
      ...(onRetry?.length ? { onRetry } : {}),
    });
    this.fn = fn;
    this.group = group;
    this.mapping = mapping;
    this.sensor = sensor;
    this.outlets = Object.freeze([...outlets]);
  }

  /** Whether any of `tasks` is directly upstream of this one. */
  hasUpstreamIn(tasks: ReadonlySet<Task>): boolean {
    for (const t of this.#upstream) if (tasks.has(t)) return true;
    return false;
  }

  /** Whether any of `tasks` is directly downstream of this one. */
  hasDownstreamIn(tasks: ReadonlySet<Task>): boolean {
    for (const t of this.#downstream) if (tasks.has(t)) return true;
    return false;
  }

  get dagId(): string {
    return this.dag.dagId;
  }

  /** Sorted ids of the tasks this one waits for. */
  get upstreamIds(): string[] {
    return [...this.#upstream].map((t) => t.taskId).sort();
  }

  /** Sorted ids of the tasks that wait for this one. */
  get downstreamIds(): string[] {
    return [...this.#downstream].map((t) => t.taskId).sort();
  }

  /**
   * `a.then(b)`: b runs after a; a group `b`: every task of it with no upstream inside it. Returns
   * its argument, so `a.then(b).then(c)` reads left to right.
   */
  then<T extends Linkable>(next: T): T {
    for (const task of taskList(next, `task "${this.taskId}": .then()`, this.dagId, 'downstream')) Task.link(this, task);
    return next;
  }

  /** `b.after(a)`: b runs after a; a group `a`: after every task of it with no downstream inside it. Returns this task. */
  after(previous: Linkable): this {
    for (const task of taskList(previous, `task "${this.taskId}": .after()`, this.dagId, 'upstream')) Task.link(task, this);
    return this;
  }

  /** The one place an edge is made, so the same-DAG rule cannot be bypassed. */
  static link(upstream: Task, downstream: Task): void {
    if (upstream.dag !== downstream.dag) {
      const describe = (t: Task) => `task "${t.taskId}" of DAG "${t.dagId}"`;
      throw new DagDefinitionError(
        upstream.dagId,
        `${describe(upstream)} cannot be linked to ${describe(downstream)}: dependencies must stay within one DAG; ` +
          `define both tasks on the same dag(), or split the work into separate DAGs without an edge between them`,
      );
    }
    upstream.#downstream.add(downstream);
    downstream.#upstream.add(upstream);
  }
}

/**
 * What a task group offers to be linked by (group.ts): its tasks at either end. Declared here, so
 * that linking needs no import of the group module (which builds on this one).
 */
export interface LinkableGroup {
  readonly groupId: string;
  /** Its tasks with no upstream inside it (the side the tasks before it link to). */
  roots(): Task[];
  /** Its tasks with no downstream inside it (the side linked to what comes after it). */
  leaves(): Task[];
}

/** What then / after / chain take: a task, a task group, or an array of them. */
export type Linkable = Task | LinkableGroup | readonly (Task | LinkableGroup)[];

const GROUP_BRAND = Symbol.for('sluice.taskGroup');

/** Marks a task group as one (group.ts), so that linking recognizes it. */
export function brandGroup(group: LinkableGroup): void {
  Object.defineProperty(group, GROUP_BRAND, { value: true });
}

function isGroup(value: unknown): value is LinkableGroup {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[GROUP_BRAND] === true;
}

/**
 * The tasks a task, a group or an array of them stands for at one end of an edge: a group on the
 * downstream side stands for its roots, on the upstream side for its leaves. Anything else is a
 * DagDefinitionError naming the call.
 */
export function taskList(value: unknown, call: string, dagId: string, side: 'upstream' | 'downstream'): Task[] {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  return items.flatMap((item) => {
    if (item instanceof Task) return [item];
    if (isGroup(item)) return side === 'downstream' ? item.roots() : item.leaves();
    throw new DagDefinitionError(
      dagId,
      `${call} expects a task, a task group or an array of them (made with d.task(...) and d.group(...)); got ${showValue(item)}`,
    );
  });
}
