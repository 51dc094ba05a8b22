import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chain, dag, type Task } from '../../../src/sdk/dag.ts';
import { edges, rejects } from '../../support/dag-asserts.ts';

const noop = async () => {};

describe('task groups', () => {
  it('prefix their tasks\' ids with theirs, nest, and name the innermost group of each task', () => {
    const d = dag('d');
    const extract = d.group('extract', { tooltip: 'from MongoDB' });
    const orders = extract.task('orders', noop);
    const mongo = extract.group('mongo');
    const users = mongo.task('users', noop);
    const alone = d.task('alone', noop);
    assert.deepEqual([orders.taskId, users.taskId, alone.taskId], ['extract.orders', 'extract.mongo.users', 'alone']);
    assert.deepEqual([orders.group, users.group, alone.group], ['extract', 'extract.mongo', null]);
    assert.equal(d.getTask('extract.mongo.users'), users);
    assert.deepEqual(extract.tasks, [orders, users], 'a group holds its subgroups\' tasks too');
    assert.deepEqual(d.groups.map((g) => [g.groupId, g.tooltip]), [['extract', 'from MongoDB'], ['extract.mongo', '']]);
  });

  it('give their tasks defaultArgs over the DAG\'s, a subgroup over its parent\'s, and a task\'s own options over all', () => {
    const d = dag('d', { defaultArgs: { retries: 1, pool: 'p' } });
    const g = d.group('g', { defaultArgs: { retries: 3 } });
    const sub = g.group('sub', { defaultArgs: { priorityWeight: 5 } });
    assert.deepEqual(pick(g.task('a', noop)), { retries: 3, pool: 'p', priorityWeight: 1 });
    assert.deepEqual(pick(sub.task('b', noop)), { retries: 3, pool: 'p', priorityWeight: 5 });
    assert.deepEqual(pick(sub.task('c', { retries: 0 }, noop)), { retries: 0, pool: 'p', priorityWeight: 5 });
    assert.deepEqual(pick(d.task('top', noop)), { retries: 1, pool: 'p', priorityWeight: 1 });
  });

  it('link by their edges: what comes before to each task with no upstream inside, each with no downstream inside to what comes after', () => {
    const d = dag('d');
    const start = d.task('start', noop);
    const g = d.group('g');
    const [x, y, z] = [g.task('x', noop), g.task('y', noop), g.task('z', noop)];
    x.then(z);
    y.then(z);
    const end = d.task('end', noop);
    start.then(g).then(end);
    assert.deepEqual(edges(d.tasks), ['g.x>g.z', 'g.y>g.z', 'g.z>end', 'start>g.x', 'start>g.y']);
  });

  it('work in after(), chain(), arrays and nesting, and an empty group is passed over', () => {
    const d = dag('d');
    const a = d.task('a', noop);
    const outer = d.group('outer');
    const inner = outer.group('inner');
    const [i1, i2] = [inner.task('i1', noop), inner.task('i2', noop)];
    const o1 = outer.task('o1', noop);
    i1.then(i2).then(o1);
    const empty = d.group('empty');
    const [b, c, early] = [d.task('b', noop), d.task('c', noop), d.task('early', noop)];
    chain(a, outer, empty, [b, d.group('last')]);
    outer.after(early);
    inner.then(c);
    assert.deepEqual(edges(d.tasks), [
      'a>outer.inner.i1',
      'early>outer.inner.i1',
      'outer.inner.i1>outer.inner.i2',
      'outer.inner.i2>c',
      'outer.inner.i2>outer.o1',
      'outer.o1>b',
    ]);
    assert.deepEqual(d.toSpec().tasks.map((t) => t.taskId).slice(0, 2), ['a', 'early']);
  });

  it('are refused with a message that says what to do', () => {
    const d = dag('d');
    const g = d.group('g');
    g.task('t', noop);
    d.task('solo', noop);
    rejects(() => g.task('a.b', noop), /the task id "a\.b" in group "g" has a dot.*e\.g\. "a_b"/);
    rejects(() => d.group('x.y'), /the group id "x\.y" has a dot/);
    rejects(() => d.group('g'), /group id "g" is already used by a group/);
    rejects(() => d.group('solo'), /group id "solo" is already used by a task/);
    rejects(() => d.task('g', noop), /task id "g" is already used by a group/);
    rejects(() => g.task('t', noop), /task id "g\.t" is used twice/);
    rejects(() => d.group('h', { tooltips: 'x' } as never), /unknown option "tooltips"; did you mean "tooltip"\?/);
    rejects(() => d.group('h', { defaultArgs: { retries: -1 } }), /option "defaultArgs\.retries" of group "h" must be an integer >= 0/);
    rejects(() => g.task('u', 'nope' as never), /task "g\.u" has no function; write g\.task\('u', async/);
    rejects(() => g.then(42 as never), /group "g": \.then\(\) expects a task, a task group or an array of them/);
  });

  it('are in the spec: each task\'s group and the groups\' tooltips; a DAG without groups has neither', () => {
    const d = dag('d');
    d.group('g', { tooltip: 'tip' }).task('t', noop);
    d.task('u', noop);
    const spec = d.toSpec();
    assert.deepEqual(spec.groups, [{ groupId: 'g', tooltip: 'tip' }]);
    assert.deepEqual(spec.tasks.map((t) => [t.taskId, t.group]), [['g.t', 'g'], ['u', undefined]]);
    assert.ok(!('group' in spec.tasks[1]!), 'no group key on a task outside any group');
    const plain = dag('p');
    plain.task('t', noop);
    assert.ok(!('groups' in plain.toSpec()), 'no groups key: a DAG without groups keeps its version');
  });
});

function pick(t: Task): { retries: number; pool: string; priorityWeight: number } {
  return { retries: t.options.retries, pool: t.options.pool, priorityWeight: t.options.priorityWeight };
}
