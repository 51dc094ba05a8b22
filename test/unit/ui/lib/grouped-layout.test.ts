import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutDag } from '../../../../ui/src/lib/graph-layout.ts';
import {
  GROUP_HEADER_PX,
  GROUP_PADDING_PX,
  layoutGrouped,
  type GroupedLayout,
  type GroupedTaskInput,
  type Rect,
} from '../../../../ui/src/lib/grouped-layout.ts';
import { groupChain } from '../../../../ui/src/lib/task-groups.ts';

const TASK = { width: 100, height: 30 };
const GROUP_NODE = { width: 120, height: 40 };

/** 'a>b b>c' with each task's group: 'extract.orders:extract' → task extract.orders in extract. */
function dag(taskSpecs: string, edgeSpecs: string): GroupedTaskInput[] {
  const tasks = taskSpecs
    .split(/\s+/)
    .filter(Boolean)
    .map((spec): GroupedTaskInput & { downstream: string[] } => {
      const [taskId = '', group] = spec.split(':');
      return { taskId, group: group ?? null, downstream: [] };
    });
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  for (const edge of edgeSpecs.split(/\s+/).filter(Boolean)) {
    const [from = '', to = ''] = edge.split('>');
    byId.get(from)!.downstream.push(to);
  }
  return tasks;
}

function lay(tasks: GroupedTaskInput[], collapsed: string[] = []): GroupedLayout {
  return layoutGrouped({ tasks, collapsed: new Set(collapsed), taskSize: () => TASK, collapsedSize: () => GROUP_NODE, headerWidth: () => 60 });
}

const inside = (inner: Rect, outer: Rect, pad = 0) =>
  inner.x >= outer.x + pad - 1e-6 &&
  inner.y >= outer.y + pad - 1e-6 &&
  inner.x + inner.width <= outer.x + outer.width - pad + 1e-6 &&
  inner.y + inner.height <= outer.y + outer.height - pad + 1e-6;

const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** What a drawn thing is: a task, a collapsed group's node, or an expanded group's box. */
function rectsOf(layout: GroupedLayout): Map<string, Rect> {
  return new Map<string, Rect>([
    ...layout.tasks.map((t) => [t.taskId, t] as const),
    ...layout.groupNodes.map((g) => [g.groupId, g] as const),
    ...layout.boxes.map((g) => [`box:${g.groupId}`, g] as const),
  ]);
}

/**
 * What every grouped layout must be: each shown task inside the box of each group around it (below
 * the header, with the padding), boxes nested, nothing overlapping what does not contain it, every
 * edge from its source's right-middle to its target's left-middle, left to right unless reversed,
 * with no point inside a task or group node other than at its ends, all within the drawing.
 */
function assertWellDrawn(layout: GroupedLayout, tasks: GroupedTaskInput[]): void {
  const boxes = new Map(layout.boxes.map((b) => [b.groupId, b]));
  const groupOf = new Map(tasks.map((t) => [t.taskId, t.group]));
  for (const task of layout.tasks) {
    for (const group of groupChain(groupOf.get(task.taskId) ?? null)) {
      const box = boxes.get(group);
      assert.ok(box, `the box of ${group} around ${task.taskId} is drawn`);
      const content = { x: box.x, y: box.y + GROUP_HEADER_PX, width: box.width, height: box.height - GROUP_HEADER_PX };
      assert.ok(inside(task, content, GROUP_PADDING_PX), `${task.taskId} is inside ${group}'s box`);
    }
  }
  for (const box of layout.boxes) {
    for (const group of groupChain(box.groupId).slice(0, -1)) assert.ok(inside(box, boxes.get(group)!, GROUP_PADDING_PX), `${box.groupId} is inside ${group}`);
  }
  const things = [...rectsOf(layout)];
  const contains = (outer: string, inner: string) => outer.startsWith('box:') && (inner.startsWith(`${outer.slice(4)}.`) || inner.startsWith(`box:${outer.slice(4)}.`));
  for (let i = 0; i < things.length; i++) {
    for (let j = i + 1; j < things.length; j++) {
      const [a, ra] = things[i]!;
      const [b, rb] = things[j]!;
      if (contains(a, b) || contains(b, a)) continue;
      assert.ok(!overlap(ra, rb), `${a} and ${b} do not overlap`);
    }
  }
  const solid = [...layout.tasks.map((t) => [t.taskId, t] as const), ...layout.groupNodes.map((g) => [g.groupId, g] as const)];
  for (const edge of layout.edges) {
    const name = `${edge.from} → ${edge.to}`;
    for (const p of edge.points) assert.ok(p.x >= 0 && p.y >= 0 && p.x <= layout.width && p.y <= layout.height, `${name} stays in the drawing`);
    if (edge.reversed) continue;
    const from = solid.find(([id]) => id === edge.from)![1];
    const to = solid.find(([id]) => id === edge.to)![1];
    assert.deepEqual(edge.points[0], { x: from.x + from.width, y: from.y + from.height / 2 }, `${name} starts at its source's right-middle`);
    assert.deepEqual(edge.points.at(-1), { x: to.x, y: to.y + to.height / 2 }, `${name} ends at its target's left-middle`);
    const xs = edge.points.map((p) => p.x);
    assert.deepEqual(xs, [...xs].sort((a, b) => a - b), `${name} runs left to right`);
    for (const p of edge.points.slice(1, -1)) {
      for (const [id, r] of solid) {
        const within = p.x > r.x + 1e-6 && p.x < r.x + r.width - 1e-6 && p.y > r.y + 1e-6 && p.y < r.y + r.height - 1e-6;
        assert.ok(!within, `${name} does not run through ${id}`);
      }
    }
  }
}

