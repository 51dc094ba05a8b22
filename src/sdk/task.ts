import { showValue } from '../core/show-value.ts';
import type { TaskFn } from './context.ts';
import type { Dag } from './dag.ts';
import { DagDefinitionError } from './errors.ts';
import type { ResolvedTaskOptions } from './options.ts';

/** A task of a DAG; made by `d.task(...)`, linked with then / after / chain. */
export class Task {
  readonly dag: Dag;
  readonly taskId: string;
  readonly options: Readonly<ResolvedTaskOptions>;
  readonly fn: TaskFn;
  readonly #upstream = new Set<Task>();
  readonly #downstream = new Set<Task>();

  /** Use `d.task(...)`: it checks the id and the options. */
  constructor(dag: Dag, taskId: string, options: ResolvedTaskOptions, fn: TaskFn) {
    this.dag = dag;
    this.taskId = taskId;
    this.options = Object.freeze({ ...options });
    this.fn = fn;
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

  /** `a.then(b)`: b runs after a. Returns its argument, so `a.then(b).then(c)` reads left to right. */
  then<T extends Task | readonly Task[]>(next: T): T {
    for (const task of taskList(next, `task "${this.taskId}": .then()`, this.dagId)) Task.link(this, task);
    return next;
  }

  /** `b.after(a)`: b runs after a. Returns this task. */
  after(previous: Task | readonly Task[]): this {
    for (const task of taskList(previous, `task "${this.taskId}": .after()`, this.dagId)) Task.link(task, this);
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

/** A task or an array of tasks as a list, or a DagDefinitionError naming the call that got something else. */
export function taskList(value: unknown, call: string, dagId: string): Task[] {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  for (const item of items) {
    if (!(item instanceof Task)) {
      throw new DagDefinitionError(dagId, `${call} expects a task or an array of tasks (made with d.task(...)); got ${showValue(item)}`);
    }
  }
  return items as Task[];
}
