/**
 * The graph's layout with task groups: each expanded group is a box around its tasks (subgroups
 * nest), each collapsed group one node standing for all it holds. Pure, and unit-tested.
 *
 * A group is laid out on its own, as a small DAG of its tasks and subgroups (graph-layout.ts), and
 * then sits in its parent's layout as one node the size of its box. So boxes never overlap each
 * other or a task, whatever the graph, and each layout stays small (a DAG of hundreds of tasks in
 * a few groups is a few layouts of tens of nodes). An edge that crosses a box's border is drawn in
 * pieces: inside, from the border to its task (through the box's first layer, or from its last
 * layer, with a port node so that it routes around what is in between); outside, between the box
 * and the other end, as the parent's layout routes it. An edge into or out of a collapsed group
 * ends at its node; several such edges between the same two nodes are one.
 */
import { layoutDag, type Layout, type LayoutEdgeInput, type LayoutNodeInput, type Point } from './graph-layout.ts';
import { groupChain, outermostCollapsed, tasksByGroup } from './task-groups.ts';

export interface GroupedTaskInput {
  taskId: string;
  group: string | null;
  downstream: readonly string[];
}

export interface Size {
  width: number;
  height: number;
}

export interface GroupedLayoutInput {
  /** In the order to lay them out in (the DAG's); a group comes where its first task does. */
  tasks: readonly GroupedTaskInput[];
  /** Groups drawn as one node. Ids that are no group of these tasks are ignored. */
  collapsed: ReadonlySet<string>;
  taskSize: (taskId: string) => Size;
  collapsedSize: (groupId: string) => Size;
  /** The least width of a group's box: its header's. */
  headerWidth: (groupId: string) => number;
}

/** The strip at the top of a box that holds its name. */
export const GROUP_HEADER_PX = 24;
/** Space between a box's border and what it holds. */
export const GROUP_PADDING_PX = 12;

/** x, y is the top-left corner, in the drawing's coordinates. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedTask extends Rect {
  taskId: string;
}

/** A collapsed group's node, or an expanded group's box. */
export interface PlacedGroup extends Rect {
  groupId: string;
  /** Its tasks, its subgroups' included. */
  taskIds: string[];
  /** 0 for a top-level group. */
  depth: number;
}

/**
 * `from` and `to` are what is shown: a task's id, or a collapsed group's. Drawn from the first point
 * to the last, the arrow at the last; `reversed` when the edge runs against the layout's direction
 * (a task outside a group both after and before tasks of it, a cycle between boxes): then it is
 * drawn between the two boxes or nodes at the level where they meet, the arrow at the first point.
 */
export interface DrawnEdge {
  from: string;
  to: string;
  points: Point[];
  reversed: boolean;
}

export interface GroupedLayout {
  width: number;
  height: number;
  tasks: PlacedTask[];
  /** Collapsed groups. */
  groupNodes: PlacedGroup[];
  /** Expanded groups, each before the groups inside it (the order to draw them in). */
  boxes: PlacedGroup[];
  edges: DrawnEdge[];
}

export function layoutGrouped(input: GroupedLayoutInput): GroupedLayout {
  const tree = buildTree(input);
  const edges = visibleEdges(input.tasks, tree);
  for (const level of tree.levels.values()) orientLevel(level);
  for (const edge of edges) {
    edge.reversed = edge.level.reversed.has(edgeKey(edge.fromChild, edge.toChild));
    // A reversed edge is drawn between the level's children: it crosses no box's border.
    if (!edge.reversed) registerPorts(edge, tree);
  }
  const layouts = new Map<string, LevelLayout>();
  const root = layoutLevel(ROOT, tree, input, layouts);
  const placed = place(tree, layouts, input.tasks);
  return {
    width: root.width,
    height: root.height,
    tasks: placed.tasks,
    groupNodes: placed.groupNodes,
    boxes: placed.boxes,
    edges: edges.map((edge) => drawEdge(edge, placed)),
  };
}

// ---------------------------------------------------------------------------------------------
// The tree of levels: the DAG itself and each expanded group, with what each directly holds

