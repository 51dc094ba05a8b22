import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { specHash } from '../../../src/core/spec.ts';
import { chain, dag, isDag, type Task } from '../../../src/sdk/dag.ts';
import { edges, rejects } from '../../support/dag-asserts.ts';

const noop = async () => {};

describe('dag() and d.task()', () => {
  it('makes tasks with their function, found again by getTask', () => {
    const d = dag('d');
    const fn = async () => 42;
    const t = d.task('extract', fn);
    assert.equal(t.taskId, 'extract');
    assert.equal(t.dagId, 'd');
    assert.equal(t.dag, d);
    assert.equal(d.getTask('extract'), t);
    assert.equal(d.getTask('extract')?.fn, fn);
    assert.equal(d.getTask('nope'), undefined);
  });

  it('accepts ids with letters, digits, _ - .', () => {
    assert.equal(dag('a.B-c_9').task('x.Y-z_0', noop).taskId, 'x.Y-z_0');
  });

  it('rejects a bad task id', () => {
    rejects(() => dag('d').task('load data', noop), `DAG "d": the task id "load data" may only contain letters, digits, '_', '-' and '.'; rename it, e.g. "load_data"`);
    rejects(() => dag('d').task('ü', noop), /the task id "ü" may only contain/);
    rejects(() => dag('d').task('', noop), /^DAG "d": the task id is empty/);
    rejects(() => dag('d').task('..', noop), `DAG "d": the task id ".." cannot be used: URLs would read it as a folder; use letters or digits too, e.g. ".._"`);
    rejects(() => dag('.'), /the DAG id "\." cannot be used/);
    assert.equal(dag('d').task('...', noop).taskId, '...');
  });

  it('rejects a duplicate task id when it is declared', () => {
    const d = dag('d');
    d.task('load', noop);
    rejects(() => d.task('load', noop), 'DAG "d": task id "load" is used twice; every task of a DAG needs its own id');
  });

  it('rejects a task without a function', () => {
    rejects(() => (dag('d').task as (id: string, o: unknown) => Task)('load', { retries: 1 }), /^DAG "d": task "load" has no function; write d\.task\('load', async \(ctx\) => \{ \.\.\. \}\)/);
    rejects(() => (dag('d').task as (id: string) => Task)('load'), /task "load" has no function/);
  });

  it('isDag recognizes DAGs, also from another copy of the module (by the registered symbol)', () => {
    assert.ok(isDag(dag('d')));
    assert.ok(!isDag({ dagId: 'd' }));
    assert.ok(!isDag(null));
    assert.ok(!isDag('d'));
    assert.ok(isDag({ [Symbol.for('sluice.dag')]: true }));
  });
});

