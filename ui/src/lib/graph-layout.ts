/**
 * Left-to-right layered ("Sugiyama") layout of a DAG's task graph. Pure and dependency-free so the
 * UI can call it anywhere and the tests can check it without a DOM.
 *
 * Steps: validate → layer by longest path → split long edges with dummy nodes → order each layer by
 * barycenter sweeps and neighbour swaps, keeping the ordering with the fewest crossings → place
 * nodes vertically near their neighbours while keeping each layer's order and gaps → stack the
 * connected components, each laid out on its own, top to bottom in input order.
 */

export interface LayoutNodeInput {
  id: string;
  width: number;
  height: number;
  /**
   * The lowest layer it may take (default 0); it and everything downstream of it move right as
   * needed. Where a group's box lets an edge out, at its right border, the edge must run through
   * the box's last layer, whatever layer the task it leaves from is in.
   */
  minLayer?: number;
}

export interface LayoutEdgeInput {
  from: string;
  to: string;
}

export interface LayoutOptions {
  /** Horizontal gap between layers. Default 56. */
  rankSep?: number;
  /** Vertical gap between nodes of a layer (and between stacked components). Default 14. */
  nodeSep?: number;
  /** Empty space on every side of the drawing. Default 16. */
  margin?: number;
}

export interface Point {
  x: number;
  y: number;
}

/** x, y is the top-left corner. */
export interface PositionedNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  layer: number;
}

/** From the source's right-middle to the target's left-middle, through one point per layer crossed. */
export interface RoutedEdge {
  from: string;
  to: string;
  points: Point[];
}

/** width and height include the margin on every side. */
export interface Layout {
  nodes: PositionedNode[];
  edges: RoutedEdge[];
  width: number;
  height: number;
}

export const DEFAULT_LAYOUT_OPTIONS: Readonly<Required<LayoutOptions>> = { rankSep: 56, nodeSep: 14, margin: 16 };

/** Each iteration is one sweep; crossings rarely improve after a dozen round trips. */
const ORDERING_SWEEPS = 24;
/** Passes of neighbour swaps after each sweep; each pass is near-linear, and most stop after two. */
const TRANSPOSE_PASSES = 8;
/** Down-and-up round trips of vertical placement; a chain settles after one, busy graphs after a few. */
const PLACEMENT_ROUND_TRIPS = 6;
/** How much more a long edge's dummy resists being moved than a real node: keeps long edges straight. */
const DUMMY_WEIGHT = 8;
/** A node with no neighbours on the side being looked at should stay put, but give way to anyone. */
const UNANCHORED_WEIGHT = 1e-3;

export function layoutDag(nodes: LayoutNodeInput[], edges: LayoutEdgeInput[], options: LayoutOptions = {}): Layout {
  const settings = { ...DEFAULT_LAYOUT_OPTIONS, ...definedOnly(options) };
  const graph = buildGraph(nodes, edges);
  assignLayers(graph.nodes);
  const columns = layerColumns(graph.nodes, settings);

  const placed: LayeredComponent[] = [];
  let top = settings.margin;
  for (const component of connectedComponents(graph)) {
    const layered = buildLayeredComponent(component);
    orderLayers(layered);
    const height = placeVertically(layered.layers, settings.nodeSep);
    for (const layer of layered.layers) for (const node of layer) node.y += top;
    placed.push(layered);
    top += height + settings.nodeSep;
  }

  const drawingHeight = placed.length === 0 ? 0 : top - settings.nodeSep - settings.margin;
  const lastColumn = columns[columns.length - 1];
  const drawingWidth = lastColumn === undefined ? 0 : lastColumn.left + lastColumn.width - settings.margin;
  return {
    nodes: positionedNodes(graph.nodes, placed, columns),
    edges: routedEdges(graph.edges, placed, columns),
    width: drawingWidth + 2 * settings.margin,
    height: drawingHeight + 2 * settings.margin,
  };
}

/**
 * Crossings between edge segments that join adjacent layers, read from a finished layout (each
 * edge's points are its layer-to-layer segments). Segments that share an end do not cross.
 */