/** The DAG's own level. Group ids are never empty. */
const ROOT = '';

/** What a level holds: `t:` + a task id, `g:` + a group id (a box or a collapsed node). */
type Key = string;
const taskKey = (taskId: string): Key => `t:${taskId}`;
const groupKey = (groupId: string): Key => `g:${groupId}`;
const idOf = (key: Key): string => key.slice(2);
const isGroup = (key: Key): boolean => key.startsWith('g:');
/** Edges are keyed by their ends; ids hold no newline. */
const edgeKey = (from: string, to: string): string => `${from}\n${to}`;

interface Level {
  readonly id: string;
  /** In order of first appearance. */
  readonly children: Key[];
  readonly childSet: Set<Key>;
  /** Between two of its children, deduplicated, in order of first appearance. */
  readonly edges: Map<string, { from: Key; to: Key }>;
  /** Edges drawn against the layout's direction, to break cycles between its children. */
  readonly reversed: Set<string>;
  layer: Map<Key, number>;
  lastLayer: number;
  /** Children an edge from outside the level enters, or leaves. */
  readonly entries: Set<Key>;
  readonly exits: Set<Key>;
}

interface Tree {
  readonly levels: Map<string, Level>;
  /** For each task: what shows it (itself or its outermost collapsed group) and the expanded groups around that. */
  readonly shown: Map<string, { key: Key; path: string[] }>;
  readonly members: Map<string, string[]>;
}

function buildTree(input: GroupedLayoutInput): Tree {
  const levels = new Map<string, Level>();
  const levelOf = (id: string): Level => {
    let level = levels.get(id);
    if (!level) {
      level = { id, children: [], childSet: new Set(), edges: new Map(), reversed: new Set(), layer: new Map(), lastLayer: 0, entries: new Set(), exits: new Set() };
      levels.set(id, level);
    }
    return level;
  };
  const addChild = (levelId: string, key: Key) => {
    const level = levelOf(levelId);
    if (level.childSet.has(key)) return;
    level.childSet.add(key);
    level.children.push(key);
  };

  levelOf(ROOT);
  const shown = new Map<string, { key: Key; path: string[] }>();
  for (const task of input.tasks) {
    const chain = groupChain(task.group);
    const collapsed = outermostCollapsed(task.group, input.collapsed);
    const path = collapsed === null ? chain : chain.slice(0, chain.indexOf(collapsed));
    const key = collapsed === null ? taskKey(task.taskId) : groupKey(collapsed);
    path.forEach((group, depth) => addChild(depth === 0 ? ROOT : (path[depth - 1] as string), groupKey(group)));
    addChild(path.at(-1) ?? ROOT, key);
    shown.set(task.taskId, { key, path });
  }
  return { levels, shown, members: tasksByGroup(input.tasks) };
}

interface VisibleEdge {
  from: Key;
  to: Key;
  fromPath: string[];
  toPath: string[];
  /** How many expanded groups the two ends share: the edge is laid out in the innermost of them. */
  common: number;
  level: Level;
  /** The children of that level the two ends are in (or are). */
  fromChild: Key;
  toChild: Key;
  /** Set once the level's cycles are broken. */
  reversed: boolean;
}

/** An edge per pair of things shown (a collapsed group's edges merge), none within a collapsed group. */
function visibleEdges(tasks: readonly GroupedTaskInput[], tree: Tree): VisibleEdge[] {
  const edges = new Map<string, VisibleEdge>();
  for (const task of tasks) {
    const from = tree.shown.get(task.taskId)!;
    for (const downstreamId of task.downstream) {
      const to = tree.shown.get(downstreamId);
      if (!to) throw new Error(`graph layout: task "${task.taskId}" has an unknown downstream task "${downstreamId}"`);
      const key = edgeKey(from.key, to.key);
      if (from.key === to.key || edges.has(key)) continue;
      const edge = inLevel(from.key, from.path, to.key, to.path, tree);
      edge.level.edges.set(edgeKey(edge.fromChild, edge.toChild), { from: edge.fromChild, to: edge.toChild });
      edges.set(key, edge);
    }
  }
  return [...edges.values()];
}