describe('dependencies', () => {
  it('a.then(b) returns b; a.then([b, c]) returns the array', () => {
    const d = dag('d');
    const [a, b, c, e] = ['a', 'b', 'c', 'e'].map((id) => d.task(id, noop)) as [Task, Task, Task, Task];
    assert.equal(a.then(b), b);
    const group = [c, e];
    assert.equal(b.then(group), group);
    assert.deepEqual(edges(d.tasks), ['a>b', 'b>c', 'b>e']);
    assert.deepEqual(c.upstreamIds, ['b']);
  });

  it('b.after(a) returns b', () => {
    const d = dag('d');
    const [a, b, c] = ['a', 'b', 'c'].map((id) => d.task(id, noop)) as [Task, Task, Task];
    assert.equal(c.after([a, b]), c);
    assert.equal(b.after(a), b);
    assert.deepEqual(edges(d.tasks), ['a>b', 'a>c', 'b>c']);
  });

  it('a.then(b).then(c) reads left to right', () => {
    const d = dag('d');
    const [a, b, c] = ['a', 'b', 'c'].map((id) => d.task(id, noop)) as [Task, Task, Task];
    a.then(b).then(c);
    assert.deepEqual(edges(d.tasks), ['a>b', 'b>c']);
  });

  it('chain(a, [b, c], d): each task of a group after every task of the group before', () => {
    const d = dag('d');
    const [a, b, c, e, f] = ['a', 'b', 'c', 'e', 'f'].map((id) => d.task(id, noop)) as [Task, Task, Task, Task, Task];
    chain(a, [b, c], [e, f]);
    assert.deepEqual(edges(d.tasks), ['a>b', 'a>c', 'b>e', 'b>f', 'c>e', 'c>f']);
  });

  it('chain passes over empty groups, and a repeated edge is one edge', () => {
    const d = dag('d');
    const [a, b] = ['a', 'b'].map((id) => d.task(id, noop)) as [Task, Task];
    chain(a, [], b);
    a.then(b);
    b.after(a);
    assert.deepEqual(edges(d.tasks), ['a>b']);
  });

  it('rejects a dependency between tasks of different DAGs', () => {
    const x = dag('x');
    const y = dag('y');
    const a = x.task('a', noop);
    const b = y.task('b', noop);
    const message =
      'DAG "x": task "a" of DAG "x" cannot be linked to task "b" of DAG "y": dependencies must stay within one DAG; define both tasks on the same dag(), or split the work into separate DAGs without an edge between them';
    rejects(() => a.then(b), message);
    rejects(() => b.after(a), message);
    rejects(() => chain(a, [b]), message);
    rejects(() => chain(b, a), /^DAG "y": task "b" of DAG "y" cannot be linked to task "a" of DAG "x"/);
  });

  it('rejects something that is not a task', () => {
    const a = dag('d').task('a', noop);
    rejects(() => a.then(undefined as unknown as Task), 'DAG "d": task "a": .then() expects a task, a task group or an array of them (made with d.task(...) and d.group(...)); got undefined');
    rejects(() => a.after(['b'] as unknown as Task[]), /task "a": \.after\(\) expects a task, a task group or an array of them .*; got "b"/);
    rejects(() => chain(a, noop as unknown as Task), /^DAG "d": chain\(\): argument 2 expects a task, a task group or an array of them .*; got a function/);
  });

  it('validate() names the cycle as a path', () => {
    const d = dag('d');
    const [start, a, b, c] = ['start', 'a', 'b', 'c'].map((id) => d.task(id, noop)) as [Task, Task, Task, Task];
    chain(start, a, b, c);
    c.then(a);
    rejects(() => d.validate(), 'DAG "d": its tasks form a cycle: a → b → c → a; remove one of these dependencies');
    rejects(() => d.toSpec(), /its tasks form a cycle: a → b → c → a/);
  });

  it('a task depending on itself is a cycle', () => {
    const d = dag('d');
    const a = d.task('a', noop);
    a.then(a);
    rejects(() => d.validate(), /cycle: a → a;/);
  });
});

describe('toSpec', () => {
  function diamond(order: readonly string[]) {
    const d = dag('diamond', { schedule: '@daily', startDate: '2026-01-01', params: { z: 1, a: 2 } });
    const t = Object.fromEntries(order.map((id) => [id, d.task(id, { retries: id.length }, noop)])) as Record<string, Task>;
    chain(t.extract as Task, [t.clean as Task, t.audit as Task], t.load as Task);
    d.task('solo', noop);
    return d;
  }

  it('lists tasks in a topological order, ties in declaration order, with sorted upstream and downstream', () => {
    const spec = diamond(['load', 'clean', 'audit', 'extract']).toSpec();
    assert.deepEqual(
      spec.tasks.map((t) => t.taskId),
      ['extract', 'clean', 'audit', 'load', 'solo'],
    );
    const byId = Object.fromEntries(spec.tasks.map((t) => [t.taskId, t]));
    assert.deepEqual(byId.extract?.downstream, ['audit', 'clean']);
    assert.deepEqual(byId.load?.upstream, ['audit', 'clean']);
    assert.deepEqual(byId.solo?.upstream, []);
  });

  it('is plain JSON', () => {
    const spec = diamond(['extract', 'clean', 'audit', 'load']).toSpec();
    assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec);
  });

  it('hashes the same for the same DAG, whatever the declaration order', () => {
    const a = specHash(diamond(['extract', 'clean', 'audit', 'load']).toSpec());
    const b = specHash(diamond(['load', 'audit', 'clean', 'extract']).toSpec());
    assert.equal(a, b);
  });

  it('hashes differently when something changes', () => {
    const base = diamond(['extract', 'clean', 'audit', 'load']);
    const changed = diamond(['extract', 'clean', 'audit', 'load']);
    (changed.getTask('solo') as Task).after(changed.getTask('load') as Task);
    assert.notEqual(specHash(base.toSpec()), specHash(changed.toSpec()));
  });
});
