/**
 * DAG versions with their code (contract section 6, "Versions" and "Workers need no DAGs
 * folder"): the worker here has no DAGs folder at all, so every task it runs ran from the code
 * stored with the run's version. A run keeps its version when the file (or only a helper it
 * imports) changes mid-run, and when the file stops importing; new runs take the newest version
 * that imported cleanly. The API lists the versions and serves their source.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Webserver } from '../../src/api/server.ts';
import { clearTaskInstances, triggerDagRun } from '../../src/engine/actions.ts';
import { getDag, listImportErrors } from '../../src/store/dags.ts';
import { getRun } from '../../src/store/runs.ts';
import { readXcom } from '../../src/store/xcom.ts';
import { Harness } from '../support/harness.ts';

/** `second` waits for the gate file of its run, so the test can change the code while the run is going. */
const DAG = (marker: string) => `
import { existsSync } from 'node:fs';
import { dag } from 'sluice';
import { LABEL } from './lib/label.ts';
// ${marker}
const d = dag('versioned', { schedule: null });
const first = d.task('first', async () => LABEL);
const second = d.task('second', async (ctx) => {
  const gate = ctx.params.gate as string;
  while (!existsSync(gate)) await new Promise((r) => setTimeout(r, 25));
  return LABEL;
});
first.then(second);
export default d;
`;
const LABEL = (label: string) => `export const LABEL: string = '${label}';\n`;

