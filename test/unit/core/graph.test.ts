import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topologicalOrder } from '../../../src/core/graph.ts';

function graph(edges: string): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const edge of edges.split(/\s+/).filter(Boolean)) {
    const [from = '', to = ''] = edge.split('>');
    if (!map.has(from)) map.set(from, new Set());
    map.get(from)?.add(to);
  }
  return map;
}

describe('topologicalOrder', () => {
  it('orders upstream before downstream, ties in declaration order', () => {
    assert.deepEqual(topologicalOrder(['d', 'c', 'b', 'a'], graph('a>b a>c b>d c>d')), { ok: true, order: ['a', 'c', 'b', 'd'] });
    assert.deepEqual(topologicalOrder(['x', 'y', 'z'], new Map()), { ok: true, order: ['x', 'y', 'z'] });
  });

  it('finds a cycle and returns it as a path from its first-declared node', () => {
    assert.deepEqual(topologicalOrder(['start', 'a', 'b', 'c'], graph('start>a a>b b>c c>a')), { ok: false, cycle: ['a', 'b', 'c', 'a'] });
    assert.deepEqual(topologicalOrder(['a'], graph('a>a')), { ok: false, cycle: ['a', 'a'] });
  });

  it('reports a cycle even when other nodes hang below it', () => {
    const result = topologicalOrder(['a', 'b', 'tail'], graph('a>b b>a b>tail'));
    assert.deepEqual(result, { ok: false, cycle: ['a', 'b', 'a'] });
  });
});
