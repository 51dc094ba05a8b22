/**
 * A poisoned completion group: twelve tries end at the same instant on one worker, so their
 * outcomes are committed together, and two of them carry text PostgreSQL refuses (a NUL in the
 * error, a lone surrogate in the return value). Only those two may fail; nothing else is lost.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../helpers/harness.ts';
import { triggerDagRun } from '../../src/scheduler/actions.ts';
import { readLog } from '../../src/store/logs.ts';
import { listTries } from '../../src/store/task-instances.ts';
import { readXcom } from '../../src/store/xcom.ts';

const TASKS = Array.from({ length: 12 }, (_, i) => `t${String(i + 1).padStart(2, '0')}`);
const NUL_ERROR = 't03';
const SURROGATE_XCOM = 't08';

// The barrier lives in the worker's memory (tries run inline, in one process), so all twelve
// tries return in the same tick. The innocents are released first: the very first completion is
// committed alone (nothing was in flight), and the guilty two must share the next group.
const DAG = `
import { dag } from 'sluice';
const d = dag('poison', { maxActiveTasks: 16 });
const ids = ${JSON.stringify(TASKS)};
const guilty = new Set(['${NUL_ERROR}', '${SURROGATE_XCOM}']);
const waiting = [];
let fallback;
function releaseAll() {
  clearTimeout(fallback);
  const order = [...waiting.filter((w) => !guilty.has(w.id)), ...waiting.filter((w) => guilty.has(w.id))];
  waiting.length = 0;
  for (const w of order) w.release();
}
function barrier(id) {
  return new Promise((release) => {
    waiting.push({ id, release });
    if (waiting.length === ids.length) releaseAll();
    // Never hang the test: if not all twelve run at once, the assertions on the group say so.
    else fallback ??= setTimeout(releaseAll, 60_000);
  });
}
for (const id of ids) {
  d.task(id, async (ctx) => {
    ctx.log.info('first line from ' + id);
    await barrier(id);
    ctx.log.info('second line from ' + id);
    if (id === '${NUL_ERROR}') throw new Error('bad\\u0000byte in ' + id);
    if (id === '${SURROGATE_XCOM}') return { text: 'an emoji cut in half: \\ud83d' };
    return { id };
  });
}
export default d;
`;

describe('a poisoned completion group', () => {
  const h = new Harness({ dags: { 'poison.ts': DAG } });

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.waitForDag('poison');
    await h.startWorker({ concurrency: 12 });
  });
  after(() => h.tearDown());

  test('only the two tries with unstorable text fail, with their reasons; the other ten succeed; every log is kept', async () => {
    const run = await triggerDagRun(h.db, 'poison', {});
    const ended = await h.waitForRunEnd('poison', run.runId, 90_000);
    assert.equal(ended.state, 'failed');

    const tis = await h.taskInstances('poison', run.runId);
    const states = Object.fromEntries(TASKS.map((id) => [id, tis[id]!.state]));
    const expected = Object.fromEntries(TASKS.map((id) => [id, id === NUL_ERROR || id === SURROGATE_XCOM ? 'failed' : 'success']));
    assert.deepEqual(states, expected, JSON.stringify(Object.values(tis).map((t) => [t.taskId, t.state, t.error])));

    // The NUL is stored as U+FFFD; the rest of the message is the task's own.
    assert.equal(tis[NUL_ERROR]!.error, `bad\uFFFDbyte in ${NUL_ERROR}`);
    assert.match(tis[SURROGATE_XCOM]!.error ?? '', /return value could not be stored as XCom: .*lone UTF-16 surrogate/);
    for (const id of [NUL_ERROR, SURROGATE_XCOM]) {
      assert.deepEqual((await listTries(h.db, 'poison', run.runId, id)).map((t) => t.tryNumber), [1], `${id} ran once`);
    }

    for (const id of TASKS) {
      const log = await readLog(h.db, 'poison', run.runId, id, 1);
      assert.match(log, new RegExp(`first line from ${id}`), `${id}'s log: ${JSON.stringify(log)}`);
      assert.match(log, new RegExp(`second line from ${id}`), `${id}'s log: ${JSON.stringify(log)}`);
      if (id !== NUL_ERROR && id !== SURROGATE_XCOM) assert.deepEqual((await readXcom(h.db, 'poison', run.runId, id)).value, { id });
    }
    assert.equal((await readXcom(h.db, 'poison', run.runId, SURROGATE_XCOM)).found, false);

    // The point of the test is a shared group: the guilty tries' history rows were written by the
    // same transaction (xmin) as innocent ones.
    const { rows } = await h.db.query<{ task_id: string; xmin: string }>(
      'SELECT task_id, xmin::text AS xmin FROM task_tries WHERE dag_id = $1 AND run_id = $2',
      ['poison', run.runId],
    );
    const xmin = new Map(rows.map((r) => [r.task_id, r.xmin]));
    const groupOfGuilty = rows.filter((r) => r.xmin === xmin.get(NUL_ERROR)).map((r) => r.task_id);
    assert.ok(groupOfGuilty.includes(SURROGATE_XCOM) && groupOfGuilty.length >= 3,
      `the guilty tries should have been committed in one group with innocent ones: ${JSON.stringify(rows)}`);
  });
});
