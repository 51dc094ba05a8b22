import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../support/harness.ts';
import { sluice } from '../support/cli.ts';
import { dropDatabase } from '../../src/store/db.ts';

const OK = `
import { dag } from 'sluice';
const d = dag('cli_ok', { schedule: '@daily', startDate: '2026-01-01T00:00:00Z', isPausedUponCreation: true, tags: ['cli'] });
d.task('hello', async (ctx) => { ctx.log.info({ who: ctx.params.who ?? 'nobody' }, 'hello from the CLI test'); return 42; })
  .then(d.task('bye', async () => 'bye'));
export default d;
`;
const FAILS = `
import { dag } from 'sluice';
const d = dag('cli_fails', {});
d.task('boom', async () => { throw new Error('kaboom'); });
export default d;
`;

describe('the sluice command', () => {
  const h = new Harness({ dags: { 'ok.ts': OK, 'fails.ts': FAILS, 'broken.ts': 'export default ;' } });
  let env: NodeJS.ProcessEnv;

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('cli_ok');
    env = h.childEnv();
  });
  after(() => h.tearDown());

  test('usage errors exit 2 with one line on stderr', async () => {
    const usage = [['dags', 'tset'], ['dags', 'trigger'], ['runs', 'list', 'cli_ok', '--state', 'sleeping'], ['worker', '--concurrency', 'lots'], ['dags', 'trigger', 'cli_ok', '--conf', '{nope']];
    // Independent commands, each a process of its own: run side by side.
    const [help, ...results] = await Promise.all([sluice(['--help'], env), ...usage.map((args) => sluice(args, env))]);
    results.forEach((r, i) => {
      assert.equal(r.code, 2, `${usage[i]!.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
    assert.equal(help.code, 0);
  });

  test('db migrate creates the database and is safe to run concurrently and again', async () => {
    const url = `postgres://postgres@127.0.0.1:5432/sluice_${h.id}_cli`;
    try {
      const results = await Promise.all([1, 2, 3].map(() => sluice(['db', 'migrate', '--json'], { ...env, SLUICE_DATABASE_URL: url })));
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const applied = results.map((r) => (JSON.parse(r.stdout) as { applied: string[] }).applied.length);
      assert.equal(applied.filter((n) => n > 0).length, 1, 'exactly one process applied the migrations');
      assert.equal((await sluice(['db', 'migrate'], { ...env, SLUICE_DATABASE_URL: url })).stdout.trim(), 'the metadata database is up to date');
    } finally {
      await dropDatabase(url);
    }
  });

  test('dags list / errors / show read the folder without a scheduler', async () => {
    const noServices = { ...env, SLUICE_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', SLUICE_REDIS_URL: 'redis://127.0.0.1:1' };
    // Three processes that each read the folder alone: side by side.
    const [list, errors, show] = await Promise.all([
      sluice(['dags', 'list', '--json'], noServices),
      sluice(['dags', 'errors', '--json'], noServices),
      sluice(['dags', 'show', 'cli_ok'], noServices),
    ]);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual((JSON.parse(list.stdout) as { dags: { dagId: string }[] }).dags.map((d) => d.dagId), ['cli_fails', 'cli_ok']);
    assert.equal(errors.code, 1);
    assert.equal((JSON.parse(errors.stdout) as { importErrors: { filename: string }[] }).importErrors[0]!.filename, 'broken.ts');
    assert.match(show.stdout, /hello -> bye/);
    assert.match(show.stdout, /every day/i);
  });

  test('dags test runs a whole DAG in-process: exit 0 on success, 1 on failure', async () => {
    // Each runs its DAG in a process of its own, touching nothing the others read: side by side.
    const [ok, bad, one] = await Promise.all([
      sluice(['dags', 'test', 'cli_ok', '--conf', '{"who":"tester"}'], env),
      sluice(['dags', 'test', 'cli_fails'], env),
      sluice(['tasks', 'test', 'cli_ok', 'hello', '--json'], env),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /hello from the CLI test who=tester/);
    assert.match(ok.stdout, /run success/);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /kaboom/);
    assert.equal((JSON.parse(one.stdout) as { xcom: number }).xcom, 42);
  });

  test('trigger --wait, runs, logs, clear, pause, backfill dry run', async () => {
    const ok = await sluice(['dags', 'trigger', 'cli_ok', '--wait', '--conf', '{"who":"ada"}', '--logical-date', '2026-06-01T00:00:00Z'], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 'manual__2026-06-01T00:00:00.000Z success');
    const bad = await sluice(['dags', 'trigger', 'cli_fails', '--wait', '--json'], env);
    assert.equal(bad.code, 1);
    const runId = (JSON.parse(bad.stdout) as { dagRunId: string }).dagRunId;
    const dup = await sluice(['dags', 'trigger', 'cli_ok', '--logical-date', '2026-06-01T00:00:00Z'], env);
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /already has a run/);

    const runs = JSON.parse((await sluice(['runs', 'list', 'cli_ok', '--json'], env)).stdout) as { dagRuns: { runId: string }[] };
    assert.deepEqual(runs.dagRuns.map((r) => r.runId), ['manual__2026-06-01T00:00:00.000Z']);
    const show = await sluice(['runs', 'show', 'cli_fails', runId], env);
    assert.match(show.stdout, /boom\s+failed\s+1\/1/);
    const logs = await sluice(['tasks', 'logs', 'cli_ok', 'manual__2026-06-01T00:00:00.000Z', 'hello'], env);
    assert.match(logs.stdout, /INFO\s+hello from the CLI test who=ada/);
    assert.equal((await sluice(['tasks', 'logs', 'cli_ok', 'manual__2026-06-01T00:00:00.000Z', 'hello', '--try', '2'], env)).code, 2);

    const cleared = await sluice(['tasks', 'clear', 'cli_fails', runId, '--only-failed'], env);
    assert.equal(cleared.stdout.trim(), 'cleared boom');
    await h.waitFor('the cleared try to fail again', async () => (await h.taskInstances('cli_fails', runId)).boom?.tryNumber === 2 && (await h.waitForRunEnd('cli_fails', runId)));

    assert.equal((await sluice(['dags', 'unpause', 'cli_ok'], env)).stdout.trim(), 'cli_ok is unpaused');
    assert.equal((await sluice(['dags', 'pause', 'cli_ok'], env)).stdout.trim(), 'cli_ok is paused');

    const dry = await sluice(['dags', 'backfill', 'cli_ok', '--from', '2026-01-01', '--to', '2026-01-03', '--dry-run', '--json'], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual((JSON.parse(dry.stdout) as { intervals: { logicalDate: string }[] }).intervals.map((i) => i.logicalDate), [
      '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z',
    ]);
    const real = await sluice(['dags', 'backfill', 'cli_ok', '--from', '2026-01-01', '--to', '2026-01-02', '--wait'], env);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /2 run\(s\)/);
  });
});
