/**
 * The worker's completion group (GroupCommit over completeTries) when one member makes the
 * group's transaction fail: the group is committed again try by try, and a try that cannot be
 * stored even alone ends failed with the database's reason, its log kept.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../support/harness.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { completeTries, type CompletedTry, type CompletionResult } from '../../src/engine/complete-try.ts';
import { requireVersion } from '../../src/engine/run-lifecycle.ts';
import { readLog } from '../../src/store/logs.ts';
import { claimTries, type TryKey } from '../../src/store/task-instances.ts';
import { readXcom } from '../../src/store/xcom.ts';
import { GroupCommit } from '../../workers/group-commit.ts';

const IDS = ['a', 'b', 'c', 'd', 'e'];
const DAG = `
import { dag } from 'sluice';
const d = dag('fan', {});
for (const id of ${JSON.stringify(IDS)}) d.task(id, async () => id);
export default d;
`;

describe('a completion group whose transaction fails because of one member', () => {
  // No worker runs here: the test claims and completes the tries itself. The long heartbeat
  // timeout keeps the scheduler's sweep from failing the claimed tries while the test works.
  const h = new Harness({ dags: { 'fan.ts': DAG }, env: { SLUICE_TASK_HEARTBEAT_TIMEOUT: '10m' } });

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.waitForDag('fan');
  });
  after(() => h.tearDown());

  test('is committed again try by try: only the guilty tries fail, with the reason, and every log is stored', async () => {
    const run = await triggerDagRun(h.db, 'fan', {});
    await h.waitFor('all tasks queued', async () => Object.values(await h.taskStates('fan', run.runId)).every((s) => s === 'queued'));
    const keys: TryKey[] = IDS.map((taskId) => ({ dagId: 'fan', runId: run.runId, taskId, mapIndex: -1, tryNumber: 1 }));
    const claimed = await claimTries(h.db, keys, 'test-worker', 'test-host');
    assert.equal(claimed.size, IDS.length);
    const spec = await requireVersion(h.db, 'fan', [...claimed.values()][0]!.versionHash);

    const done = (key: TryKey, xcomJson: string, chunk: string): CompletedTry => ({
      key,
      maxTries: 1,
      task: spec.tasks.find((t) => t.taskId === key.taskId)!,
      result: { kind: 'success' },
      xcomJson,
      log: { ...key, chunk },
    });
    const line = (taskId: string) => JSON.stringify({ level: 30, msg: `hello from ${taskId}` }) + '\n';
    const completions = [
      done(keys[0]!, '"a"', line('a')),
      // Valid JSON that jsonb refuses (an escaped lone surrogate): the checks before storing are bypassed here on purpose.
      done(keys[1]!, '"\\ud800"', line('b')),
      done(keys[2]!, '"c"', line('c')),
      done(keys[3]!, '"d"', line('d')),
      // A log chunk with a raw NUL, which a text column refuses.
      done(keys[4]!, '"e"', line('e') + 'raw \u0000 byte\n'),
    ];

    const group = new GroupCommit<CompletedTry, CompletionResult>((batch) => completeTries(h.services, batch));
    // Submitted together: the first is written at once, the other four as one group.
    const results = await Promise.all(completions.map((c) => group.submit(c)));
    assert.deepEqual(results.map((r) => r.outcome?.state), ['success', 'failed', 'success', 'success', 'failed']);

    const tis = await h.taskInstances('fan', run.runId);
    assert.deepEqual(IDS.map((id) => tis[id]!.state), ['success', 'failed', 'success', 'success', 'failed']);
    assert.match(tis.b!.error ?? '', /^could not store the try's outcome: invalid input syntax for type json .*; the task itself had succeeded$/);
    assert.match(tis.e!.error ?? '', /^could not store the try's outcome: invalid byte sequence for encoding "UTF8": 0x00/);

    for (const id of ['a', 'c', 'd']) assert.deepEqual(await readXcom(h.db, 'fan', run.runId, id), { found: true, value: id });
    for (const id of ['b', 'e']) assert.equal((await readXcom(h.db, 'fan', run.runId, id)).found, false);

    for (const id of IDS) assert.match(await readLog(h.db, 'fan', run.runId, id, 1), new RegExp(`hello from ${id}`));
    assert.match(await readLog(h.db, 'fan', run.runId, 'e', 1), /raw \uFFFD byte/);
    assert.equal((await h.waitForRunEnd('fan', run.runId)).state, 'failed');
  });
});