function inLevel(from: Key, fromPath: string[], to: Key, toPath: string[], tree: Tree): VisibleEdge {
  let common = 0;
  while (common < fromPath.length && common < toPath.length && fromPath[common] === toPath[common]) common++;
  const level = tree.levels.get(common === 0 ? ROOT : (fromPath[common - 1] as string))!;
  const childAt = (path: string[], key: Key, depth: number): Key => (depth < path.length ? groupKey(path[depth] as string) : key);
  return { from, to, fromPath, toPath, common, level, fromChild: childAt(fromPath, from, common), toChild: childAt(toPath, to, common), reversed: false };
}

/**
 * Makes a level's edges acyclic, reversing each edge that closes a cycle (found by a depth-first
 * search in the children's order, so the choice is stable), then layers its children by longest
 * path, as graph-layout.ts will: which layer a child is in says whether an edge from outside
 * needs a port to reach it.
 */
function orientLevel(level: Level): void {
  const downstream = new Map<Key, Key[]>(level.children.map((child) => [child, []]));
  for (const { from, to } of level.edges.values()) downstream.get(from)?.push(to);
  const state = new Map<Key, 'open' | 'done'>();
  for (const start of level.children) {
    if (state.has(start)) continue;
    // Iterative: a chain of hundreds of tasks would be as deep as it is long.
    const stack: Array<{ node: Key; next: number }> = [{ node: start, next: 0 }];
    state.set(start, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const targets = downstream.get(top.node) ?? [];
      if (top.next >= targets.length) {
        state.set(top.node, 'done');
        stack.pop();
        continue;
      }
      const target = targets[top.next++]!;
      const seen = state.get(target);
      if (seen === 'open') level.reversed.add(edgeKey(top.node, target));
      else if (seen === undefined) {
        state.set(target, 'open');
        stack.push({ node: target, next: 0 });
      }
    }
  }
  level.layer = longestPathLayers(level.children, orientedEdges(level));
  level.lastLayer = Math.max(0, ...level.layer.values());
}

/** The level's edges as they are laid out: reversed ones turned round, duplicates that makes dropped. */
function orientedEdges(level: Level): LayoutEdgeInput[] {
  const seen = new Set<string>();
  const result: LayoutEdgeInput[] = [];
  for (const [key, { from, to }] of level.edges) {
    const edge = level.reversed.has(key) ? { from: to, to: from } : { from, to };
    const oriented = edgeKey(edge.from, edge.to);
    if (seen.has(oriented)) continue;
    seen.add(oriented);
    result.push(edge);
  }
  return result;
}

