/**
 * A DAGs folder outside this package (the user's own repository, here a folder under the OS's
 * temp directory) imports 'sluice' and 'sluice/providers' from this installation, its own .ts
 * helpers, and the packages of its own node_modules, one of which (a team's operators) imports
 * 'sluice' itself: when loading (the CLI, the scheduler's parser process) and when a task runs
 * (`sluice dags test`, a worker's runner process).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { listImportErrors } from '../../src/store/dags.ts';
import { readXcom } from '../../src/store/xcom.ts';
import { sluice } from '../support/cli.ts';
import { Harness, REPO_ROOT } from '../support/harness.ts';
import { startSluice, type SluiceProcess } from '../support/sluice-process.ts';

// No package.json at the folder's root: TypeScript there is in no "type": "module" scope, the
// way a fresh DAGs repository starts out.
const FILES: Record<string, string> = {
  'outside.ts': `
import { chain, dag, FailTask } from 'sluice';
import { etlSettings, windowFilter } from 'sluice/providers';
import { greeting } from './lib/greeting.ts';
import { money } from 'shop-format';
import { shout } from 'shop-esm';
import { sameSluice } from 'team-ops';

const d = dag('outside_dag', { schedule: null });
const first = d.task('uses_sluice', async (ctx) => {
  if (typeof FailTask !== 'function') throw new Error('FailTask did not come from sluice');
  ctx.log.info('running from a DAGs folder outside the package');
  const filter = windowFilter({ modifiedField: 'updatedAt', from: null, until: new Date(0) });
  return { prefix: etlSettings({}, {}).prefix, filter: Object.keys(filter), greeting: greeting('Ada') };
});
const second = d.task('uses_own_packages', async () => ({ money: money(1234), shout: shout('hi'), sluice: sameSluice(FailTask) }));
chain(first, second);
export default d;
`,
  'lib/greeting.ts': `
import { SkipTask } from 'sluice';
export const greeting = (name: string): string => (SkipTask ? 'hello ' + name : 'no sluice');
`,
  'node_modules/shop-format/package.json': JSON.stringify({ name: 'shop-format', version: '1.0.0', main: 'index.js' }),
  'node_modules/shop-format/index.js': "exports.money = (cents) => '$' + (cents / 100).toFixed(2);\n",
  'node_modules/shop-esm/package.json': JSON.stringify({ name: 'shop-esm', version: '1.0.0', type: 'module', exports: './index.js' }),
  'node_modules/shop-esm/index.js': 'export const shout = (text) => text.toUpperCase() + "!";\n',
  // Its FailTask must be the very class the DAG's own code gets from 'sluice' (one module, not two).
  'node_modules/team-ops/package.json': JSON.stringify({ name: 'team-ops', version: '1.0.0', type: 'module', exports: './index.js' }),
  'node_modules/team-ops/index.js': [
    "import { FailTask } from 'sluice';",
    "export const sameSluice = (fromDag) => (fromDag === FailTask ? 'same sluice' : 'another sluice');",
    '',
  ].join('\n'),
};

const EXPECTED_FIRST = { prefix: 'etl', filter: ['$nor'], greeting: 'hello Ada' };
const EXPECTED_SECOND = { money: '$12.34', shout: 'HI!', sluice: 'same sluice' };

describe('a DAGs folder outside the package', { timeout: 120_000 }, () => {
  let folder: string;
  let h: Harness;
  const children: SluiceProcess[] = [];

  before(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'sluice-dags-outside-'));
    assert.ok(path.relative(REPO_ROOT, folder).startsWith('..'), `${folder} is outside ${REPO_ROOT}`);
    for (const [name, text] of Object.entries(FILES)) {
      await mkdir(path.dirname(path.join(folder, name)), { recursive: true });
      await writeFile(path.join(folder, name), text);
    }
    h = new Harness({ env: { SLUICE_DAGS_FOLDER: folder } });
    await h.setUp();
  });
  after(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await h?.tearDown();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  test('sluice dags list and errors load it with no import errors', async () => {
    const env = { ...h.childEnv(), SLUICE_DAGS_FOLDER: folder };
    const list = await sluice(['dags', 'list', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    const listed = JSON.parse(list.stdout) as { dags: { dagId: string; fileloc: string }[]; importErrors: number };
    assert.deepEqual(listed.dags.map((d) => [d.dagId, d.fileloc]), [['outside_dag', 'outside.ts']]);
    assert.equal(listed.importErrors, 0);
    const errors = await sluice(['dags', 'errors'], env);
    assert.equal(errors.code, 0, errors.stdout + errors.stderr);
  });

  test('sluice dags test runs its tasks', async () => {
    const result = await sluice(['dags', 'test', 'outside_dag', '--json'], { ...h.childEnv(), SLUICE_DAGS_FOLDER: folder });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const run = JSON.parse(result.stdout) as { state: string; tasks: { taskId: string; xcom?: unknown }[] };
    assert.equal(run.state, 'success');
    assert.deepEqual(Object.fromEntries(run.tasks.map((t) => [t.taskId, t.xcom])), { uses_sluice: EXPECTED_FIRST, uses_own_packages: EXPECTED_SECOND });
  });

  test('a scheduler and a worker (sluice processes) parse it and run its tasks', async () => {
    // Child processes, as users run them: the test runner's own `--import tsx` resolves
    // differently from bin/sluice.mjs, so an in-process worker would not show the problem.
    // In the test runner's working directory (the helper's default is the repository's root).
    for (const command of ['scheduler', 'worker']) {
      children.push(startSluice([command], { ...h.childEnv(), SLUICE_DAGS_FOLDER: folder }, { cwd: process.cwd() }));
    }
    await h.waitForDag('outside_dag');
    assert.deepEqual(await listImportErrors(h.db), []);
    const run = await triggerDagRun(h.db, 'outside_dag', {});
    const end = await h.waitForRunEnd('outside_dag', run.runId, 30_000);
    const tis = Object.values(await h.taskInstances('outside_dag', run.runId));
    assert.equal(end.state, 'success', tis.map((ti) => `${ti.taskId} ${ti.state} ${ti.error ?? ''}`).join('; '));
    assert.deepEqual((await readXcom(h.db, 'outside_dag', run.runId, 'uses_sluice')).value, EXPECTED_FIRST);
    assert.deepEqual((await readXcom(h.db, 'outside_dag', run.runId, 'uses_own_packages')).value, EXPECTED_SECOND);
  });
});
