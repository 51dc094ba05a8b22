/**
 * Task groups as the graph and the grid see them. A group's id is its parent's id, a dot and its
 * own, and the SDK refuses a dot in a group's own id, so a group's ancestors can be read off its
 * id; a task names only its innermost group (or none). Pure, and unit-tested.
 */

/** The groups around a task in `group`: outermost first, `group` last; empty for none. */
export function groupChain(group: string | null): string[] {
  if (group === null || group === '') return [];
  const parts = group.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

/**
 * What a task or subgroup is called inside its group: `extract.orders` in `extract` is `orders`.
 * An id outside `group` (or with no group) is its own name: ids may hold dots without groups.
 */
export function localName(id: string, group: string | null): string {
  return group && id.startsWith(`${group}.`) ? id.slice(group.length + 1) : id;
}

/** What a group is called inside its parent: `extract.mongo` is `mongo`. */
export function groupName(groupId: string): string {
  return groupId.slice(groupId.lastIndexOf('.') + 1);
}

/**
 * The outermost collapsed group among a task's groups, or null: a collapsed group stands for all
 * it holds, a collapsed subgroup included, so the outermost one is what is shown.
 */
export function outermostCollapsed(group: string | null, collapsed: ReadonlySet<string>): string | null {
  if (collapsed.size === 0) return null;
  return groupChain(group).find((g) => collapsed.has(g)) ?? null;
}

/** Each group's tasks, its subgroups' included, in the order the tasks come. */
export function tasksByGroup(tasks: readonly { taskId: string; group: string | null }[]): Map<string, string[]> {
  const members = new Map<string, string[]>();
  for (const task of tasks) {
    for (const group of groupChain(task.group)) {
      const list = members.get(group);
      if (list) list.push(task.taskId);
      else members.set(group, [task.taskId]);
    }
  }
  return members;
}
