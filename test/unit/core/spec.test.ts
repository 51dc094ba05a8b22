import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, downstreamClosure, specHash, taskById, type DagSpec, type TaskSpec } from '../../../src/core/spec.ts';
import { taskSpec } from '../../support/specs.ts';

const task = (taskId: string, upstream: string[], downstream: string[]): TaskSpec => taskSpec(taskId, { upstream, downstream });

// a → b → d, a → c, e alone
const spec: DagSpec = {
  dagId: 'd',
  description: '',
  schedule: null,
  timezone: 'UTC',
  startDate: null,
  endDate: null,
  catchup: false,
  maxActiveRuns: 16,
  maxActiveTasks: 16,
  isPausedUponCreation: false,
  dagrunTimeoutMs: null,
  params: { b: 1, a: { y: 2, x: 1 } },
  tags: [],
  tasks: [task('a', [], ['b', 'c']), task('e', [], []), task('b', ['a'], ['d']), task('c', ['a'], []), task('d', ['b'], [])],
};

describe('spec helpers', () => {
  it('downstreamClosure: the tasks and everything below them, in the spec order', () => {
    assert.deepEqual(downstreamClosure(spec, ['b']), ['b', 'd']);
    assert.deepEqual(downstreamClosure(spec, ['a']), ['a', 'b', 'c', 'd']);
    assert.deepEqual(downstreamClosure(spec, ['c', 'e']), ['e', 'c']);
    assert.deepEqual(downstreamClosure(spec, []), []);
  });

  it('downstreamClosure names an unknown task', () => {
    assert.throws(() => downstreamClosure(spec, ['zz']), /^Error: DAG "d" has no task "zz"; its tasks are a, e, b, c, d$/);
  });

  it('taskById', () => {
    assert.equal(taskById(spec).get('c')?.upstream[0], 'a');
    assert.equal(taskById(spec).size, 5);
  });

  it('canonicalJson sorts keys at every level', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('specHash is stable across key order and task order, and changes with content', () => {
    const shuffled: DagSpec = { ...spec, params: { a: { x: 1, y: 2 }, b: 1 }, tasks: [...spec.tasks].reverse() };
    assert.equal(specHash(shuffled), specHash(spec));
    assert.match(specHash(spec), /^[0-9a-f]{64}$/);
    assert.notEqual(specHash({ ...spec, catchup: true }), specHash(spec));
    assert.notEqual(specHash({ ...spec, tasks: spec.tasks.map((t) => (t.taskId === 'c' ? { ...t, retries: 1 } : t)) }), specHash(spec));
  });
});
