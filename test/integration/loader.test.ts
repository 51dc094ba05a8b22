import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../support/harness.ts';
import { getDag, listImportErrors } from '../../src/store/dags.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { DagFolder } from '../../src/loader/dag-folder.ts';

const GOOD = (tasks: string[]) => `
import { dag, chain } from 'sluice';
const d = dag('good', { tags: ['ok'] });
chain(...${JSON.stringify(tasks)}.map((id) => d.task(id, async () => id)));
export default d;
`;

const BROKEN: Record<string, string> = {
  'syntax.ts': `import { dag } from 'sluice';\nconst d = dag('syntax', {;\nexport default d;\n`,
  'throws.ts': `import { dag } from 'sluice';\nthrow new Error('cannot reach the config service');\nexport default dag('throws', {});\n`,
  'cycle.ts': `import { dag } from 'sluice';\nconst d = dag('cycle', {});\nconst a = d.task('a', async () => 1);\nconst b = d.task('b', async () => 1);\na.then(b).then(a);\nexport default d;\n`,
  'unknown_option.ts': `import { dag } from 'sluice';\nexport default dag('unknown_option', { shedule: '@daily' } as never);\n`,
  'bad_cron.ts': `import { dag } from 'sluice';\nexport default dag('bad_cron', { schedule: '61 * * * *', startDate: '2026-01-01' });\n`,
  'bad_date.ts': `import { dag } from 'sluice';\nexport default dag('bad_date', { schedule: '@daily', startDate: '2026-02-30' });\n`,
  'duplicate_task.ts': `import { dag } from 'sluice';\nconst d = dag('duplicate_task', {});\nd.task('x', async () => 1);\nd.task('x', async () => 2);\nexport default d;\n`,
  'cross_dag.ts': `import { dag } from 'sluice';\nconst one = dag('one', {});\nconst two = dag('two', {});\none.task('a', async () => 1).then(two.task('b', async () => 1));\nexport default one;\n`,
};

const EXPECTED: Record<string, RegExp> = {
  'syntax.ts': /syntax|Unexpected|Expected/i,
  'throws.ts': /cannot reach the config service \(line 2/,
  'cycle.ts': /cycle.*a → b → a/,
  'unknown_option.ts': /shedule.*did you mean "schedule"/,
  'bad_cron.ts': /61 \* \* \* \*/,
  'bad_date.ts': /2026-02-30/,
  'duplicate_task.ts': /"x"/,
  'cross_dag.ts': /dependencies must stay within one DAG/,
};

describe('DAG loading: import errors and picking up changes', () => {
  const h = new Harness({ dags: { 'good.ts': GOOD(['a', 'b']), 'helpers.ts': 'export const notADag = 1;\n', ...BROKEN } });

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('good');
  });
  after(() => h.tearDown());

  test('every kind of broken file is reported with its name and a clear message; the good DAG works', async () => {
    const errors = await listImportErrors(h.db);
    assert.deepEqual(errors.map((e) => e.filename).sort(), Object.keys(BROKEN).sort());
    for (const e of errors) assert.match(e.message, EXPECTED[e.filename]!, `${e.filename}: ${e.message}`);
    const run = await triggerDagRun(h.db, 'good', {});
    assert.equal((await h.waitForRunEnd('good', run.runId)).state, 'success');
  });

  test("a worker's folder imports without checking a DAG's structure: a cycle still gives its task functions, and its spec throws only when asked for", async () => {
    const unchecked = await new DagFolder(h.config.dagsFolder, { validate: false }).loadFile('cycle.ts');
    assert.equal(unchecked.kind, 'dag');
    if (unchecked.kind !== 'dag') return;
    assert.equal(typeof unchecked.loaded.dag.getTask('a')?.fn, 'function');
    assert.throws(() => unchecked.loaded.spec, /cycle.*a → b → a/);
    const checked = await new DagFolder(h.config.dagsFolder).loadFile('cycle.ts');
    assert.equal(checked.kind, 'error');
    if (checked.kind === 'error') assert.match(checked.message, /cycle.*a → b → a/);
  });

  test('a changed file is picked up within the rescan interval, and a fixed file loses its error', async () => {
    const before = await getDag(h.db, 'good');
    await h.writeDag('good.ts', GOOD(['a', 'b', 'c']));
    await h.writeDag('cycle.ts', `import { dag } from 'sluice';\nconst d = dag('cycle', {});\nd.task('a', async () => 1).then(d.task('b', async () => 1));\nexport default d;\n`);
    const changed = await h.waitFor('the new version of good', async () => {
      const dag = await getDag(h.db, 'good');
      return dag && dag.versionHash !== before!.versionHash ? dag : undefined;
    }, 5000);
    assert.deepEqual(changed.spec.tasks.map((t) => t.taskId), ['a', 'b', 'c']);
    await h.waitForDag('cycle');
    // The DAG is written before the scan's import errors are replaced: wait for both.
    await h.waitFor('the fixed file to lose its error', async () => !(await listImportErrors(h.db)).some((e) => e.filename === 'cycle.ts'), 5000);
    const run = await triggerDagRun(h.db, 'good', {});
    assert.equal((await h.waitForRunEnd('good', run.runId)).state, 'success');
    assert.deepEqual(Object.keys(await h.taskStates('good', run.runId)).sort(), ['a', 'b', 'c']);
  });

  test('a file that breaks keeps its DAG scheduled on the last good version; a removed file retires its DAG', async () => {
    await h.writeDag('good.ts', GOOD(['a']).replace('export default d;', 'export default d; oops('));
    await h.waitFor('the import error', async () => (await listImportErrors(h.db)).some((e) => e.filename === 'good.ts'), 5000);
    assert.equal((await getDag(h.db, 'good'))!.isActive, true);
    await h.removeDag('good.ts');
    await h.waitFor('good to be retired', async () => (await getDag(h.db, 'good'))!.isActive === false, 5000);
    // As above: the DAG is retired before the scan's import errors are replaced.
    await h.waitFor('the removed file to lose its error', async () => !(await listImportErrors(h.db)).some((e) => e.filename === 'good.ts'), 5000);
  });
});

describe('a worker imports the DAGs folder as it starts', () => {
  // Records its own import in this process (workers run in-process here): no scheduler runs, so
  // nothing else imports it.
  const MARKED = `
import { dag } from 'sluice';
const seen = ((globalThis as Record<string, unknown>).__sluiceImportedAhead ??= []) as string[];
seen.push('marked');
const d = dag('marked', {});
d.task('only', async () => 1);
export default d;
`;
  const h = new Harness({ dags: { 'marked.ts': MARKED, 'throws.ts': BROKEN['throws.ts']!, 'cycle.ts': BROKEN['cycle.ts']! } });
  before(() => h.setUp());
  after(() => h.tearDown());

  test('every file is imported ahead of any try (a broken file or a cycle stops nothing), once', async () => {
    await h.startWorker();
    const seen = () => (globalThis as { __sluiceImportedAhead?: string[] }).__sluiceImportedAhead;
    await h.waitFor('the worker to import marked.ts with no try asking', async () => seen()?.includes('marked'), 10_000);
    assert.deepEqual(seen(), ['marked']);
  });
});
