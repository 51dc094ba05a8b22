/** Ordering a task graph, given as each node's downstream nodes. Nodes are in declaration order. */

export type TopologicalResult = { ok: true; order: string[] } | { ok: false; cycle: string[] };

/**
 * Kahn's algorithm, taking ready nodes in declaration order so the result is stable. On a cycle,
 * returns one cycle as a path that ends where it starts ['a', 'b', 'a'].
 */
export function topologicalOrder(nodes: readonly string[], downstream: ReadonlyMap<string, ReadonlySet<string>>): TopologicalResult {
  const index = new Map(nodes.map((node, i) => [node, i]));
  const indegree = new Map(nodes.map((node) => [node, 0]));
  for (const node of nodes) {
    for (const next of downstream.get(node) ?? []) indegree.set(next, (indegree.get(next) ?? 0) + 1);
  }
  const ready = nodes.filter((node) => indegree.get(node) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const node = ready.shift() as string;
    order.push(node);
    for (const next of downstream.get(node) ?? []) {
      const remaining = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, remaining);
      if (remaining === 0) insertByIndex(ready, next, index);
    }
  }
  if (order.length === nodes.length) return { ok: true, order };
  return { ok: false, cycle: findCycle(nodes, downstream, new Set(order)) };
}

function insertByIndex(sorted: string[], node: string, index: ReadonlyMap<string, number>): void {
  const position = index.get(node) ?? Infinity;
  let at = sorted.length;
  while (at > 0 && (index.get(sorted[at - 1] as string) ?? Infinity) > position) at--;
  sorted.splice(at, 0, node);
}

/** Nodes Kahn could not order each sit on, or downstream of, a cycle; walk until a node repeats. */
function findCycle(nodes: readonly string[], downstream: ReadonlyMap<string, ReadonlySet<string>>, ordered: ReadonlySet<string>): string[] {
  const stuck = nodes.filter((node) => !ordered.has(node));
  const stuckSet = new Set(stuck);
  // Every stuck node has a stuck upstream, so walking upstream never dead-ends.
  const upstream = new Map<string, string[]>(stuck.map((node) => [node, []]));
  for (const node of stuck) {
    for (const next of downstream.get(node) ?? []) if (stuckSet.has(next)) upstream.get(next)?.push(node);
  }
  const path: string[] = [];
  const seenAt = new Map<string, number>();
  let current = stuck[0] as string;
  while (!seenAt.has(current)) {
    seenAt.set(current, path.length);
    path.push(current);
    current = (upstream.get(current) ?? [])[0] as string;
  }
  const loop = path.slice(seenAt.get(current)).reverse();
  // Start the path at the node declared first, so the message does not depend on where the walk began.
  const first = loop.reduce((best, node) => (nodes.indexOf(node) < nodes.indexOf(best) ? node : best));
  const at = loop.indexOf(first);
  const rotated = [...loop.slice(at), ...loop.slice(0, at)];
  return [...rotated, first];
}

/**
 * The given nodes and every node downstream of them, in the order of `nodes` (a spec's tasks are
 * in topological order). Ids that are not among `nodes` reach nothing and are left out.
 */
export function withDownstream(nodes: readonly { taskId: string; downstream: readonly string[] }[], ids: Iterable<string>): string[] {
  const downstream = new Map(nodes.map((node) => [node.taskId, node.downstream]));
  const reached = new Set<string>();
  const pending = [...ids];
  while (pending.length > 0) {
    const id = pending.pop() as string;
    if (reached.has(id) || !downstream.has(id)) continue;
    reached.add(id);
    pending.push(...(downstream.get(id) ?? []));
  }
  return nodes.map((node) => node.taskId).filter((id) => reached.has(id));
}