export function countCrossings(layout: Layout): number {
  const layerOf = new Map(layout.nodes.map((node) => [node.id, node.layer]));
  const segmentsByGap = new Map<number, Array<[number, number]>>();
  for (const edge of layout.edges) {
    const firstGap = layerOf.get(edge.from) ?? 0;
    edge.points.slice(1).forEach((end, i) => {
      const start = edge.points[i] ?? end;
      const gap = firstGap + i;
      const segments = segmentsByGap.get(gap) ?? [];
      segments.push([start.y, end.y]);
      segmentsByGap.set(gap, segments);
    });
  }
  let crossings = 0;
  for (const segments of segmentsByGap.values()) crossings += countSegmentCrossings(segments);
  return crossings;
}

// ---------------------------------------------------------------------------------------------
// Input graph

interface TaskNode {
  readonly input: LayoutNodeInput;
  readonly inputIndex: number;
  readonly upstream: TaskNode[];
  readonly downstream: TaskNode[];
  layer: number;
}

interface TaskEdge {
  readonly from: TaskNode;
  readonly to: TaskNode;
}

interface TaskGraph {
  readonly nodes: TaskNode[];
  /** Without duplicates, in input order. */
  readonly edges: TaskEdge[];
}

/** An option given as undefined means "use the default", not "use undefined". */
function definedOnly(options: LayoutOptions): LayoutOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function buildGraph(inputs: readonly LayoutNodeInput[], edgeInputs: readonly LayoutEdgeInput[]): TaskGraph {
  const byId = new Map<string, TaskNode>();
  const nodes = inputs.map((input, inputIndex) => {
    if (byId.has(input.id)) throw new Error(`graph layout: duplicate node id "${input.id}"`);
    const node: TaskNode = { input, inputIndex, upstream: [], downstream: [], layer: input.minLayer ?? 0 };
    byId.set(input.id, node);
    return node;
  });
  const edges: TaskEdge[] = [];
  const seen = new Set<string>();
  for (const edgeInput of edgeInputs) {
    const from = byId.get(edgeInput.from);
    const to = byId.get(edgeInput.to);
    if (from === undefined || to === undefined) throw new Error(unknownEndpointMessage(edgeInput, byId));
    // Indices rather than ids, so ids containing the separator cannot collide.
    const key = `${from.inputIndex}>${to.inputIndex}`;
    if (seen.has(key)) continue;
    seen.add(key);
    from.downstream.push(to);
    to.upstream.push(from);
    edges.push({ from, to });
  }
  return { nodes, edges };
}

function unknownEndpointMessage(edge: LayoutEdgeInput, known: ReadonlyMap<string, TaskNode>): string {
  const unknown = [edge.from, edge.to].filter((id) => !known.has(id));
  const named = [...new Set(unknown)].map((id) => `"${id}"`).join(' and ');
  return `graph layout: edge "${edge.from}" → "${edge.to}" refers to unknown node ${named}`;
}

/** Longest path from the sources (or from a node's minLayer), by Kahn's algorithm; throws on a cycle. */
function assignLayers(nodes: readonly TaskNode[]): void {
  const pendingUpstream = new Map(nodes.map((node) => [node, node.upstream.length]));
  const ready = nodes.filter((node) => node.upstream.length === 0);
  // An array iterator sees elements pushed during the loop, so `ready` doubles as the queue.
  for (const node of ready) {
    for (const next of node.downstream) {
      next.layer = Math.max(next.layer, node.layer + 1);
      const remaining = (pendingUpstream.get(next) ?? 0) - 1;
      pendingUpstream.set(next, remaining);
      if (remaining === 0) ready.push(next);
    }
  }
  if (ready.length < nodes.length) {
    const cycle = findCycle(nodes, new Set(ready)).map((node) => `"${node.input.id}"`);
    throw new Error(`graph layout: the graph has a cycle: ${cycle.join(' → ')}`);
  }
}

/**
 * Every node Kahn could not reach has an unreached upstream node, so walking upstream from one
 * must eventually repeat a node; the repeated stretch, reversed, is a cycle.
 */
function findCycle(nodes: readonly TaskNode[], reached: ReadonlySet<TaskNode>): TaskNode[] {
  const seenAt = new Map<TaskNode, number>();
  const path: TaskNode[] = [];
  let current = nodes.find((node) => !reached.has(node));
  while (current !== undefined && !seenAt.has(current)) {
    seenAt.set(current, path.length);
    path.push(current);
    current = current.upstream.find((node) => !reached.has(node));
  }
  const loop = path.slice(current === undefined ? 0 : seenAt.get(current)).reverse();
  // Start at the node given first, so the message does not depend on where the walk began.
  const first = loop.reduce((best, node) => (node.inputIndex < best.inputIndex ? node : best), loop[0] as TaskNode);
  const at = loop.indexOf(first);
  return [...loop.slice(at), ...loop.slice(0, at), first];
}

