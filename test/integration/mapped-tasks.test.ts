/**
 * Mapped tasks end to end, with a real scheduler, worker and webserver: a task expands over its
 * source's array (0, 1 and 1,000 items, a literal array), fails over a value that is not an array
 * or is too long, retries one instance alone, expands again from its source's new result when
 * cleared, and its downstream tasks see every instance, in their trigger rules and in XCom. The
 * API and the CLI address one instance by its map index.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Webserver } from '../../src/api/server.ts';
import type { TaskInstance, TaskInstanceList } from '../../src/api/schemas/index.ts';
import { clearTaskInstances, triggerDagRun } from '../../src/engine/actions.ts';
import { Harness } from '../support/harness.ts';
import { sluice } from '../support/cli.ts';

/** source returns `count` numbers, read from a file the test rewrites between runs. */
const mappedDag = (countFile: string) => `
import { readFileSync } from 'node:fs';
import { dag, FailTask } from 'sluice';
const d = dag('mapped', { params: { count: 3 } });
const source = d.task('source', async (ctx) => {
  const count = Number(readFileSync(${JSON.stringify(countFile)}, 'utf8'));
  return Array.from({ length: count }, (_, i) => i * 10);
});
const double = d.task('double', { expand: source, maxMapLength: 2000 }, async (ctx) => {
  ctx.log.info({ item: ctx.mapItem }, 'doubling');
  return { index: ctx.mapIndex, doubled: (ctx.mapItem as number) * 2 };
});
const total = d.task('total', async (ctx) => {
  const results = (await ctx.xcom<{ doubled: number }[]>('double')) ?? [];
  return { n: results.length, sum: results.reduce((s, r) => s + r.doubled, 0) };
});
double.then(total);
export default d;
`;

const RULES = `
import { dag, FailTask } from 'sluice';
const d = dag('mapped_rules');
const parts = d.task('parts', { expand: ['a', 'b', 'c'] }, async (ctx) => {
  if (ctx.mapItem === 'b') throw new FailTask('b is broken');
  return String(ctx.mapItem).toUpperCase();
});
const flaky = d.task('flaky', { expand: ['x', 'y'], retries: 1, retryDelay: 0 }, async (ctx) => {
  if (ctx.mapItem === 'y' && ctx.tryNumber === 1) throw new Error('first try of y fails');
  return ctx.tryNumber;
});
d.task('all_success', async () => 'ran').after(parts);
d.task('one_failed', { triggerRule: 'one_failed' }, async () => 'ran').after(parts);
d.task('one_success', { triggerRule: 'one_success' }, async () => 'ran').after(parts);
d.task('all_done', { triggerRule: 'all_done' }, async (ctx) => ctx.xcom('parts')).after(parts);
d.task('after_flaky', async (ctx) => ctx.xcom('flaky')).after(flaky);
export default d;
`;

const BAD = `
import { dag } from 'sluice';
const d = dag('mapped_bad');
const notArray = d.task('not_array', async () => ({ a: 1 }));
const tooMany = d.task('too_many', async () => [1, 2, 3, 4]);
const nothing = d.task('nothing', async () => undefined);
const empty = d.task('empty', async () => []);
d.task('over_object', { expand: notArray }, async () => 1);
d.task('over_limit', { expand: tooMany, maxMapLength: 3 }, async () => 1);
d.task('over_nothing', { expand: nothing }, async () => 1);
const skipped = d.task('over_empty', { expand: empty }, async () => 1);
d.task('after_empty', async () => 1).after(skipped);
export default d;
`;

