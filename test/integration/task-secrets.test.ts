/**
 * ctx.connection() and ctx.variable() in a real try, in a runner process (the default) and inline,
 * and in `sluice dags test`: the values are real, SLUICE_CONN_* / SLUICE_VAR_* win over the
 * database, unknown names fail the try naming them, and the password and secret value a try read
 * are `***` in its stored log and error (and in what `dags test` prints).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { addConnection } from '../../src/engine/connections.ts';
import { SecretBox } from '../../src/engine/secret-box.ts';
import { addVariable } from '../../src/engine/variables.ts';
import { parseConnectionUri } from '../../src/core/connection-uri.ts';
import { readLog } from '../../src/store/logs.ts';
import { sluice } from '../support/cli.ts';
import { Harness } from '../support/harness.ts';

// Neither is shaped like a URL's password or a key=value secret: only the per-try mask hides them.
const PW = 'Wh-Pa55word-42';
const TOKEN = 'tok"en\\with-quote';

const DAG = `
import { dag } from 'sluice';
const d = dag('reads_secrets', { schedule: null, defaultArgs: { retries: 0 } });
d.task('leak', async (ctx) => {
  const c = await ctx.connection('warehouse');
  const token = await ctx.variable('api_token');
  const region = await ctx.variable('region');
  ctx.log.info({ token }, 'password ' + c.password + ' token ' + token + ' region ' + region);
  throw new Error('could not log in with ' + c.password + ' / ' + token + ' in ' + region);
});
d.task('reads', async (ctx) => {
  const c = await ctx.connection('warehouse');
  const overridden = await ctx.connection('env-wins.conn');
  return {
    password: c.password === ${JSON.stringify(PW)},
    uri: c.uri === 'postgres://etl:' + encodeURIComponent(${JSON.stringify(PW)}) + '@wh.example.com:5432/dw?sslmode=require',
    overriddenHost: overridden.host,
    overriddenVar: await ctx.variable('env_var'),
    fallback: await ctx.variable('missing', 'the fallback'),
  };
});
d.task('unknown_connection', async (ctx) => { await ctx.connection('nowhere'); });
d.task('unknown_variable', async (ctx) => { await ctx.variable('nowhere'); });
export default d;
`;

describe('connections and variables in tasks', () => {
  const key = randomBytes(32).toString('hex');
  const h = new Harness({ env: { SLUICE_SECRET_KEY: key }, dags: { 'reads.ts': DAG } });
  // The worker of this test process reads these, as a worker reads its environment.
  process.env.SLUICE_CONN_ENV_WINS_CONN = 'http://from-env.example.com:8080';
  process.env.SLUICE_VAR_ENV_VAR = 'from the environment';

  before(async () => {
    await h.setUp();
    const box = new SecretBox(h.config.secretKeys);
    await addConnection(h.db, box, 'warehouse', parseConnectionUri(`postgres://etl:${encodeURIComponent(PW)}@wh.example.com:5432/dw?sslmode=require`));
    await addConnection(h.db, box, 'env-wins.conn', parseConnectionUri('http://from-db.example.com'));
    await addVariable(h.db, box, 'api_token', TOKEN);
    await addVariable(h.db, box, 'region', 'eu-west-1');
    await addVariable(h.db, box, 'env_var', 'from the database');
    await h.startScheduler();
  });
  after(() => h.tearDown());

  for (const isolation of ['process', 'inline'] as const) {
    test(`in a try run ${isolation === 'process' ? 'in a runner process' : 'inline'}`, async () => {
      const worker = await h.startWorker({}, { taskIsolation: isolation });
      await h.waitForDag('reads_secrets');
      const { runId } = await triggerDagRun(h.db, 'reads_secrets', {});
      await h.waitForRunEnd('reads_secrets', runId);
      await h.stopWorker(worker);
      const tis = await h.taskInstances('reads_secrets', runId);

      const xcom = (await h.db.query('SELECT value FROM xcoms WHERE run_id = $1 AND task_id = $2', [runId, 'reads'])).rows[0]?.value;
      assert.deepEqual(xcom, { password: true, uri: true, overriddenHost: 'from-env.example.com', overriddenVar: 'from the environment', fallback: 'the fallback' });

      assert.equal(tis.leak!.state, 'failed');
      assert.equal(tis.leak!.error, 'could not log in with *** / *** in eu-west-1');
      const log = await readLog(h.db, 'reads_secrets', runId, 'leak', 1);
      for (const secret of [PW, TOKEN, JSON.stringify(TOKEN).slice(1, -1)]) assert.equal(log.includes(secret), false, `the log holds ${secret}: ${log}`);
      assert.match(log, /password \*\*\* token \*\*\* region eu-west-1/);
      assert.match(log, /"token":"\*\*\*"/);
      assert.match(log, /could not log in with \*\*\* \/ \*\*\*/);

      assert.match(tis.unknown_connection!.error!, /there is no connection "nowhere": .*SLUICE_CONN_NOWHERE/);
      assert.match(tis.unknown_variable!.error!, /there is no variable "nowhere": .*SLUICE_VAR_NOWHERE/);
    });
  }

  test('in `sluice dags test`: the environment and the database answer, and what it prints is masked', async () => {
    const run = await sluice(['dags', 'test', 'reads_secrets', '--json'], {
      ...h.childEnv(),
      SLUICE_SECRET_KEY: key,
      SLUICE_CONN_ENV_WINS_CONN: 'http://from-env.example.com:8080',
      SLUICE_VAR_ENV_VAR: 'from the environment',
    });
    assert.equal(run.code, 1, run.stderr);
    const output = run.stdout + run.stderr;
    for (const secret of [PW, TOKEN, JSON.stringify(TOKEN).slice(1, -1)]) assert.equal(output.includes(secret), false, `the output holds ${secret}`);
    const result = JSON.parse(run.stdout.slice(run.stdout.lastIndexOf('\n{') + 1)) as { tasks: { taskId: string; state: string; error: string | null; xcom?: unknown }[] };
    const byId = Object.fromEntries(result.tasks.map((t) => [t.taskId, t]));
    assert.equal(byId.leak!.error, 'could not log in with *** / *** in eu-west-1');
    assert.deepEqual(byId.reads!.xcom, { password: true, uri: true, overriddenHost: 'from-env.example.com', overriddenVar: 'from the environment', fallback: 'the fallback' });
  });

  test('in `sluice tasks test` with no metadata database: the environment is enough, and the error says so when it is not', async () => {
    const noDatabase = { ...h.childEnv(), SLUICE_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' };
    const fromEnv = await sluice(['tasks', 'test', 'reads_secrets', 'unknown_connection', '--json'], { ...noDatabase, SLUICE_CONN_NOWHERE: 'http://h' });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    const missing = await sluice(['tasks', 'test', 'reads_secrets', 'unknown_connection', '--json'], noDatabase);
    assert.equal(missing.code, 1);
    assert.match(JSON.parse(missing.stdout.slice(missing.stdout.lastIndexOf('\n{') + 1)).error, /could not read it from the metadata database .*ECONNREFUSED.*set the environment variable SLUICE_CONN_NOWHERE/);
  });
});

