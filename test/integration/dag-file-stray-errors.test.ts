/**
 * A DAG file that lets an error escape while it is imported (a top-level promise it never
 * awaits, a throw in a timer it set) must not take the scheduler down, and with it every other
 * DAG: a real `sluice scheduler` process keeps running and keeps scheduling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { Harness } from '../support/harness.ts';
import { isAlive, startSluice } from '../support/sluice-process.ts';

const STRAY_FILE = `
import { dag } from 'sluice';
void Promise.reject(new Error('stray-rejection-at-import'));
setTimeout(() => { throw new Error('stray-throw-in-timer'); }, 20);
const d = dag('strays_at_import', {});
d.task('fine', async () => 'ok');
export default d;
`;

const GOOD_FILE = `
import { dag } from 'sluice';
const d = dag('good_neighbour', {});
d.task('one', async () => 1);
export default d;
`;

test('a DAG file with stray errors at import: the scheduler logs them against the file and keeps scheduling', async () => {
  const h = new Harness({ dags: { 'strays.ts': STRAY_FILE, 'good.ts': GOOD_FILE } });
  await h.setUp();
  const scheduler = startSluice(['scheduler'], { ...h.childEnv(), SLUICE_LOG_LEVEL: 'info' });
  try {
    await h.waitForDag('strays_at_import');
    await h.waitForDag('good_neighbour');
    await h.waitFor('both stray errors logged', async () =>
      /stray-rejection-at-import/.test(scheduler.stderr()) && /stray-throw-in-timer/.test(scheduler.stderr()) ? true : undefined,
    );
    // The file is named, so its author can be told what to fix.
    assert.match(scheduler.stderr(), /the DAG file \S*strays\.ts let an error escape \(unhandledRejection\)/);
    assert.match(scheduler.stderr(), /the DAG file \S*strays\.ts let an error escape \(uncaughtException\)/);
    assert.ok(await isAlive(scheduler.pid), `the scheduler exited:\n${scheduler.stderr()}`);

    // Still scheduling: a manual run is started (queued → running needs the scheduler's loop).
    const run = await triggerDagRun(h.db, 'good_neighbour', {});
    await h.waitFor('the run to be started by the scheduler', async () => {
      const states = await h.taskStates('good_neighbour', run.runId);
      return states.one && states.one !== 'none' ? true : undefined;
    });
    assert.ok(await isAlive(scheduler.pid));
  } finally {
    scheduler.killGroup();
    await h.tearDown();
  }
});
