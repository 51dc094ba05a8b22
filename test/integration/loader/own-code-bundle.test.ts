import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { FUNCTIONS_DIR } from '../../../src/store/functions/apply.ts';
import { buildOwnBundle, INSTALLATION_ROOT } from '../../../src/loader/own-code-bundle.mjs';

const run = promisify(execFile);

describe("Sluice's own code, bundled", () => {
  let dir = '';
  after(() => rm(dir, { recursive: true, force: true }));

  it('keeps each module’s import.meta.url and says it runs bundled', async () => {
    dir = await buildOwnBundle('test-own-code', { apply: 'src/store/functions/apply.ts', bundled: 'src/core/bundled.ts' });
    assert.ok(dir.startsWith(path.join(INSTALLATION_ROOT, 'node_modules', '.cache', 'sluice', 'test-own-code-')), dir);
    // Imported by a plain Node process: no tsx there, as in a worker.
    const script = `const a = await import(${JSON.stringify(pathToFileURL(path.join(dir, 'apply.mjs')).href)});
const b = await import(${JSON.stringify(pathToFileURL(path.join(dir, 'bundled.mjs')).href)});
process.stdout.write(JSON.stringify({ functionsDir: a.FUNCTIONS_DIR, bundled: b.RUNS_BUNDLED }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    // Finds its SQL files beside its source, not beside the bundle.
    assert.deepEqual(JSON.parse(stdout), { functionsDir: FUNCTIONS_DIR, bundled: true });
    // Built again, the same content is the same folder: nothing new is written.
    assert.equal(await buildOwnBundle('test-own-code', { apply: 'src/store/functions/apply.ts', bundled: 'src/core/bundled.ts' }), dir);
    assert.deepEqual((await readdir(path.dirname(dir))).filter((d) => d.startsWith('test-own-code-') && d.endsWith('.tmp')), []);
  });

  it('is not what code run from its TypeScript source sees', async () => {
    const { RUNS_BUNDLED } = await import('../../../src/core/bundled.ts');
    assert.equal(RUNS_BUNDLED, false);
  });
});
