/**
 * The grid's rows with task groups: a group is a header row followed by its tasks and subgroups,
 * indented, unless it is folded. Pure, and unit-tested.
 */
import { groupChain, groupName, localName } from './task-groups.ts';

export type GridRow =
  | { kind: 'task'; taskId: string; depth: number; name: string }
  | { kind: 'group'; groupId: string; depth: number; name: string; taskIds: string[]; folded: boolean };

interface GroupNode {
  groupId: string;
  children: Array<string | GroupNode>;
  taskIds: string[];
}

/**
 * The rows, in the tasks' order (the grid's: dependency order): a group comes where its first task
 * does, its members right after it, so that a group reads as one step of the DAG. A task without
 * a group stays where it is.
 */
export function gridRows(tasks: readonly { taskId: string; group: string | null }[], folded: ReadonlySet<string>): GridRow[] {
  const top: Array<string | GroupNode> = [];
  const groups = new Map<string, GroupNode>();
  for (const task of tasks) {
    let children = top;
    for (const groupId of groupChain(task.group)) {
      let group = groups.get(groupId);
      if (!group) {
        group = { groupId, children: [], taskIds: [] };
        groups.set(groupId, group);
        children.push(group);
      }
      group.taskIds.push(task.taskId);
      children = group.children;
    }
    children.push(task.taskId);
  }
  const groupOf = new Map(tasks.map((t) => [t.taskId, t.group]));
  const rows: GridRow[] = [];
  const walk = (children: Array<string | GroupNode>, depth: number) => {
    for (const child of children) {
      if (typeof child === 'string') {
        rows.push({ kind: 'task', taskId: child, depth, name: localName(child, groupOf.get(child) ?? null) });
        continue;
      }
      const isFolded = folded.has(child.groupId);
      rows.push({ kind: 'group', groupId: child.groupId, depth, name: groupName(child.groupId), taskIds: child.taskIds, folded: isFolded });
      if (!isFolded) walk(child.children, depth + 1);
    }
  };
  walk(top, 0);
  return rows;
}

/** A short signature of the rows, so a column or the names re-render only when they changed. */
export function rowsSignature(rows: readonly GridRow[]): string {
  return rows.map((row) => (row.kind === 'task' ? row.taskId : `${row.folded ? '+' : '-'}${row.groupId}:${row.taskIds.join(',')}`)).join('\n');
}
