import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../support/harness.ts';
import { getDag, listImportErrors } from '../../src/store/dags.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';

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
  'top_level_await.ts': `import { dag } from 'sluice';\nconst config = await Promise.resolve({});\nexport default dag('top_level_await', { params: config });\n`,
  'helper_throws.ts': `import { dag } from 'sluice';\nimport { TABLES } from './.lib/tables.ts';\nexport default dag('helper_throws', { tags: TABLES });\n`,
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
  'top_level_await.ts': /top_level_await\.ts:2:\d+: top-level await is not supported in DAG files/,
  // The helper's own file and line, through the bundle's source map.
  'helper_throws.ts': /the tables service is down \(\.lib\/tables\.ts, line 3, column 7\)/,
};

describe('DAG loading: import errors and picking up changes', () => {
  const h = new Harness({
    dags: {
      'good.ts': GOOD(['a', 'b']),
      'helpers.ts': 'export const notADag = 1;\n',
      // In a hidden folder, so the scan does not import it as a file of its own.
      '.lib/tables.ts': `export const TABLES: string[] = [];\n// the next line fails\nthrow new Error('the tables service is down');\n`,
      ...BROKEN,
    },
  });

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
