/**
 * DAG files are parsed in a parser process (contract section 6; issue: hostile DAG files): a file
 * whose import never ends, one that loops for longer than SLUICE_DAG_IMPORT_TIMEOUT, one that
 * calls process.exit() and one that allocates without end each become an import error of that
 * file, while the API (served by this same process, as in `standalone`) keeps answering and the
 * other DAGs keep running.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Webserver } from '../../src/api/server.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { listImportErrors } from '../../src/store/dags.ts';
import { sluice } from '../support/cli.ts';
import { Harness } from '../support/harness.ts';

const HOSTILE: Record<string, string> = {
  'forever.ts': `import { dag } from 'sluice';\nfor (;;) {}\nexport default dag('forever', {});\n`,
  'long_loop.ts': `import { dag } from 'sluice';\nconst end = Date.now() + 40_000;\nwhile (Date.now() < end) {}\nexport default dag('long_loop', {});\n`,
  'exits.ts': `import { dag } from 'sluice';\nprocess.exit(3);\nexport default dag('exits', {});\n`,
  'hog.ts': `import { dag } from 'sluice';\nconst kept: number[][] = [];\nfor (;;) kept.push(new Array(10_000_000).fill(kept.length));\nexport default dag('hog', {});\n`,
};

const EXPECTED: Record<string, RegExp> = {
  'forever.ts': /took longer than 3s to import \(SLUICE_DAG_IMPORT_TIMEOUT\), and was stopped/,
  'long_loop.ts': /took longer than 3s to import \(SLUICE_DAG_IMPORT_TIMEOUT\), and was stopped/,
  'exits.ts': /ended the process importing it \(exit code 3\), e\.g\. with process\.exit\(\)/,
  'hog.ts': /used more than the DAG parser's 100 MB of memory \(SLUICE_DAG_IMPORT_MEMORY_LIMIT\) while being imported/,
};

const GOOD = `import { dag } from 'sluice';\nconst d = dag('good', { schedule: null });\nd.task('a', async () => 'ok');\nexport default d;\n`;

describe('hostile DAG files are parsed in isolation', { timeout: 120_000 }, () => {
  // The hog reaches the memory cap in well under a second, long before the time limit, even on a busy machine.
  const LIMITS = { SLUICE_DAG_IMPORT_TIMEOUT: '3s', SLUICE_DAG_IMPORT_MEMORY_LIMIT: '100MB' };
  const h = new Harness({ dags: { 'good.ts': GOOD }, env: LIMITS });
  let web: Webserver;

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.startWorker();
    web = await h.startWebserver();
  });
  after(async () => {
    await h.tearDown();
  });

  test('each becomes an import error of its file; the API keeps answering and the good DAG keeps running', async () => {
    for (const [name, source] of Object.entries(HOSTILE)) await h.writeDag(name, source);
    // While the scheduler's parser works through them (3 s for each that hangs), this process answers at once.
    let slowest = 0;
    const errors = await h.waitFor(
      'every hostile file to be an import error',
      async () => {
        const started = Date.now();
        const health = await fetch(`${web.url}/api/v1/health`);
        assert.ok(health.status === 200 || health.status === 503, `health answered ${health.status}`);
        await health.arrayBuffer();
        slowest = Math.max(slowest, Date.now() - started);
        const found = await listImportErrors(h.db);
        return Object.keys(HOSTILE).every((f) => found.some((e) => e.filename === f)) ? found : undefined;
      },
      60_000,
    );
    for (const e of errors) assert.match(e.message, EXPECTED[e.filename]!, `${e.filename}: ${e.message}`);
    assert.ok(slowest < 1000, `the API took ${slowest} ms to answer while files were parsed`);
    const run = await triggerDagRun(h.db, 'good', {});
    assert.equal((await h.waitForRunEnd('good', run.runId)).state, 'success');
  });

  test('sluice dags errors reports them too, without hanging', async () => {
    const result = await sluice(['dags', 'errors', '--json'], { ...h.childEnv(), ...LIMITS });
    assert.equal(result.code, 1, result.stderr);
    const reported = JSON.parse(result.stdout) as { importErrors: { filename: string; message: string }[] };
    assert.deepEqual(reported.importErrors.map((e) => e.filename).sort(), Object.keys(HOSTILE).sort());
    for (const e of reported.importErrors) assert.match(e.message, EXPECTED[e.filename]!, `${e.filename}: ${e.message}`);
  });
});
