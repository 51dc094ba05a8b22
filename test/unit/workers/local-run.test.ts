/**
 * `sluice dags test` with mapped tasks: runDagLocally expands a mapped task as the metadata store
 * does (one instance per element, with ctx.mapIndex and ctx.mapItem), counts every instance in
 * the trigger rules downstream, gives downstream the array of results, and fails or skips the
 * task over what cannot be expanded, with the store's messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dag, FailTask } from '../../../src/index.ts';
import { runDagLocally, type LocalTaskResult } from '../../../workers/local-run.ts';
import { envSecrets } from '../../support/env-secrets.ts';

const options = () => {
  const logs: string[] = [];
  return {
    logs,
    run: {
      runId: 'manual__test',
      logicalDate: new Date('2026-01-01T00:00:00Z'),
      dataIntervalStart: new Date('2026-01-01T00:00:00Z'),
      dataIntervalEnd: new Date('2026-01-01T00:00:00Z'),
      conf: {},
      secrets: envSecrets(),
      onLog: (taskId: string, tryNumber: number) => logs.push(`${taskId}#${tryNumber}`),
      sleep: async () => undefined,
    },
  };
};
const summary = (tasks: LocalTaskResult[]) => tasks.map((t) => [t.taskId, t.mapIndex ?? -1, t.state]);

test('a mapped task runs once per element, and downstream reads the array of results', async () => {
  const d = dag('local_mapped');
  const source = d.task('source', async () => [1, 2, 3]);
  const squared = d.task('squared', { expand: source }, async (ctx) => {
    ctx.log.info('squaring');
    return (ctx.mapItem as number) ** 2 + ctx.mapIndex * 100;
  });
  squared.then(d.task('sum', async (ctx) => ((await ctx.xcom<number[]>('squared')) ?? []).reduce((a, b) => a + b, 0)));
  const { run, logs } = options();
  const result = await runDagLocally(d, d.toSpec(), run);
  assert.equal(result.state, 'success');
  assert.deepEqual(summary(result.tasks), [
    ['source', -1, 'success'],
    ['squared', 0, 'success'],
    ['squared', 1, 'success'],
    ['squared', 2, 'success'],
    ['sum', -1, 'success'],
  ]);
  assert.equal(result.tasks.at(-1)!.xcom, 1 + 104 + 209);
  assert.ok(logs.includes('squared[2]#1'), logs.join(','));
});

test('trigger rules count every instance; a literal array; empty skips; not an array fails', async () => {
  const d = dag('local_mapped_rules');
  const parts = d.task('parts', { expand: ['a', 'b'] }, async (ctx) => {
    if (ctx.mapItem === 'b') throw new FailTask('b is broken');
    return ctx.mapItem;
  });
  d.task('one_failed', { triggerRule: 'one_failed' }, async (ctx) => ctx.xcom('parts')).after(parts);
  d.task('all_success', async () => 'ran').after(parts);
  const empty = d.task('empty', async () => []);
  d.task('over_empty', { expand: empty }, async () => 1);
  const object = d.task('object', async () => ({ a: 1 }));
  d.task('over_object', { expand: object }, async () => 1);
  const result = await runDagLocally(d, d.toSpec(), options().run);
  const byTask = (id: string) => result.tasks.filter((t) => t.taskId === id);
  assert.deepEqual(byTask('parts').map((t) => t.state), ['success', 'failed']);
  assert.deepEqual(byTask('one_failed').map((t) => [t.state, t.xcom]), [['success', ['a', null]]]);
  assert.equal(byTask('all_success')[0]!.state, 'upstream_failed');
  assert.equal(byTask('over_empty')[0]!.state, 'skipped');
  assert.equal(byTask('over_object')[0]!.state, 'failed');
  assert.match(byTask('over_object')[0]!.error ?? '', /task "object" returned an object, not an array/);
  assert.equal(result.state, 'failed');
});