function layerCountOf(nodes: readonly TaskNode[]): number {
  return nodes.reduce((count, node) => Math.max(count, node.layer + 1), 0);
}

interface Component {
  readonly nodes: TaskNode[];
  readonly edges: TaskEdge[];
}

/** Weakly connected components, ordered (and each kept) in input order, so stacking is stable. */
function connectedComponents(graph: TaskGraph): Component[] {
  const componentOf = new Map<TaskNode, Component>();
  const components: Component[] = [];
  for (const start of graph.nodes) {
    if (componentOf.has(start)) continue;
    const component: Component = { nodes: [start], edges: [] };
    componentOf.set(start, component);
    for (const node of component.nodes) {
      for (const neighbour of [...node.upstream, ...node.downstream]) {
        if (componentOf.has(neighbour)) continue;
        componentOf.set(neighbour, component);
        component.nodes.push(neighbour);
      }
    }
    component.nodes.sort((a, b) => a.inputIndex - b.inputIndex);
    components.push(component);
  }
  for (const edge of graph.edges) componentOf.get(edge.from)?.edges.push(edge);
  return components;
}

// ---------------------------------------------------------------------------------------------
// Layered graph: real nodes plus a dummy wherever an edge passes through a layer

interface LayerNode {
  /** undefined for a dummy. */
  readonly task: TaskNode | undefined;
  readonly layer: number;
  readonly height: number;
  /** Where it starts within its layer: input order, a dummy taking its edge's source's. */
  readonly inputOrder: number;
  /** Neighbours in the previous layer. */
  readonly upstream: LayerNode[];
  /** Neighbours in the next layer. */
  readonly downstream: LayerNode[];
  /** Index within its layer. */
  position: number;
  /** Centre, vertically. */
  y: number;
}

interface EdgePath {
  readonly edge: TaskEdge;
  /** Source, the dummies in layer order, target. */
  readonly nodes: LayerNode[];
}

interface LayeredComponent {
  readonly layerNodeOf: Map<TaskNode, LayerNode>;
  readonly paths: EdgePath[];
  layers: LayerNode[][];
}

function buildLayeredComponent(component: Component): LayeredComponent {
  const layers: LayerNode[][] = Array.from({ length: layerCountOf(component.nodes) }, () => []);
  const add = (task: TaskNode | undefined, layer: number, height: number, inputOrder: number): LayerNode => {
    const node: LayerNode = { task, layer, height, inputOrder, upstream: [], downstream: [], position: 0, y: 0 };
    layers[layer]?.push(node);
    return node;
  };
  const layerNodeOf = new Map(component.nodes.map((task) => [task, add(task, task.layer, task.input.height, task.inputIndex)]));
  const paths = component.edges.map((edge): EdgePath => {
    const nodes = [layerNodeOf.get(edge.from) as LayerNode];
    for (let layer = edge.from.layer + 1; layer < edge.to.layer; layer++) nodes.push(add(undefined, layer, 0, edge.from.inputIndex));
    nodes.push(layerNodeOf.get(edge.to) as LayerNode);
    nodes.slice(1).forEach((next, i) => link(nodes[i] ?? next, next));
    return { edge, nodes };
  });
  // Stable sort: dummies of the same source stay in edge order.
  const ordered = layers.map((layer) => layer.sort((a, b) => a.inputOrder - b.inputOrder));
  ordered.forEach(numberPositions);
  return { layerNodeOf, paths, layers: ordered };
}

function link(from: LayerNode, to: LayerNode): void {
  from.downstream.push(to);
  to.upstream.push(from);
}

function numberPositions(layer: readonly LayerNode[]): void {
  layer.forEach((node, position) => (node.position = position));
}

// ---------------------------------------------------------------------------------------------
// Ordering within layers

/**
 * Alternate barycenter sweeps down and up from input order, each followed by swaps of neighbours;
 * keep the best ordering seen.
 */
