import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { specHash } from '../../../src/core/spec.ts';
import { dag } from '../../../src/sdk/dag.ts';
import { DEFAULT_MAX_MAP_LENGTH } from '../../../src/sdk/mapping.ts';
import type { TaskOptions } from '../../../src/sdk/options.ts';
import { edges, rejects } from '../../support/dag-asserts.ts';

const noop = async () => {};

describe('mapped tasks in a DAG file', () => {
  it('expand over a task makes it an upstream, and the spec says how the task expands', () => {
    const d = dag('d');
    const files = d.task('files', async () => ['a', 'b']);
    const load = d.task('load', { expand: files, maxMapLength: 50 }, noop);
    const ping = d.task('ping', { expand: ['eu', 'us'] }, noop);
    assert.deepEqual(edges(d.tasks), ['files>load']);
    const spec = d.toSpec();
    const task = (id: string) => spec.tasks.find((t) => t.taskId === id)!;
    assert.deepEqual([task('load').expand, task('load').maxMapLength], [{ source: 'files' }, 50]);
    assert.deepEqual([task('ping').expand, task('ping').maxMapLength], [{ items: ['eu', 'us'] }, DEFAULT_MAX_MAP_LENGTH]);
    assert.deepEqual([load.mapping, ping.mapping?.expand], [{ expand: { source: 'files' }, maxMapLength: 50 }, { items: ['eu', 'us'] }]);
  });

  it('leaves a DAG without mapped tasks with the spec, and version, it had before', () => {
    const d = dag('plain');
    d.task('a', noop).then(d.task('b', noop));
    const spec = d.toSpec();
    assert.ok(spec.tasks.every((t) => !('expand' in t) && !('maxMapLength' in t)));
    assert.equal(specHash(spec), specHash(JSON.parse(JSON.stringify(spec))));
  });

  it('refuses what cannot be mapped over, naming the DAG, the task and the fix', () => {
    const d = dag('d');
    rejects(() => d.task('x', { expand: 'files' as unknown as [] }, noop), /^DAG "d": option "expand" of task "x" must be a task of this DAG .* or a literal array; got "files"/);
    rejects(() => d.task('y', { maxMapLength: 10 }, noop), 'DAG "d": option "maxMapLength" of task "y" applies only to a mapped task; add expand: <a task or an array>, or drop maxMapLength');
    rejects(() => d.task('z', { expand: [1, 2, 3], maxMapLength: 2 }, noop), /is an array of 3 items, more than its maxMapLength of 2/);
    rejects(() => d.task('w', { expand: [1], maxMapLength: 0 }, noop), /option "maxMapLength" of task "w" must be an integer >= 1; got 0/);
    rejects(() => d.task('v', { expand: [new Date()] }, noop), /option "expand" of task "v": .*JSON cannot hold/);
    const other = dag('other').task('elsewhere', noop);
    rejects(() => d.task('u', { expand: other }, noop), /dependencies must stay within one DAG/);
    rejects(() => dag('e', { defaultArgs: { expand: [1] } as TaskOptions }), /defaultArgs: unknown option "expand"/);
  });
});
