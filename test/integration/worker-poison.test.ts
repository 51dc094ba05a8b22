/**
 * A poisoned completion group: eleven tries end together on one worker, so their outcomes are
 * committed in one transaction, and two of them carry text PostgreSQL refuses (a NUL in the error,
 * a lone surrogate in the return value). Only those two may fail; nothing else is lost.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Harness } from '../support/harness.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { readLog } from '../../src/store/logs.ts';
import { listTries } from '../../src/store/task-instance-reads.ts';
import { readXcom } from '../../src/store/xcom.ts';

const TASKS = Array.from({ length: 12 }, (_, i) => `t${String(i + 1).padStart(2, '0')}`);
/** Ends first; the test holds its row locked, so its completion stays in flight while the others end. */
const OPENER = 't01';
const NUL_ERROR = 't03';
const SURROGATE_XCOM = 't08';

/**
 * The tasks wait for signal files the test writes: the opener for `go-opener`, the others for
 * `go`. Each of the others leaves `<id>.done` just before it ends.
 */
const dagSource = (signals: string) => `
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dag } from 'sluice';
const signals = ${JSON.stringify(signals)};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(file) {
  for (const deadline = Date.now() + 120_000; !existsSync(join(signals, file)); await sleep(20)) {
    if (Date.now() > deadline) throw new Error('no ' + file + ' signal from the test');
  }
}
const d = dag('poison', { maxActiveTasks: 16 });
for (const id of ${JSON.stringify(TASKS)}) {
  d.task(id, async (ctx) => {
    ctx.log.info('first line from ' + id);
    await until(id === '${OPENER}' ? 'go-opener' : 'go');
    ctx.log.info('second line from ' + id);
    if (id !== '${OPENER}') writeFileSync(join(signals, id + '.done'), '');
    if (id === '${NUL_ERROR}') throw new Error('bad\\u0000byte in ' + id);
    if (id === '${SURROGATE_XCOM}') return { text: 'an emoji cut in half: \\ud83d' };
    return { id };
  });
}
export default d;
`;

describe('a poisoned completion group', () => {
  // A long heartbeat timeout: the test holds a task row locked for a moment, which holds up the
  // worker's heartbeats too.
  const h = new Harness({ env: { SLUICE_TASK_HEARTBEAT_TIMEOUT: '30s' } });
  const signals = `${h.dagsFolder}-signals`;

  before(async () => {
    await h.setUp();
    await mkdir(signals, { recursive: true });
    await h.writeDag('poison.ts', dagSource(signals));
    await h.startScheduler();
    await h.waitForDag('poison');
    await h.startWorker({ concurrency: 12 });
  });
  after(async () => {
    await h.tearDown();
    await rm(signals, { recursive: true, force: true });
  });

  /**
   * Makes the eleven tries other than the opener end while the opener's completion is in flight,
   * blocked on a row lock the test holds: they all wait for the next group, and are committed
   * together once the test lets go. No timing is involved.
   */
  async function endElevenTogether(runId: string): Promise<void> {
    await h.waitFor('all twelve tries to run', async () => {
      const states = Object.values(await h.taskStates('poison', runId));
      return states.length === TASKS.length && states.every((s) => s === 'running');
    });
    const lock = await h.db.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM task_instances WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 FOR UPDATE', ['poison', runId, OPENER]);
      await writeFile(path.join(signals, 'go-opener'), '');
      await h.waitFor("the opener's completion to wait for the lock", async () => {
        const { rowCount } = await h.db.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%sluice_complete_tries%'`,
        );
        return rowCount === 1;
      });
      await writeFile(path.join(signals, 'go'), '');
      await h.waitFor('the other eleven tries to end', async () => (await readdir(signals)).filter((f) => f.endsWith('.done')).length === 11);
    } finally {
      await lock.query('ROLLBACK');
      lock.release();
    }
  }

  test('only the two tries with unstorable text fail, with their reasons; the other ten succeed; every log is kept', async () => {
    const run = await triggerDagRun(h.db, 'poison', {});
    await endElevenTogether(run.runId);
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

    // The point of the test is a shared group: the eleven tries' history rows were written by
    // one transaction (xmin), the opener's by another.
    const { rows } = await h.db.query<{ task_id: string; xmin: string }>(
      'SELECT task_id, xmin::text AS xmin FROM task_tries WHERE dag_id = $1 AND run_id = $2 ORDER BY task_id',
      ['poison', run.runId],
    );
    const groupOf = (id: string) => rows.filter((r) => r.xmin === rows.find((x) => x.task_id === id)?.xmin).map((r) => r.task_id);
    assert.deepEqual(groupOf(NUL_ERROR), TASKS.filter((id) => id !== OPENER), `the eleven should have been committed as one group: ${JSON.stringify(rows)}`);
  });
});
