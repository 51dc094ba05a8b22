/**
 * Task groups (`d.group('extract')`): a prefix for their tasks' ids (`extract.orders`), nesting
 * (`extract.mongo.orders`), defaultArgs over the DAG's or the parent group's, and a unit for
 * then / after / chain. Linking a group means linking the tasks at its edge when the link is made:
 * `a.then(g)` links `a` to each task of `g` with no upstream inside `g`, `g.then(b)` each task
 * with no downstream inside `g` to `b` (as Airflow's TaskGroup does). A group is only a name in
 * the stored DAG: each task records its innermost group, and the DAG the groups' tooltips.
 */
import type { TaskFn } from './context.ts';
import type { MappingOptions } from './mapping.ts';
import type { SensorOptions } from './sensor.ts';
import type { OutletOptions } from './asset.ts';
import type { GroupOptions, ResolvedTaskOptions, TaskOptions } from './options.ts';
import { brandGroup, Task, taskList, type Linkable, type LinkableGroup } from './task.ts';

/** What a group asks of its DAG (dag.ts): to declare a task or a subgroup inside it. */
export interface GroupHost {
  readonly dagId: string;
  addTask(
    localId: string,
    optionsOrFn: (TaskOptions & MappingOptions & OutletOptions) | TaskFn,
    maybeFn: TaskFn | undefined,
    group: TaskGroup,
    isSensor?: boolean,
  ): Task;
  addGroup(localId: string, options: GroupOptions | undefined, parent: TaskGroup): TaskGroup;
}

/** Every task declared in a group or in its subgroups, in declaration order. */
const members = new WeakMap<TaskGroup, Task[]>();

/** Records a task as declared in `group` and each group around it (dag.ts calls it). */
export function recordMember(group: TaskGroup, task: Task): void {
  for (let g: TaskGroup | null = group; g; g = g.parent) members.get(g)!.push(task);
}

export class TaskGroup implements LinkableGroup {
  /** Use `d.group(...)` or `g.group(...)`: they check the id and the options. */
  constructor(
    private readonly host: GroupHost,
    readonly groupId: string,
    readonly tooltip: string,
    /** What its tasks take their unset options from: its own defaultArgs over its parent's (or the DAG's). */
    readonly defaultArgs: Readonly<Partial<ResolvedTaskOptions>>,
    readonly parent: TaskGroup | null,
  ) {
    members.set(this, []);
    brandGroup(this);
  }

  get dagId(): string {
    return this.host.dagId;
  }

  /** Its tasks, its subgroups' included, in the order they were declared. */
  get tasks(): Task[] {
    return [...members.get(this)!];
  }

  /** A task of this group: its id is the group's id, a dot, and `taskId`. */
  task(taskId: string, fn: TaskFn): Task;
  task(taskId: string, options: TaskOptions & MappingOptions & OutletOptions, fn: TaskFn): Task;
  task(taskId: string, optionsOrFn: (TaskOptions & MappingOptions & OutletOptions) | TaskFn, maybeFn?: TaskFn): Task {
    return this.host.addTask(taskId, optionsOrFn, maybeFn, this);
  }

  /** A sensor of this group (sensor.ts): its id is the group's id, a dot, and `taskId`. */
  sensor(taskId: string, check: TaskFn): Task;
  sensor(taskId: string, options: SensorOptions & TaskOptions & MappingOptions & OutletOptions, check: TaskFn): Task;
  sensor(taskId: string, optionsOrFn: (SensorOptions & TaskOptions & MappingOptions & OutletOptions) | TaskFn, maybeFn?: TaskFn): Task {
    return this.host.addTask(taskId, optionsOrFn, maybeFn, this, true);
  }

  /** A group inside this one: its id is this group's id, a dot, and `groupId`. */
  group(groupId: string, options?: GroupOptions): TaskGroup {
    return this.host.addGroup(groupId, options, this);
  }

  roots(): Task[] {
    const all = new Set(members.get(this));
    return [...all].filter((t) => !t.hasUpstreamIn(all));
  }

  leaves(): Task[] {
    const all = new Set(members.get(this));
    return [...all].filter((t) => !t.hasDownstreamIn(all));
  }

  /** `g.then(b)`: b runs after every task of the group with no downstream inside it. Returns its argument. */
  then<T extends Linkable>(next: T): T {
    const downs = taskList(next, `group "${this.groupId}": .then()`, this.dagId, 'downstream');
    for (const up of this.leaves()) for (const down of downs) Task.link(up, down);
    return next;
  }

  /** `g.after(a)`: every task of the group with no upstream inside it runs after a. Returns this group. */
  after(previous: Linkable): this {
    const ups = taskList(previous, `group "${this.groupId}": .after()`, this.dagId, 'upstream');
    for (const down of this.roots()) for (const up of ups) Task.link(up, down);
    return this;
  }
}