function orderLayers(component: { layers: LayerNode[][] }): void {
  let best = component.layers;
  let fewestCrossings = totalCrossings(best);
  let current = best;
  for (let sweep = 0; sweep < ORDERING_SWEEPS && fewestCrossings > 0; sweep++) {
    const swept = sweep % 2 === 0 ? sweepDown(current) : sweepUp(current);
    // Swapping on ties only every other round trip: enough to leave a plateau, not to wander.
    current = transposeNeighbours(swept, sweep % 4 >= 2);
    const crossings = totalCrossings(current);
    if (crossings < fewestCrossings) {
      best = current;
      fewestCrossings = crossings;
    }
  }
  // Later sweeps renumbered positions after the best one was taken.
  best.forEach(numberPositions);
  component.layers = best;
}

/** Each layer, from the second, reordered by its upstream neighbours' positions. */
function sweepDown(layers: readonly LayerNode[][]): LayerNode[][] {
  // map runs in order, so each layer sees the positions its predecessor was just given.
  return layers.map((layer, i) => (i === 0 ? layer : reorderByBarycenter(layer, (node) => node.upstream)));
}

/** Each layer, from the second-to-last back to the first, reordered by its downstream neighbours. */
function sweepUp(layers: readonly LayerNode[][]): LayerNode[][] {
  const lastFirst = [...layers].reverse();
  return lastFirst.map((layer, i) => (i === 0 ? layer : reorderByBarycenter(layer, (node) => node.downstream))).reverse();
}

/**
 * Sorts the nodes that have neighbours on the fixed side by their neighbours' mean position. Ties
 * keep their current order (input order to begin with): falling back to input order instead would
 * undo, on every layer with a single neighbour, what the previous sweep achieved. Nodes without
 * such neighbours keep their slots: they have nothing to say.
 */
function reorderByBarycenter(layer: readonly LayerNode[], neighboursOf: (node: LayerNode) => readonly LayerNode[]): LayerNode[] {
  const barycenter = new Map<LayerNode, number>();
  for (const node of layer) {
    const neighbours = neighboursOf(node);
    if (neighbours.length > 0) barycenter.set(node, neighbours.reduce((sum, n) => sum + n.position, 0) / neighbours.length);
  }
  const movable = layer
    .filter((node) => barycenter.has(node))
    .sort((a, b) => (barycenter.get(a) ?? 0) - (barycenter.get(b) ?? 0) || a.position - b.position);
  let nextMovable = 0;
  const reordered = layer.map((node) => (barycenter.has(node) ? (movable[nextMovable++] ?? node) : node));
  numberPositions(reordered);
  return reordered;
}

/**
 * Barycenters get stuck where nodes pull equally (a lattice of diamonds, say); swapping neighbours
 * when that reduces their crossings, or on request when it leaves them equal but not zero, gets
 * them out.
 */
function transposeNeighbours(layers: readonly LayerNode[][], swapOnTies: boolean): LayerNode[][] {
  // Copies: an earlier sweep's arrays may be the best ordering so far.
  const result = layers.map((layer) => [...layer]);
  for (let pass = 0; pass < TRANSPOSE_PASSES; pass++) {
    let improved = false;
    for (const layer of result) improved = transposeLayer(layer, swapOnTies) || improved;
    if (!improved) break;
  }
  return result;
}

/** One pass of neighbour swaps down a layer; true if any swap reduced crossings. */
function transposeLayer(layer: LayerNode[], swapOnTies: boolean): boolean {
  // Swaps within this layer do not move its neighbours, so their positions can be sorted once.
  const ends = new Map(layer.map((node) => [node, { upstream: sortedPositions(node.upstream), downstream: sortedPositions(node.downstream) }]));
  let improved = false;
  for (let i = 0; i + 1 < layer.length; i++) {
    const upper = layer[i] as LayerNode;
    const lower = layer[i + 1] as LayerNode;
    const upperEnds = ends.get(upper);
    const lowerEnds = ends.get(lower);
    if (!upperEnds || !lowerEnds) continue;
    const before = compareEnds(upperEnds.upstream, lowerEnds.upstream);
    const after = compareEnds(upperEnds.downstream, lowerEnds.downstream);
    const now = before.upperBelow + after.upperBelow;
    const swapped = before.upperAbove + after.upperAbove;
    if (swapped > now || (swapped === now && (now === 0 || !swapOnTies))) continue;
    improved ||= swapped < now;
    layer[i] = lower;
    layer[i + 1] = upper;
    lower.position = i;
    upper.position = i + 1;
  }
  return improved;
}

function sortedPositions(nodes: readonly LayerNode[]): number[] {
  return nodes.map((node) => node.position).sort((a, b) => a - b);
}

