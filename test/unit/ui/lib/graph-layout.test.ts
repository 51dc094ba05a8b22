import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  countCrossings,
  DEFAULT_LAYOUT_OPTIONS,
  layoutDag,
  type Layout,
  type LayoutEdgeInput,
  type LayoutNodeInput,
  type PositionedNode,
} from '../../../../ui/src/lib/graph-layout.ts';

const { margin, nodeSep, rankSep } = DEFAULT_LAYOUT_OPTIONS;

/** 'a b c' → nodes of a fixed size, in that order. */
function nodes(ids: string, width = 120, height = 32): LayoutNodeInput[] {
  return ids.split(/\s+/).filter(Boolean).map((id) => ({ id, width, height }));
}

/** 'a>b b>c' → edges, in that order. */
function edges(spec: string): LayoutEdgeInput[] {
  return spec
    .split(/\s+/)
    .filter(Boolean)
    .map((edge) => {
      const [from = '', to = ''] = edge.split('>');
      return { from, to };
    });
}

function byId(layout: Layout): Map<string, PositionedNode> {
  return new Map(layout.nodes.map((node) => [node.id, node]));
}

function node(layout: Layout, id: string): PositionedNode {
  const found = byId(layout).get(id);
  assert.ok(found, `node ${id} is in the layout`);
  return found;
}

function centreY(node: PositionedNode): number {
  return node.y + node.height / 2;
}

/** Boxes overlap, or come closer vertically than `gap` while sharing some x. */
function tooClose(a: PositionedNode, b: PositionedNode, gap: number): boolean {
  const shareX = a.x < b.x + b.width && b.x < a.x + a.width;
  const shareY = a.y < b.y + b.height + gap - 1e-6 && b.y < a.y + a.height + gap - 1e-6;
  return shareX && shareY;
}

/** Deterministic pseudo-random numbers in [0, 1), so failures reproduce. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Each node after the first few gets one to three upstream nodes chosen among the previous 40. */
function randomDag(count: number, seed: number): { nodes: LayoutNodeInput[]; edges: LayoutEdgeInput[] } {
  const random = seededRandom(seed);
  const dagNodes = Array.from({ length: count }, (_, i) => ({ id: `t${i}`, width: 60 + Math.floor(random() * 100), height: 24 + Math.floor(random() * 20) }));
  const dagEdges: LayoutEdgeInput[] = [];
  for (let i = 3; i < count; i++) {
    const upstreamCount = 1 + Math.floor(random() * 3);
    for (let k = 0; k < upstreamCount; k++) {
      const from = Math.max(0, i - 1 - Math.floor(random() * 40));
      dagEdges.push({ from: `t${from}`, to: `t${i}` });
    }
  }
  return { nodes: dagNodes, edges: dagEdges };
}

/**
 * The properties every layout must have: inside the margins, no overlaps in a layer, layers rising
 * along edges (by exactly the longest path), edges anchored at the right places with one point per
 * layer crossed, and no edge point inside a real node.
 */
function assertWellFormed(layout: Layout, inputEdges: readonly LayoutEdgeInput[], gap = nodeSep, edgeMargin = margin): void {
  const positioned = byId(layout);
  for (const n of layout.nodes) {
    assert.ok(n.x >= edgeMargin - 1e-6 && n.x + n.width <= layout.width - edgeMargin + 1e-6, `${n.id} within x bounds`);
    assert.ok(n.y >= edgeMargin - 1e-6 && n.y + n.height <= layout.height - edgeMargin + 1e-6, `${n.id} within y bounds`);
  }
  const all = layout.nodes;
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i] as PositionedNode;
      const b = all[j] as PositionedNode;
      assert.ok(!tooClose(a, b, a.layer === b.layer ? gap : 0), `${a.id} and ${b.id} do not overlap`);
    }
  }
  const upstreamLayers = new Map<string, number[]>();
  for (const edge of inputEdges) {
    const from = positioned.get(edge.from) as PositionedNode;
    const to = positioned.get(edge.to) as PositionedNode;
    assert.ok(to.layer > from.layer, `layer rises along ${edge.from} → ${edge.to}`);
    upstreamLayers.set(edge.to, [...(upstreamLayers.get(edge.to) ?? []), from.layer]);
  }
  for (const n of layout.nodes) {
    const upstream = upstreamLayers.get(n.id);
    assert.equal(n.layer, upstream === undefined ? 0 : Math.max(...upstream) + 1, `${n.id} sits on its longest path`);
  }
  for (const edge of layout.edges) {
    const from = positioned.get(edge.from) as PositionedNode;
    const to = positioned.get(edge.to) as PositionedNode;
    assert.equal(edge.points.length, to.layer - from.layer + 1, `${edge.from} → ${edge.to} has one point per layer crossed`);
    assert.deepEqual(edge.points[0], { x: from.x + from.width, y: centreY(from) }, `${edge.from} → ${edge.to} starts at the source's right-middle`);
    assert.deepEqual(edge.points.at(-1), { x: to.x, y: centreY(to) }, `${edge.from} → ${edge.to} ends at the target's left-middle`);
    const xs = edge.points.map((point) => point.x);
    assert.deepEqual(xs, [...xs].sort((a, b) => a - b), `${edge.from} → ${edge.to} runs left to right`);
    for (const point of edge.points.slice(1, -1)) {
      assert.ok(point.y >= edgeMargin - 1e-6 && point.y <= layout.height - edgeMargin + 1e-6, 'bend point within y bounds');
      for (const n of all) {
        const inside = point.x >= n.x && point.x <= n.x + n.width && point.y >= n.y && point.y <= n.y + n.height;
        assert.ok(!inside, `${edge.from} → ${edge.to} does not run through ${n.id}`);
      }
    }
  }
}