function longestPathLayers(nodes: readonly Key[], edges: readonly LayoutEdgeInput[]): Map<Key, number> {
  const layer = new Map(nodes.map((node) => [node, 0]));
  const pending = new Map(nodes.map((node) => [node, 0]));
  const downstream = new Map<Key, Key[]>(nodes.map((node) => [node, []]));
  for (const { from, to } of edges) {
    downstream.get(from)?.push(to);
    pending.set(to, (pending.get(to) ?? 0) + 1);
  }
  const ready = nodes.filter((node) => pending.get(node) === 0);
  for (const node of ready) {
    for (const next of downstream.get(node) ?? []) {
      layer.set(next, Math.max(layer.get(next) ?? 0, (layer.get(node) ?? 0) + 1));
      const left = (pending.get(next) ?? 0) - 1;
      pending.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  return layer;
}

/** Records, in each group the edge crosses the border of, which child it leaves from or enters. */
function registerPorts(edge: VisibleEdge, tree: Tree): void {
  const mark = (path: string[], key: Key, side: 'exits' | 'entries') => {
    for (let depth = edge.common + 1; depth <= path.length; depth++) {
      const group = tree.levels.get(path[depth - 1] as string)!;
      group[side].add(depth < path.length ? groupKey(path[depth] as string) : key);
    }
  };
  mark(edge.fromPath, edge.from, 'exits');
  mark(edge.toPath, edge.to, 'entries');
}

// ---------------------------------------------------------------------------------------------
// Layout, from the innermost groups out

interface LevelLayout {
  layout: Layout;
  /** The box's (or, for the DAG, the drawing's) size. */
  width: number;
  height: number;
}

/** A port's node id: outside the `t:` and `g:` keys. */
const inPort = (child: Key): string => `in>${child}`;
const outPort = (child: Key): string => `out>${child}`;

function layoutLevel(id: string, tree: Tree, input: GroupedLayoutInput, layouts: Map<string, LevelLayout>): LevelLayout {
  const level = tree.levels.get(id)!;
  const nodes: LayoutNodeInput[] = level.children.map((child) => {
    const size = !isGroup(child)
      ? input.taskSize(idOf(child))
      : tree.levels.has(idOf(child))
        ? layoutLevel(idOf(child), tree, input, layouts)
        : input.collapsedSize(idOf(child));
    return { id: child, width: size.width, height: size.height };
  });
  const edges = orientedEdges(level);
  // An edge from outside reaches a child past the first layer through a port in the first layer,
  // and leaves one before the last layer through a port in the last, so that it is routed around
  // the children in between like any long edge. A port is a point: it takes no room.
  for (const child of level.entries) {
    if ((level.layer.get(child) ?? 0) === 0) continue;
    nodes.push({ id: inPort(child), width: 0, height: 0 });
    edges.push({ from: inPort(child), to: child });
  }
  for (const child of level.exits) {
    if ((level.layer.get(child) ?? 0) === level.lastLayer) continue;
    nodes.push({ id: outPort(child), width: 0, height: 0, minLayer: level.lastLayer });
    edges.push({ from: child, to: outPort(child) });
  }
  const layout = layoutDag(nodes, edges, id === ROOT ? {} : { margin: GROUP_PADDING_PX });
  const result =
    id === ROOT
      ? { layout, width: layout.width, height: layout.height }
      : { layout, width: Math.max(layout.width, input.headerWidth(id)), height: layout.height + GROUP_HEADER_PX };
  layouts.set(id, result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Placement, from the DAG in, and the edges drawn through the boxes

/** Where an edge crosses a box's border to or from a child: a route inside, or a straight line. */
type Piece = { kind: 'route'; points: Point[] } | { kind: 'straight'; borderX: number };

interface Placed {
  tasks: PlacedTask[];
  groupNodes: PlacedGroup[];
  boxes: PlacedGroup[];
  /** Every task, group node and box, by key. */
  rects: Map<Key, Rect>;
  /** Each level's routes between its nodes, by edge key of node ids, in the drawing's coordinates. */
  routes: Map<string, Map<string, Point[]>>;
  entries: Map<string, Map<Key, Piece>>;
  exits: Map<string, Map<Key, Piece>>;
}

function place(tree: Tree, layouts: Map<string, LevelLayout>, tasks: readonly GroupedTaskInput[]): Placed {
  const placed: Placed = { tasks: [], groupNodes: [], boxes: [], rects: new Map(), routes: new Map(), entries: new Map(), exits: new Map() };
  const order = new Map(tasks.map((task, i) => [task.taskId, i]));
  const placeLevel = (id: string, left: number, top: number, depth: number) => {
    const { layout } = layouts.get(id)!;
    const level = tree.levels.get(id)!;
    const portY = new Map<string, number>();
    for (const node of layout.nodes) {
      const rect = { x: left + node.x, y: top + node.y, width: node.width, height: node.height };
      if (!level.childSet.has(node.id)) {
        portY.set(node.id, rect.y);
        continue;
      }
      placed.rects.set(node.id, rect);
      if (!isGroup(node.id)) {
        placed.tasks.push({ taskId: idOf(node.id), ...rect });
        continue;
      }
      const groupId = idOf(node.id);
      const group = { groupId, taskIds: tree.members.get(groupId) ?? [], depth, ...rect };
      if (!tree.levels.has(groupId)) {
        placed.groupNodes.push(group);
        continue;
      }
      placed.boxes.push(group);
      placeLevel(groupId, rect.x, rect.y + GROUP_HEADER_PX, depth + 1);
    }
    const routes = new Map<string, Point[]>();
    for (const edge of layout.edges) routes.set(edgeKey(edge.from, edge.to), edge.points.map((p) => ({ x: left + p.x, y: top + p.y })));
    placed.routes.set(id, routes);
    if (id !== ROOT) portPieces(id, level, placed, portY, routes);
  };
  placeLevel(ROOT, 0, 0, 0);
  // Tasks in the DAG's order, whatever level they were placed from: the drawing's order is stable.
  placed.tasks.sort((a, b) => (order.get(a.taskId) ?? 0) - (order.get(b.taskId) ?? 0));
  return placed;
}

/** How each edge crossing a group's border gets from the border to its child, and back out. */
function portPieces(id: string, level: Level, placed: Placed, portY: Map<string, number>, routes: Map<string, Point[]>): void {
  const box = placed.rects.get(groupKey(id))!;
  const entries = new Map<Key, Piece>();
  for (const child of level.entries) {
    const y = portY.get(inPort(child));
    const route = routes.get(edgeKey(inPort(child), child));
    entries.set(child, y === undefined || !route ? { kind: 'straight', borderX: box.x } : { kind: 'route', points: [{ x: box.x, y }, ...route] });
  }
  const exits = new Map<Key, Piece>();
  const right = box.x + box.width;
  for (const child of level.exits) {
    const y = portY.get(outPort(child));
    const route = routes.get(edgeKey(child, outPort(child)));
    exits.set(child, y === undefined || !route ? { kind: 'straight', borderX: right } : { kind: 'route', points: [...route, { x: right, y }] });
  }
  placed.entries.set(id, entries);
  placed.exits.set(id, exits);
}

/**
 * The edge's points, from the task (or group node) it leaves to the one it enters: out through
 * each box around its source, along its level's route, and in through each box around its target.
 * Pieces meet on a box's border; there the inner piece says where (a box's route in its parent
 * ends at the box's middle, a stand-in).
 */
function drawEdge(edge: VisibleEdge, placed: Placed): DrawnEdge {
  const from = idOf(edge.from);
  const to = idOf(edge.to);
  const routes = placed.routes.get(edge.level.id)!;
  if (edge.reversed) {
    const points = routes.get(edgeKey(edge.toChild, edge.fromChild)) ?? [];
    return { from, to, points, reversed: true };
  }

  const source = placed.rects.get(edge.from)!;
  let y = source.y + source.height / 2;
  const points: Point[] = [{ x: source.x + source.width, y }];
  for (let depth = edge.fromPath.length; depth > edge.common; depth--) {
    const group = edge.fromPath[depth - 1] as string;
    const piece = placed.exits.get(group)?.get(depth < edge.fromPath.length ? groupKey(edge.fromPath[depth] as string) : edge.from);
    if (piece?.kind === 'straight') points.push({ x: piece.borderX, y });
    else if (piece) {
      points.push(...piece.points.slice(1));
      y = points[points.length - 1]!.y;
    }
  }

  const target = placed.rects.get(edge.to)!;
  y = target.y + target.height / 2;
  const inward: Point[] = [{ x: target.x, y }];
  for (let depth = edge.toPath.length; depth > edge.common; depth--) {
    const group = edge.toPath[depth - 1] as string;
    const piece = placed.entries.get(group)?.get(depth < edge.toPath.length ? groupKey(edge.toPath[depth] as string) : edge.to);
    if (piece?.kind === 'straight') inward.unshift({ x: piece.borderX, y });
    else if (piece) {
      inward.unshift(...piece.points.slice(0, -1));
      y = inward[0]!.y;
    }
  }

  const route = routes.get(edgeKey(edge.fromChild, edge.toChild)) ?? [];
  return { from, to, points: [...points, ...route.slice(1, -1), ...inward], reversed: false };
}