/**
 * For two nodes' edge ends on the same side (sorted positions), how many pairs of edges cross with
 * the upper node where it is (its end strictly below the lower node's end) and how many would
 * cross if the two swapped (its end strictly above). A linear merge.
 */
function compareEnds(upperEnds: readonly number[], lowerEnds: readonly number[]): { upperBelow: number; upperAbove: number } {
  let upperBelow = 0;
  let upperAbove = 0;
  let lowerBefore = 0;
  let lowerAtOrBefore = 0;
  for (const end of upperEnds) {
    while ((lowerEnds[lowerBefore] ?? Infinity) < end) lowerBefore++;
    while ((lowerEnds[lowerAtOrBefore] ?? Infinity) <= end) lowerAtOrBefore++;
    upperBelow += lowerBefore;
    upperAbove += lowerEnds.length - lowerAtOrBefore;
  }
  return { upperBelow, upperAbove };
}

function totalCrossings(layers: readonly LayerNode[][]): number {
  let crossings = 0;
  for (const layer of layers) {
    const segments: Array<[number, number]> = [];
    for (const node of layer) for (const next of node.downstream) segments.push([node.position, next.position]);
    crossings += countSegmentCrossings(segments);
  }
  return crossings;
}

/**
 * Segments between two parallel lines, each as [position on the first, position on the second].
 * Two cross when their order on one line is the reverse of their order on the other, so this counts
 * inversions: sort by the first line, then count with a Fenwick tree how many earlier segments end
 * strictly further along the second. O(s log s).
 */
function countSegmentCrossings(segments: Array<[number, number]>): number {
  segments.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const ends = [...new Set(segments.map(([, end]) => end))].sort((a, b) => a - b);
  const rankOf = new Map(ends.map((end, rank) => [end, rank + 1]));
  const tree = new Array<number>(ends.length + 1).fill(0);
  let crossings = 0;
  segments.forEach(([, end], inserted) => {
    const rank = rankOf.get(end) ?? 0;
    let endingAtOrBefore = 0;
    for (let i = rank; i > 0; i -= i & -i) endingAtOrBefore += tree[i] ?? 0;
    crossings += inserted - endingAtOrBefore;
    for (let i = rank; i < tree.length; i += i & -i) tree[i] = (tree[i] ?? 0) + 1;
  });
  return crossings;
}

// ---------------------------------------------------------------------------------------------
// Vertical placement

/**
 * Stacks each layer, then repeatedly pulls every node toward the median of its neighbours in the
 * layer just placed (down, then up), never changing a layer's order or closing its gaps. Moves the
 * component so it starts at y = 0 and returns its height.
 */
function placeVertically(layers: readonly LayerNode[][], nodeSep: number): number {
  for (const layer of layers) stackTightly(layer, nodeSep);
  for (let trip = 0; trip < PLACEMENT_ROUND_TRIPS; trip++) {
    for (const layer of layers.slice(1)) alignLayer(layer, (node) => node.upstream, nodeSep);
    for (const layer of [...layers].reverse().slice(1)) alignLayer(layer, (node) => node.downstream, nodeSep);
  }
  return normalizeToTop(layers);
}

/** The starting point: a layer packed as tightly as its gaps allow, from y = 0. */
function stackTightly(layer: readonly LayerNode[], nodeSep: number): void {
  let y = 0;
  for (const node of layer) {
    node.y = y + node.height / 2;
    y += node.height + nodeSep;
  }
}

/** The least distance between the centres of two neighbours in a layer. */
function minCentreDistance(upper: LayerNode, lower: LayerNode, nodeSep: number): number {
  return (upper.height + lower.height) / 2 + nodeSep;
}

/**
 * Places a layer's nodes as close to their targets as the order and gaps allow (least weighted
 * squared displacement). Measuring each node from its tightly packed offset turns the gaps into
 * "never smaller than the node above", which pool-adjacent-violators solves in one linear pass.
 */
function alignLayer(layer: readonly LayerNode[], neighboursOf: (node: LayerNode) => readonly LayerNode[], nodeSep: number): void {
  const offsets = packedOffsets(layer, nodeSep);
  const pools: Array<{ weightedSum: number; weight: number; size: number }> = [];
  layer.forEach((node, i) => {
    const { target, weight } = placementTarget(node, neighboursOf(node));
    let pool = { weightedSum: (target - (offsets[i] ?? 0)) * weight, weight, size: 1 };
    for (let previous = pools.at(-1); previous && mean(previous) >= mean(pool); previous = pools.at(-1)) {
      pools.pop();
      pool = { weightedSum: previous.weightedSum + pool.weightedSum, weight: previous.weight + pool.weight, size: previous.size + pool.size };
    }
    pools.push(pool);
  });
  let i = 0;
  for (const pool of pools) {
    for (const end = i + pool.size; i < end; i++) {
      const node = layer[i];
      if (node) node.y = mean(pool) + (offsets[i] ?? 0);
    }
  }
  enforceGaps(layer, nodeSep);
}