describe('layoutDag', () => {
  it('lays a chain out as one level line, layer by layer', () => {
    const input = edges('a>b b>c c>d');
    const layout = layoutDag(nodes('a b c d'), input);
    assertWellFormed(layout, input);
    assert.deepEqual(
      layout.nodes.map((n) => [n.id, n.layer, n.x, n.y]),
      [
        ['a', 0, margin, margin],
        ['b', 1, margin + 120 + rankSep, margin],
        ['c', 2, margin + 2 * (120 + rankSep), margin],
        ['d', 3, margin + 3 * (120 + rankSep), margin],
      ],
    );
    assert.equal(layout.width, 2 * margin + 4 * 120 + 3 * rankSep);
    assert.equal(layout.height, 2 * margin + 32);
    for (const edge of layout.edges) assert.ok(edge.points.every((point) => point.y === margin + 16), 'edges are horizontal');
  });

  it('puts fan-out children in distinct rows, centred on their parent', () => {
    const input = edges('root>c1 root>c2 root>c3 root>c4 root>c5');
    const layout = layoutDag(nodes('root c1 c2 c3 c4 c5'), input);
    assertWellFormed(layout, input);
    const children = ['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => node(layout, id));
    assert.equal(new Set(children.map((child) => child.y)).size, 5);
    assert.equal(centreY(node(layout, 'root')), centreY(node(layout, 'c3')));
    assert.equal(countCrossings(layout), 0);
  });

  it('keeps a node level with its only upstream when there is room', () => {
    // b has two children; each child has one upstream, and the chain b → d → f continues.
    const input = edges('a>b a>c b>d b>e d>f c>g');
    const layout = layoutDag(nodes('a b c d e f g'), input);
    assertWellFormed(layout, input);
    assert.equal(centreY(node(layout, 'f')), centreY(node(layout, 'd')));
    assert.equal(centreY(node(layout, 'g')), centreY(node(layout, 'c')));
  });

  it('routes a long edge through one bend point per layer it crosses, clear of real nodes', () => {
    const input = edges('a>b b>c c>d a>d');
    const layout = layoutDag(nodes('a b c d'), input);
    assertWellFormed(layout, input);
    const long = layout.edges.find((edge) => edge.from === 'a' && edge.to === 'd');
    assert.equal(long?.points.length, 4);
    assert.equal(countCrossings(layout), 0);
  });

  it('finds a crossing-free ordering for a graph given in a scrambled order', () => {
    // Two trees with a long edge each: planar when each tree's nodes are kept together, but the
    // input interleaves them, so that left in input order the edges would cross 9 times.
    const ids = 'q2b p1 q p2a q1a p p2 q1 p1b q2 p2b q1b p1a q2a x y';
    const input = edges('p>p1 p>p2 q>q1 q>q2 p1>p1a p1>p1b p2>p2a p2>p2b q1>q1a q1>q1b q2>q2a q2>q2b p>x q>y p2b>x q1a>y');
    const layout = layoutDag(nodes(ids), input);
    assertWellFormed(layout, input);
    assert.equal(countCrossings(layout), 0);
  });

  it('finds a crossing-free ordering for a diamond lattice given backwards', () => {
    // Barycenters alone stall here at 2 crossings; it takes swapping neighbours to get out.
    const input = edges('s>a1 s>a2 s>a3 a1>b1 a1>b2 a2>b2 a2>b3 a3>b3 a3>b4 b1>t b2>t b3>t b4>t');
    const layout = layoutDag(nodes('t b4 b1 b3 b2 a3 a1 a2 s'), input);
    assertWellFormed(layout, input);
    assert.equal(countCrossings(layout), 0);
  });

  it('gives the same layout for the same input', () => {
    const { nodes: dagNodes, edges: dagEdges } = randomDag(120, 7);
    assert.deepEqual(layoutDag(dagNodes, dagEdges), layoutDag(dagNodes, dagEdges));
    const small = edges('a>b a>c b>d c>d');
    assert.deepEqual(layoutDag(nodes('a b c d'), small), layoutDag(nodes('a b c d'), small));
  });

  it('stacks disconnected components and isolated nodes without overlap', () => {
    const input = edges('a>b b>c x>y x>z');
    const layout = layoutDag(nodes('lonely a b c x y z alone'), input);
    assertWellFormed(layout, input);
    // Components follow input order, top to bottom.
    const tops = ['lonely', 'a', 'x', 'alone'].map((id) => node(layout, id).y);
    assert.deepEqual(tops, [...tops].sort((a, b) => a - b));
    assert.equal(node(layout, 'lonely').layer, 0);
    assert.equal(node(layout, 'alone').x, margin);
  });

  it('draws a duplicate edge once', () => {
    const input = edges('a>b a>b b>c');
    const layout = layoutDag(nodes('a b c'), input);
    assert.deepEqual(
      layout.edges.map((edge) => `${edge.from}>${edge.to}`),
      ['a>b', 'b>c'],
    );
    assertWellFormed(layout, input);
  });

  it('honours the spacing options and centres narrow nodes in their column', () => {
    const options = { rankSep: 100, nodeSep: 30, margin: 5 };
    const input = edges('a>b a>c');
    const layout = layoutDag([{ id: 'a', width: 50, height: 20 }, { id: 'b', width: 200, height: 40 }, { id: 'c', width: 100, height: 40 }], input, options);
    assertWellFormed(layout, input, 30, 5);
    assert.equal(node(layout, 'a').x, 5);
    assert.equal(node(layout, 'b').x, 5 + 50 + 100);
    assert.equal(node(layout, 'c').x, 5 + 50 + 100 + 50);
    assert.equal(node(layout, 'c').y - (node(layout, 'b').y + 40), 30);
    assert.equal(layout.width, 5 + 50 + 100 + 200 + 5);
    assert.equal(layout.height, 5 + 40 + 30 + 40 + 5);
    assert.deepEqual(layoutDag(nodes('a b'), edges('a>b'), { margin: undefined }), layoutDag(nodes('a b'), edges('a>b')));
  });

  it('puts a node with a minLayer no further left, and what follows it after it', () => {
    // Without it, x would sit in layer 1, next to b; a group's exit port must reach the last layer.
    const input = edges('a>b b>c a>x x>y');
    const layout = layoutDag([...nodes('a b c'), { id: 'x', width: 120, height: 32, minLayer: 2 }, ...nodes('y')], input);
    assert.deepEqual(
      layout.nodes.map((n) => [n.id, n.layer]),
      [
        ['a', 0],
        ['b', 1],
        ['c', 2],
        ['x', 2],
        ['y', 3],
      ],
    );
    assert.equal(layout.edges.find((edge) => edge.to === 'x')?.points.length, 3, 'a → x bends once, in layer 1');
    const upstreamOf = nodes('a').concat({ id: 'z', width: 120, height: 32, minLayer: 0 });
    assert.equal(node(layoutDag(upstreamOf, edges('a>z')), 'z').layer, 1, 'a lower minLayer than its longest path changes nothing');
  });

  it('lays out an empty graph as just the margins', () => {
    assert.deepEqual(layoutDag([], []), { nodes: [], edges: [], width: 2 * margin, height: 2 * margin });
  });

  it('rejects a cycle, naming the nodes on it', () => {
    assert.throws(() => layoutDag(nodes('start a b c'), edges('start>a a>b b>c c>a')), /cycle: "a" → "b" → "c" → "a"/);
    assert.throws(() => layoutDag(nodes('a'), edges('a>a')), /cycle: "a" → "a"/);
  });

  it('rejects an edge to or from an unknown node, naming it', () => {
    assert.throws(() => layoutDag(nodes('a b'), edges('a>ghost')), /edge "a" → "ghost" refers to unknown node "ghost"/);
    assert.throws(() => layoutDag(nodes('a b'), edges('ghost>b')), /unknown node "ghost"/);
    assert.throws(() => layoutDag(nodes('a'), edges('x>y')), /unknown node "x" and "y"/);
  });

  it('rejects a duplicate node id, naming it', () => {
    assert.throws(() => layoutDag(nodes('a b a'), []), /duplicate node id "a"/);
  });

  it('lays out a 1 → 5,000 → 1 fan-out', (t) => {
    const children = Array.from({ length: 5000 }, (_, i) => `c${i}`);
    const input = children.flatMap((child) => [{ from: 'start', to: child }, { from: child, to: 'end' }]);
    const started = performance.now();
    const layout = layoutDag(nodes(['start', ...children, 'end'].join(' ')), input);
    t.diagnostic(`5,002 nodes, 10,000 edges: ${(performance.now() - started).toFixed(0)} ms`);
    const positioned = byId(layout);
    const rows = children.map((id) => positioned.get(id) as PositionedNode).sort((a, b) => a.y - b.y);
    rows.slice(1).forEach((row, i) => assert.ok(row.y >= (rows[i] as PositionedNode).y + 32 + nodeSep - 1e-6, 'children do not overlap'));
    const middle = (centreY(rows[0] as PositionedNode) + centreY(rows.at(-1) as PositionedNode)) / 2;
    assert.ok(Math.abs(centreY(node(layout, 'start')) - middle) < 1, 'the source is centred on its children');
    assert.ok(Math.abs(centreY(node(layout, 'end')) - middle) < 1, 'the sink is centred on its parents');
    assert.equal(countCrossings(layout), 0);
    assert.equal(layout.height, 2 * margin + 5000 * 32 + 4999 * nodeSep);
  });

  it('lays out a 300-node random DAG', (t) => {
    const { nodes: dagNodes, edges: dagEdges } = randomDag(300, 42);
    const started = performance.now();
    const layout = layoutDag(dagNodes, dagEdges);
    t.diagnostic(`300 nodes, ${dagEdges.length} edges: ${(performance.now() - started).toFixed(0)} ms, ${countCrossings(layout)} crossings`);
    assertWellFormed(layout, dagEdges);
  });
});

describe('countCrossings', () => {
  const box = (id: string, layer: number, y: number): PositionedNode => ({ id, x: layer * 100, y, width: 50, height: 20, layer });
  const straight = (from: PositionedNode, to: PositionedNode) => ({
    from: from.id,
    to: to.id,
    points: [
      { x: from.x + from.width, y: from.y + 10 },
      { x: to.x, y: to.y + 10 },
    ],
  });

  it('counts an X as one crossing, and edges sharing an end as none', () => {
    const [a, b, c, d] = [box('a', 0, 0), box('b', 0, 50), box('c', 1, 0), box('d', 1, 50)] as const;
    const crossed: Layout = { nodes: [a, b, c, d], edges: [straight(a, d), straight(b, c)], width: 200, height: 100 };
    assert.equal(countCrossings(crossed), 1);
    const fanned: Layout = { nodes: [a, b, c, d], edges: [straight(a, c), straight(a, d), straight(b, d)], width: 200, height: 100 };
    assert.equal(countCrossings(fanned), 0);
  });

  it('counts crossings on the segments of long edges, layer by layer', () => {
    // a → f dips below b in layer 1, crossing b → e, then rises above e, crossing nothing more.
    const [a, b, e, f] = [box('a', 0, 0), box('b', 1, 0), box('e', 2, 50), box('f', 3, 0)] as const;
    const long = { from: 'a', to: 'f', points: [{ x: 50, y: 10 }, { x: 125, y: 60 }, { x: 225, y: 5 }, { x: 300, y: 10 }] };
    const layout: Layout = { nodes: [a, b, e, f], edges: [long, straight(b, e)], width: 400, height: 100 };
    assert.equal(countCrossings(layout), 1);
  });
});