const edgeList = (layout: GroupedLayout) => layout.edges.map((e) => `${e.from}>${e.to}${e.reversed ? ' (reversed)' : ''}`).sort();

const NESTED = dag(
  'start extract.orders:extract extract.check:extract extract.mongo.users:extract.mongo extract.mongo.roles:extract.mongo load',
  'start>extract.orders start>extract.mongo.users extract.orders>extract.check extract.mongo.users>extract.mongo.roles extract.orders>load extract.mongo.roles>load extract.check>load',
);

describe('layoutGrouped', () => {
  it('lays a DAG without groups out as layoutDag does', () => {
    const tasks = dag('a b c d', 'a>b a>c b>d c>d');
    const grouped = lay(tasks);
    const plain = layoutDag(tasks.map((t) => ({ id: t.taskId, ...TASK })), tasks.flatMap((t) => t.downstream.map((to) => ({ from: t.taskId, to }))));
    assert.deepEqual(grouped.tasks, plain.nodes.map(({ id, x, y, width, height }) => ({ taskId: id, x, y, width, height })));
    assert.deepEqual(grouped.edges.map((e) => e.points), plain.edges.map((e) => e.points));
    assert.deepEqual([grouped.width, grouped.height], [plain.width, plain.height]);
    assert.deepEqual([grouped.boxes, grouped.groupNodes], [[], []]);
  });

  it('draws each group as a box around its tasks, subgroups nested, edges through the borders', () => {
    const layout = lay(NESTED);
    assertWellDrawn(layout, NESTED);
    assert.deepEqual(
      layout.boxes.map((b) => [b.groupId, b.depth, b.taskIds]),
      [
        ['extract', 0, ['extract.orders', 'extract.check', 'extract.mongo.users', 'extract.mongo.roles']],
        ['extract.mongo', 1, ['extract.mongo.users', 'extract.mongo.roles']],
      ],
    );
    assert.equal(layout.tasks.length, 6);
    assert.equal(layout.edges.length, 7);
    // An edge into a box crosses its left border, one out of it its right border.
    const box = layout.boxes[0]!;
    const into = layout.edges.find((e) => e.from === 'start' && e.to === 'extract.mongo.users')!;
    assert.ok(into.points.some((p) => p.x === box.x), 'start → extract.mongo.users crosses the left border of extract');
    const out = layout.edges.find((e) => e.from === 'extract.orders' && e.to === 'load')!;
    assert.ok(out.points.some((p) => p.x === box.x + box.width), 'extract.orders → load crosses the right border of extract');
  });

  it('routes an edge that leaves a group from before its last layer around what is in between', () => {
    // a leaves the group from its first layer while b, c fill the next two: its exit must go round them.
    const tasks = dag('g.a:g g.b:g g.c:g g.x:g out', 'g.a>g.b g.b>g.c g.x>g.b g.a>out g.c>out');
    const layout = lay(tasks);
    assertWellDrawn(layout, tasks);
    const exit = layout.edges.find((e) => e.from === 'g.a' && e.to === 'out')!;
    assert.ok(exit.points.length >= 4, `g.a → out bends on its way out (${exit.points.length} points)`);
  });

  it('collapses a group into one node, its edges merged and attached to it', () => {
    const layout = lay(NESTED, ['extract']);
    assertWellDrawn(layout, NESTED);
    assert.deepEqual(layout.tasks.map((t) => t.taskId), ['start', 'load']);
    assert.deepEqual(layout.boxes, []);
    assert.deepEqual(
      layout.groupNodes.map((g) => [g.groupId, g.taskIds.length, g.width, g.height]),
      [['extract', 4, GROUP_NODE.width, GROUP_NODE.height]],
    );
    assert.deepEqual(edgeList(layout), ['extract>load', 'start>extract']);
  });

  it('collapses a subgroup inside its expanded parent, and hides it inside a collapsed one', () => {
    const inner = lay(NESTED, ['extract.mongo']);
    assertWellDrawn(inner, NESTED);
    assert.deepEqual(inner.boxes.map((b) => b.groupId), ['extract']);
    assert.deepEqual(inner.groupNodes.map((g) => [g.groupId, g.depth]), [['extract.mongo', 1]]);
    assert.ok(inside(inner.groupNodes[0]!, inner.boxes[0]!, GROUP_PADDING_PX), 'the collapsed subgroup sits in its parent box');
    assert.deepEqual(edgeList(inner), [
      'extract.check>load',
      'extract.mongo>load',
      'extract.orders>extract.check',
      'extract.orders>load',
      'start>extract.mongo',
      'start>extract.orders',
    ]);
    const both = lay(NESTED, ['extract', 'extract.mongo']);
    assert.deepEqual(both.groupNodes.map((g) => g.groupId), ['extract']);
    assert.deepEqual(both, lay(NESTED, ['extract']));
  });

  it('ignores collapsed ids that are no group of the DAG', () => {
    assert.deepEqual(lay(NESTED, ['gone', 'start']), lay(NESTED));
  });

  it('draws an edge that closes a cycle between a group and a task outside it against the flow', () => {
    // x → a → y with x and y in g, a outside: g is both before and after a.
    const tasks = dag('g.x:g g.y:g a', 'g.x>a a>g.y');
    const layout = lay(tasks);
    assertWellDrawn(layout, tasks);
    assert.deepEqual(edgeList(layout), ['a>g.y (reversed)', 'g.x>a']);
    const reversed = layout.edges.find((e) => e.reversed)!;
    const box = layout.boxes[0]!;
    const a = layout.tasks.find((t) => t.taskId === 'a')!;
    assert.deepEqual(reversed.points[0], { x: box.x + box.width, y: box.y + box.height / 2 }, 'drawn from the box…');
    assert.deepEqual(reversed.points.at(-1), { x: a.x, y: a.y + a.height / 2 }, '…to the task, the arrow at the box');
    const collapsed = lay(tasks, ['g']);
    assert.deepEqual(edgeList(collapsed), ['a>g (reversed)', 'g>a']);
  });

  it('rejects an edge to a task it was not given', () => {
    assert.throws(() => lay(dag('a', 'a>ghost')), /task "a" has an unknown downstream task "ghost"/);
  });

  it('lays out 400 tasks in nested groups, expanded and collapsed', (t) => {
    // 8 groups of 5 subgroups of 10 tasks; each task follows one or two of the 30 before it.
    const tasks: Array<GroupedTaskInput & { downstream: string[] }> = [];
    let seed = 9;
    const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let i = 0; i < 400; i++) {
      const group = `g${Math.floor(i / 50)}.s${Math.floor(i / 10) % 5}`;
      tasks.push({ taskId: `${group}.t${i}`, group, downstream: [] });
      for (let k = 0; k < 1 + Math.floor(random() * 2) && i > 0; k++) tasks[Math.max(0, i - 1 - Math.floor(random() * 30))]!.downstream.push(`${group}.t${i}`);
    }
    for (const collapsed of [[], ['g1', 'g3.s2', 'g5']]) {
      const started = performance.now();
      const layout = lay(tasks, collapsed);
      t.diagnostic(`400 tasks, ${collapsed.length} collapsed: ${(performance.now() - started).toFixed(0)} ms, ${layout.edges.length} edges`);
      assertWellDrawn(layout, tasks);
    }
  });
});
