/**
 * The long-running commands as real processes: a webserver that must not serve refuses before it
 * touches anything and exits 2, and standalone's workers never outlive it.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { Harness } from '../support/harness.ts';
import { childPids, isAlive, startSluice, type SluiceProcess } from '../support/sluice-process.ts';

/** Fails rather than hangs: a process that should exit at once gets this long. */
const HANG_GUARD_MS = 30_000;

async function exitOf(p: SluiceProcess, what: string): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} was still running after ${HANG_GUARD_MS} ms:\n${p.stderr()}`)), HANG_GUARD_MS);
  });
  try {
    return await Promise.race([p.exited, hung]);
  } finally {
    clearTimeout(timer);
  }
}

async function databaseExists(name: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  try {
    return (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await admin.end();
  }
}

describe('a webserver that would be open to other machines without a token', () => {
  const started: SluiceProcess[] = [];
  after(() => started.forEach((p) => p.killGroup()));

  const cases: { name: string; args: string[]; host?: string }[] = [
    { name: 'sluice webserver with SLUICE_HOST=0.0.0.0', args: ['webserver', '--port', '0'], host: '0.0.0.0' },
    { name: 'sluice webserver --host ::', args: ['webserver', '--host', '::', '--port', '0'] },
    { name: 'sluice standalone with SLUICE_HOST=0.0.0.0', args: ['standalone', '--port', '0'], host: '0.0.0.0' },
  ];
  for (const { name, args, host } of cases) {
    test(`${name} exits 2 with the reason, before connecting to anything`, async () => {
      const database = `sluice_never_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        SLUICE_DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
        SLUICE_QUEUE_PREFIX: `sluicetest-${database}`,
        SLUICE_LOG_LEVEL: 'warn',
      };
      delete env.SLUICE_API_TOKEN;
      delete env.SLUICE_ALLOW_INSECURE;
      if (host) env.SLUICE_HOST = host;
      else delete env.SLUICE_HOST;
      const p = startSluice(args, env);
      started.push(p);
      assert.equal(await exitOf(p, name), 2, p.stderr());
      const lines = p.stderr().trim().split('\n');
      assert.equal(lines.length, 1, `one line on stderr, got:\n${p.stderr()}`);
      assert.match(lines[0]!, /^sluice (webserver|standalone): refusing to serve on (0\.0\.0\.0|::).*set SLUICE_API_TOKEN/);
      assert.equal(await databaseExists(database), false, `${name} created its database before refusing`);
    });
  }
});

const SLOW_DAG = `
import { dag } from 'sluice';
const d = dag('slow_task', {});
d.task('two_seconds', async () => { await new Promise((r) => setTimeout(r, 2000)); return 'done'; });
export default d;
`;


const GRACE_MS = 10_000;
/** How long after the grace a worker may take to close its connections and exit. */
const EXIT_MARGIN_MS = 20_000;

describe("standalone's worker processes end with it", () => {
  async function startStandalone(h: Harness): Promise<{ standalone: SluiceProcess; workers: number[] }> {
    const standalone = startSluice(['standalone', '--port', '0', '--workers', '2'], {
      ...h.childEnv(),
      SLUICE_HOST: '127.0.0.1',
      SLUICE_WORKER_SHUTDOWN_GRACE: `${GRACE_MS}ms`,
    });
    await standalone.url();
    const workers = await h.waitFor('two worker processes', async () => {
      const pids = await childPids(standalone.pid, /sluice\.mjs worker/);
      return pids.length === 2 ? pids : undefined;
    });
    return { standalone, workers };
  }

  async function waitUntilGone(h: Harness, workers: number[]): Promise<void> {
    await h.waitFor(
      `worker processes ${workers.join(', ')} to exit`,
      async () => (await Promise.all(workers.map(isAlive))).every((alive) => !alive),
      GRACE_MS + EXIT_MARGIN_MS,
    );
  }

  test('standalone killed with SIGKILL: its workers finish the running try, then exit', async () => {
    const h = new Harness({ dags: { 'slow.ts': SLOW_DAG } });
    await h.setUp();
    let standalone: SluiceProcess | undefined;
    try {
      let workers: number[];
      ({ standalone, workers } = await startStandalone(h));
      await h.waitForDag('slow_task');
      const run = await triggerDagRun(h.db, 'slow_task', {});
      await h.waitFor('the try to run in a worker', async () => (await h.taskStates('slow_task', run.runId)).two_seconds === 'running');

      standalone.child.kill('SIGKILL');
      assert.equal(await standalone.exited, 'SIGKILL');
      await waitUntilGone(h, workers);
      // Stopped as on SIGTERM, not dropped: the try that was running was finished and recorded.
      assert.equal((await h.taskStates('slow_task', run.runId)).two_seconds, 'success');
    } finally {
      standalone?.killGroup();
      await h.tearDown();
    }
  });

  // At once, while the workers may still be loading: they must notice a parent that went before they listened.
  test('standalone killed as soon as it serves: its workers exit too', async () => {
    const h = new Harness();
    await h.setUp();
    let standalone: SluiceProcess | undefined;
    try {
      let workers: number[];
      ({ standalone, workers } = await startStandalone(h));
      standalone.child.kill('SIGKILL');
      assert.equal(await standalone.exited, 'SIGKILL');
      await waitUntilGone(h, workers);
    } finally {
      standalone?.killGroup();
      await h.tearDown();
    }
  });
});