function mean(pool: { weightedSum: number; weight: number }): number {
  return pool.weightedSum / pool.weight;
}

function packedOffsets(layer: readonly LayerNode[], nodeSep: number): number[] {
  let offset = 0;
  return layer.map((node, i) => {
    const above = layer[i - 1];
    if (above) offset += minCentreDistance(above, node, nodeSep);
    return offset;
  });
}

/** Where a node would like to be (the median of its neighbours) and how strongly. */
function placementTarget(node: LayerNode, neighbours: readonly LayerNode[]): { target: number; weight: number } {
  if (neighbours.length === 0) return { target: node.y, weight: UNANCHORED_WEIGHT };
  const ys = neighbours.map((n) => n.y).sort((a, b) => a - b);
  const middle = (ys.length - 1) / 2;
  const target = ((ys[Math.floor(middle)] ?? 0) + (ys[Math.ceil(middle)] ?? 0)) / 2;
  const weight = node.task === undefined ? DUMMY_WEIGHT : neighbours.length;
  return { target, weight };
}

/** Rounding in the pooled means can leave a gap a hair too small; push down to make it exact. */
function enforceGaps(layer: readonly LayerNode[], nodeSep: number): void {
  layer.forEach((node, i) => {
    const above = layer[i - 1];
    if (above) node.y = Math.max(node.y, above.y + minCentreDistance(above, node, nodeSep));
  });
}

function normalizeToTop(layers: readonly LayerNode[][]): number {
  const all = layers.flat();
  // A loop, not Math.min(...all): spreading tens of thousands of arguments can overflow the stack.
  let top = Infinity;
  let bottom = -Infinity;
  for (const node of all) {
    top = Math.min(top, node.y - node.height / 2);
    bottom = Math.max(bottom, node.y + node.height / 2);
  }
  for (const node of all) node.y -= top;
  return bottom - top;
}

// ---------------------------------------------------------------------------------------------
// Coordinates out

interface Column {
  readonly left: number;
  readonly width: number;
}

/** Each layer is as wide as its widest node; layers are shared by all components so columns line up. */
function layerColumns(nodes: readonly TaskNode[], settings: Required<LayoutOptions>): Column[] {
  const widths = new Array<number>(layerCountOf(nodes)).fill(0);
  for (const node of nodes) widths[node.layer] = Math.max(widths[node.layer] ?? 0, node.input.width);
  let left = settings.margin;
  return widths.map((width) => {
    const column = { left, width };
    left += width + settings.rankSep;
    return column;
  });
}

function positionedNodes(nodes: readonly TaskNode[], placed: readonly LayeredComponent[], columns: readonly Column[]): PositionedNode[] {
  const layerNodeOf = new Map(placed.flatMap((component) => [...component.layerNodeOf]));
  return nodes.map((task) => {
    const { id, width, height } = task.input;
    const column = columns[task.layer] ?? { left: 0, width };
    const centreY = layerNodeOf.get(task)?.y ?? 0;
    // Centred in the column, so narrower nodes do not hug the previous layer.
    return { id, x: column.left + (column.width - width) / 2, y: centreY - height / 2, width, height, layer: task.layer };
  });
}

function routedEdges(edges: readonly TaskEdge[], placed: readonly LayeredComponent[], columns: readonly Column[]): RoutedEdge[] {
  const pathOf = new Map(placed.flatMap((component) => component.paths.map((path) => [path.edge, path])));
  return edges.map((edge) => {
    const path = pathOf.get(edge)?.nodes ?? [];
    const points = path.map((node, i): Point => {
      const column = columns[node.layer] ?? { left: 0, width: 0 };
      const nodeWidth = node.task?.input.width ?? 0;
      const left = column.left + (column.width - nodeWidth) / 2;
      if (i === 0) return { x: left + nodeWidth, y: node.y };
      return { x: left, y: node.y };
    });
    return { from: edge.from.input.id, to: edge.to.input.id, points };
  });
}
