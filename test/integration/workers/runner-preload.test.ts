/**
 * A runner process warmed with a version's code (Runner.preload, what the pool does to its blank
 * runners) says when it has loaded it, and then runs that version's tries without being sent the
 * code again; a version whose code fails to load is not marked loaded, and its try still gets the
 * code and fails with the loader's reason.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleDagFile, type DagCode } from '../../../src/loader/bundle.ts';
import { buildRunnerBundle } from '../../../workers/runner/runner-bundle.ts';
import { Runner } from '../../../workers/runner/runner.ts';
import type { CodeMessage, RunRequest } from '../../../workers/runner/protocol.ts';
import type { RunnerHooks } from '../../../workers/runner/runner.ts';

const DAG = `import { dag } from 'sluice';
const d = dag('warm', {});
d.task('answer', async () => ({ answer: 42 }));
export default d;
`;

const BROKEN = `import { dag } from 'sluice';
throw new Error('this DAG file cannot load here');
export default dag('broken', {});
`;

function request(dagId: string, code: DagCode, withCode: boolean): RunRequest {
  const date = new Date('2026-01-01T00:00:00Z');
  return {
    dagId, runId: 'manual__1', taskId: 'answer', mapIndex: -1, mapItem: undefined, tryNumber: 1, maxTries: 1, tryStartDate: date, rescheduleCount: 0,
    logicalDate: date, dataIntervalStart: date, dataIntervalEnd: date, params: {}, executionTimeoutMs: 30_000, logLevel: 'info',
    version: code.codeHash, codeHash: code.codeHash, ...(withCode ? { code: message(code) } : {}),
  };
}
const message = (code: DagCode): CodeMessage => ({ codeHash: code.codeHash, code: code.code, sourceMap: code.sourceMap, fileloc: 'dag.ts' });
const hooks = (lines: string[]): RunnerHooks => ({
  writeLog: (line) => lines.push(line),
  xcom: async () => undefined,
  secrets: { connection: async () => undefined, variable: async () => undefined },
});

async function until(what: string, check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a runner warmed with a version before its tries', { timeout: 60_000 }, () => {
  let dir: string;
  let runner: Runner;
  let good: DagCode;
  let broken: DagCode;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-preload-'));
    await writeFile(path.join(dir, 'dag.ts'), DAG);
    await writeFile(path.join(dir, 'broken.ts'), BROKEN);
    good = await bundleDagFile(path.join(dir, 'dag.ts'), dir);
    broken = await bundleDagFile(path.join(dir, 'broken.ts'), dir);
    runner = new Runner({ entry: await buildRunnerBundle(), execArgv: [], env: { ...process.env, SLUICE_DAGS_FOLDER: dir } });
    await runner.ready;
  });
  after(async () => {
    await runner.retire(1000);
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the code when told, then runs its try from a request without the code', async () => {
    runner.preload(message(good), 'warm');
    assert.equal(runner.warming, good.codeHash);
    await until('the runner to say it loaded the code', () => runner.loaded.has(good.codeHash));
    assert.equal(runner.warming, undefined);
    const lines: string[] = [];
    const execution = await runner.run(request('warm', good, false), hooks(lines));
    assert.equal(execution.result.kind, 'success', lines.join(''));
    assert.deepEqual(JSON.parse(execution.xcomJson ?? 'null'), { answer: 42 });
  });

  it('is not warmed again once it has loaded code; a fresh runner that fails to load a version does not count it loaded', async () => {
    runner.preload(message(broken), 'broken');
    assert.equal(runner.warming, undefined, 'one version at most: this runner has loaded one');
    const fresh = new Runner({ entry: await buildRunnerBundle(), execArgv: [], env: { ...process.env, SLUICE_DAGS_FOLDER: dir } });
    try {
      await fresh.ready;
      fresh.preload(message(broken), 'broken');
      await until('the runner to say the load failed', () => fresh.warming === undefined);
      assert.equal(fresh.loaded.has(broken.codeHash), false);
      const lines: string[] = [];
      const execution = await fresh.run(request('broken', broken, true), hooks(lines));
      assert.equal(execution.result.kind, 'failed');
      assert.match(lines.join(''), /this DAG file cannot load here/);
    } finally {
      await fresh.retire(1000);
    }
  });
});