describe('DAG versions: a run runs the code it was created with, on a worker with no DAGs folder', { timeout: 120_000 }, () => {
  const h = new Harness({ dags: { 'versioned.ts': DAG('one') } });
  let web: Webserver;
  let base: string;
  const gates = path.join(h.dagsFolder, '..', `${h.id}-gates`);

  before(async () => {
    await h.setUp();
    await mkdir(path.join(h.dagsFolder, 'lib'), { recursive: true });
    await writeFile(path.join(h.dagsFolder, 'lib', 'label.ts'), LABEL('v1'));
    await mkdir(gates, { recursive: true });
    await h.startScheduler();
    await h.startWorker({}, { dagsFolder: path.join(gates, 'no-such-dags-folder') });
    await h.waitForDag('versioned');
    web = await h.startWebserver();
    base = `${web.url}/api/v1`;
  });
  after(async () => {
    await h.tearDown();
    await rm(gates, { recursive: true, force: true });
  });

  const gate = (name: string) => path.join(gates, name);
  const trigger = async (name: string) => (await triggerDagRun(h.db, 'versioned', { conf: { gate: gate(name) } })).runId;
  const xcom = async (runId: string, taskId: string) => (await readXcom(h.db, 'versioned', runId, taskId)).value;
  const currentVersion = async () => (await getDag(h.db, 'versioned'))!.versionHash;
  const waitForNewVersion = (old: string) =>
    h.waitFor('a new version of versioned', async () => {
      const v = await currentVersion();
      return v !== old ? v : undefined;
    }, 10_000);
  const waitForTask = (runId: string, taskId: string, state: string) =>
    h.waitFor(`${taskId} of ${runId} to be ${state}`, async () => (await h.taskStates('versioned', runId))[taskId] === state, 20_000);

  test('a change to a helper module alone makes a new version; the running run keeps its own', async () => {
    const v1 = await currentVersion();
    const runId = await trigger('a');
    await waitForTask(runId, 'second', 'running');
    await writeFile(path.join(h.dagsFolder, 'lib', 'label.ts'), LABEL('v2'));
    const v2 = await waitForNewVersion(v1);
    await writeFile(gate('a'), '');
    assert.equal((await h.waitForRunEnd('versioned', runId)).state, 'success');
    assert.equal((await getRun(h.db, 'versioned', runId))!.versionHash, v1);
    assert.deepEqual([await xcom(runId, 'first'), await xcom(runId, 'second')], ['v1', 'v1']);

    const next = await trigger('b');
    await writeFile(gate('b'), '');
    assert.equal((await h.waitForRunEnd('versioned', next)).state, 'success');
    assert.equal((await getRun(h.db, 'versioned', next))!.versionHash, v2);
    assert.deepEqual([await xcom(next, 'first'), await xcom(next, 'second')], ['v2', 'v2']);
  });

  test('a file that breaks mid-run: the run finishes on its code, and new runs use the last good version while the error shows', async () => {
    const good = await currentVersion();
    const runId = await trigger('c');
    await waitForTask(runId, 'second', 'running');
    await h.writeDag('versioned.ts', DAG('two').replace('export default d;', 'export default d; oops(('));
    await writeFile(path.join(h.dagsFolder, 'lib', 'label.ts'), LABEL('v3'));
    await h.waitFor('the import error', async () => (await listImportErrors(h.db)).some((e) => e.filename === 'versioned.ts'), 10_000);
    await writeFile(gate('c'), '');
    assert.equal((await h.waitForRunEnd('versioned', runId)).state, 'success');
    assert.deepEqual([await xcom(runId, 'first'), await xcom(runId, 'second')], ['v2', 'v2']);

    const next = await trigger('d');
    assert.equal((await getRun(h.db, 'versioned', next))!.versionHash, good);
    await writeFile(gate('d'), '');
    assert.equal((await h.waitForRunEnd('versioned', next)).state, 'success');
    assert.deepEqual([await xcom(next, 'first'), await xcom(next, 'second')], ['v2', 'v2']);
    assert.ok((await listImportErrors(h.db)).some((e) => e.filename === 'versioned.ts'), 'the import error is still shown');
  });

  test('a clear re-runs a task on its run\'s version, not the newest', async () => {
    const good = await currentVersion();
    await h.writeDag('versioned.ts', DAG('three'));
    await waitForNewVersion(good);
    const fixed = await h.waitFor('the file to import again', async () => !(await listImportErrors(h.db)).some((e) => e.filename === 'versioned.ts'), 10_000);
    assert.ok(fixed);
    const runs = await h.db.query<{ run_id: string }>(`SELECT run_id FROM dag_runs WHERE dag_id = 'versioned' ORDER BY queued_at LIMIT 1`);
    const oldest = runs.rows[0]!.run_id;
    await clearTaskInstances(h.services, 'versioned', oldest, { taskIds: ['first'] });
    assert.equal((await h.waitForRunEnd('versioned', oldest)).state, 'success');
    assert.equal(await xcom(oldest, 'first'), 'v1');
  });

  test('the API lists the versions, newest first, and serves the source of each; a run names its version', async () => {
    const listed = (await (await fetch(`${base}/dags/versioned/versions`)).json()) as { versions: { version: string; createdAt: string; fileloc: string }[]; totalEntries: number };
    // "one" with label v1, then v2; the broken file made none; "three" with label v3.
    assert.equal(listed.totalEntries, 3, JSON.stringify(listed));
    assert.deepEqual(listed.versions.map((v) => v.fileloc), ['versioned.ts', 'versioned.ts', 'versioned.ts']);
    assert.equal(listed.versions[0]!.version, await currentVersion());
    const source = await fetch(`${base}/dags/versioned/versions/${listed.versions[0]!.version}/source`);
    assert.equal(source.status, 200);
    assert.match(source.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await source.text(), /\/\/ three\n/);
    const oldest = await fetch(`${base}/dags/versioned/versions/${listed.versions.at(-1)!.version}/source`);
    assert.match(await oldest.text(), /\/\/ one\n/);

    const missing = await fetch(`${base}/dags/versioned/versions/${'0'.repeat(64)}/source`);
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: { message: string } }).error.message, /no version/);
    assert.equal((await fetch(`${base}/dags/versioned/versions/not-hex/source`)).status, 400);
    assert.equal((await fetch(`${base}/dags/nope/versions`)).status, 404);

    const runs = (await (await fetch(`${base}/dags/versioned/dagRuns?limit=1`)).json()) as { dagRuns: { dagVersion: string }[] };
    assert.ok(listed.versions.some((v) => v.version === runs.dagRuns[0]!.dagVersion));
  });
});