describe('mapped tasks', () => {
  let h: Harness;
  let countFile: string;
  let web: Webserver;
  let base: string;

  before(async () => {
    h = new Harness();
    await h.setUp();
    countFile = path.join(h.dagsFolder, 'count.txt');
    await writeFile(countFile, '3');
    await h.writeDag('mapped.ts', mappedDag(countFile));
    await h.writeDag('mapped_rules.ts', RULES);
    await h.writeDag('mapped_bad.ts', BAD);
    await h.startScheduler();
    await h.startWorker();
    await Promise.all(['mapped', 'mapped_rules', 'mapped_bad'].map((id) => h.waitForDag(id)));
    web = await h.startWebserver();
    base = `${web.url}/api/v1`;
  });
  after(() => h.tearDown());

  const instances = async (dagId: string, runId: string, taskId: string): Promise<TaskInstance[]> => {
    const list = (await (await fetch(`${base}/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}/taskInstances`)).json()) as TaskInstanceList;
    return list.taskInstances.filter((ti) => ti.taskId === taskId);
  };
  const runTo = async (dagId: string, state: 'success' | 'failed') => {
    const run = await triggerDagRun(h.db, dagId, {});
    assert.equal((await h.waitForRunEnd(dagId, run.runId, 60_000)).state, state);
    return run.runId;
  };

  test('one instance per element, each with its item, log and XCom; downstream reads them all in order', async () => {
    const runId = await runTo('mapped', 'success');
    const tis = await instances('mapped', runId, 'double');
    assert.deepEqual(tis.map((ti) => [ti.mapIndex, ti.state, ti.tryNumber]), [[0, 'success', 1], [1, 'success', 1], [2, 'success', 1]]);
    const runPath = `${base}/dags/mapped/dagRuns/${encodeURIComponent(runId)}`;
    const one = (await (await fetch(`${runPath}/taskInstances/double/2/xcom`)).json()) as { value: unknown };
    assert.deepEqual(one.value, { index: 2, doubled: 40 });
    const total = (await (await fetch(`${runPath}/taskInstances/total/xcom`)).json()) as { value: unknown };
    assert.deepEqual(total.value, { n: 3, sum: 60 });
    const log = await (await fetch(`${runPath}/taskInstances/double/1/logs/1`)).text();
    assert.match(log, /doubling/);
    assert.match(log, /"?item"?[=:] ?10/);
    const ti = (await (await fetch(`${runPath}/taskInstances/double/1`)).json()) as TaskInstance;
    assert.equal(ti.mapIndex, 1);
    // Without a map index a mapped task's instance is not named: the answer says how to name one.
    const unnamed = await fetch(`${runPath}/taskInstances/double`);
    assert.equal(unnamed.status, 404);
    assert.match(((await unnamed.json()) as { error: { message: string } }).error.message, /mapped into 3 instances/);
    assert.equal((await fetch(`${runPath}/taskInstances/double/7`)).status, 404);
    assert.equal((await fetch(`${runPath}/taskInstances/total/-1`)).status, 200, 'an unmapped task is map index -1');
    // The CLI reads one instance's log with --map-index, and says how to name one without it.
    const env = h.childEnv();
    const cli = await sluice(['tasks', 'logs', 'mapped', runId, 'double', '--map-index', '2'], env);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /doubling/);
    const noIndex = await sluice(['tasks', 'logs', 'mapped', runId, 'double'], env);
    assert.notEqual(noIndex.code, 0);
    assert.match(noIndex.stderr, /--map-index 0 to 2/);
  });

  test('over 1 and over 1,000 items', async () => {
    await writeFile(countFile, '1');
    let runId = await runTo('mapped', 'success');
    assert.deepEqual((await instances('mapped', runId, 'double')).map((ti) => ti.mapIndex), [0]);
    await writeFile(countFile, '1000');
    runId = await runTo('mapped', 'success');
    const tis = await instances('mapped', runId, 'double');
    assert.equal(tis.length, 1000);
    assert.ok(tis.every((ti, i) => ti.mapIndex === i && ti.state === 'success'));
    const total = (await (await fetch(`${base}/dags/mapped/dagRuns/${encodeURIComponent(runId)}/taskInstances/total/xcom`)).json()) as {
      value: { n: number; sum: number };
    };
    assert.deepEqual(total.value, { n: 1000, sum: 2 * 10 * ((999 * 1000) / 2) });
  });

  test('clearing a mapped task clears every instance and expands again from the source\'s new result', async () => {
    await writeFile(countFile, '4');
    const runId = await runTo('mapped', 'success');
    assert.equal((await instances('mapped', runId, 'double')).length, 4);
    await writeFile(countFile, '2');
    await clearTaskInstances(h.services, 'mapped', runId, { taskIds: ['source'], includeDownstream: true });
    assert.equal((await h.waitForRunEnd('mapped', runId, 60_000)).state, 'success');
    const tis = await instances('mapped', runId, 'double');
    assert.deepEqual(tis.map((ti) => [ti.mapIndex, ti.state]), [[0, 'success'], [1, 'success']]);
    // No instance's new try reuses an old try's number (its log and history are keyed by it).
    assert.ok(tis.every((ti) => ti.tryNumber === 2), JSON.stringify(tis.map((ti) => ti.tryNumber)));
    const total = (await (await fetch(`${base}/dags/mapped/dagRuns/${encodeURIComponent(runId)}/taskInstances/total/xcom`)).json()) as {
      value: { n: number };
    };
    assert.equal(total.value.n, 2);
  });

  test('trigger rules count every instance; one instance retries alone; a failed instance reads as null', async () => {
    const runId = await runTo('mapped_rules', 'failed');
    const states = Object.fromEntries(
      (await Promise.all(['all_success', 'one_failed', 'one_success', 'all_done', 'after_flaky'].map(async (id) => [id, (await instances('mapped_rules', runId, id))[0]!.state]))),
    );
    assert.deepEqual(states, { all_success: 'upstream_failed', one_failed: 'success', one_success: 'success', all_done: 'success', after_flaky: 'success' });
    const parts = await instances('mapped_rules', runId, 'parts');
    assert.deepEqual(parts.map((ti) => [ti.mapIndex, ti.state]), [[0, 'success'], [1, 'failed'], [2, 'success']]);
    assert.match(parts[1]!.error ?? '', /b is broken/);
    const flaky = await instances('mapped_rules', runId, 'flaky');
    assert.deepEqual(flaky.map((ti) => [ti.mapIndex, ti.state, ti.tryNumber]), [[0, 'success', 1], [1, 'success', 2]]);
    const runPath = `${base}/dags/mapped_rules/dagRuns/${encodeURIComponent(runId)}/taskInstances`;
    assert.deepEqual(((await (await fetch(`${runPath}/all_done/xcom`)).json()) as { value: unknown }).value, ['A', null, 'C']);
    assert.deepEqual(((await (await fetch(`${runPath}/after_flaky/xcom`)).json()) as { value: unknown }).value, [1, 2]);
  });

  test('not an array, too long, or nothing fails the task saying why; an empty array skips it and what needs it', async () => {
    const runId = await runTo('mapped_bad', 'failed');
    const one = async (taskId: string) => (await instances('mapped_bad', runId, taskId))[0]!;
    const object = await one('over_object');
    assert.deepEqual([object.mapIndex, object.state], [-1, 'failed']);
    assert.match(object.error ?? '', /task "not_array" returned an object, not an array/);
    assert.match((await one('over_limit')).error ?? '', /cannot expand over 4 items: more than its maxMapLength of 3/);
    assert.match((await one('over_nothing')).error ?? '', /task "nothing" returned nothing/);
    assert.equal((await one('over_empty')).state, 'skipped');
    assert.equal((await one('after_empty')).state, 'skipped');
  });
});
