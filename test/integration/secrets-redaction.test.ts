/**
 * No password of a connection string is ever printed. Every error path that meets one is driven
 * with a known password: a MongoDB URL with a bad scheme, a bad port or no server; a warehouse URL
 * with no server, a bad port, no database or an unknown role; an S3 endpoint that is not http(s)
 * and credentials S3 refuses; a task's own error quoting a URL; and the CLI with a metadata database or Redis URL it cannot use. The
 * scheduler, worker and webserver run as `sluice` processes whose own database, Redis and
 * warehouse URLs carry the password too (trust authentication and a Redis without AUTH ignore
 * it), at debug level. The password must appear in no task error (through the API), no try's
 * log, and no output of any process.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBookkeeping } from '../../src/providers/etl/bookkeeping.ts';
import { openWarehouse } from '../../src/providers/postgres/connection.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { dropDatabase } from '../../src/store/db.ts';
import { sluice } from '../support/cli.ts';
import { Harness } from '../support/harness.ts';
import { startSluice, type SluiceProcess } from '../support/sluice-process.ts';
import { startS3Testbed, type S3Testbed } from '../support/s3-testbed.ts';

const PW = 's3cr3t-P4ss';
const withPassword = (url: string) => url.replace('postgres://postgres@', `postgres://postgres:${PW}@`);

/** Each task meets one connection string it cannot use; none retries. */
const DAG = `
import { dag } from 'sluice';
import { cleanupEtl, etlResources, extractCollection, openMongoSource, openWarehouse, s3SettingsFromEnv } from 'sluice/providers';

const PW = '${PW}';
const d = dag('secrets', { schedule: null, defaultArgs: { retries: 0 } });
const drain = async (url: string) => {
  const source = openMongoSource(url);
  try {
    for await (const _ of source.read('customers', { modifiedField: 'updatedAt', from: null, until: new Date() })) void _;
  } finally {
    await source.close();
  }
};
// The worker's own MONGO_URL (a typo'd scheme), as a user would get it wrong.
d.task('extract_bad_scheme', (ctx) => extractCollection(ctx, { collection: 'customers', modifiedField: 'updatedAt' }));
d.task('mongo_bad_scheme', async () => { etlResources({ MONGO_URL: 'mongo://etl:' + PW + '@127.0.0.1:27017/shop' }).source(); });
d.task('mongo_bad_port', () => drain('mongodb://etl:' + PW + '@127.0.0.1:notaport/shop'));
d.task('mongo_unreachable', () => drain('mongodb://etl:' + PW + '@127.0.0.1:1/shop'));
d.task('warehouse_unreachable', async () => { await openWarehouse('postgres://etl:' + PW + '@127.0.0.1:1/warehouse'); });
d.task('warehouse_bad_port', async () => { await openWarehouse('postgres://etl:' + PW + '@127.0.0.1:notaport/warehouse'); });
d.task('warehouse_no_database', async () => { await openWarehouse('postgres://etl:' + PW + '@127.0.0.1:5432'); });
d.task('warehouse_unknown_role', async () => { await openWarehouse('postgres://nobody_here:' + PW + '@127.0.0.1:5432/postgres'); });
d.task('s3_bad_endpoint', async () => { s3SettingsFromEnv({ S3_ENDPOINT: 's3://key:' + PW + '@127.0.0.1:9000' }); });
// s3rver checks access key ids but not version 4 signatures: a key it does not know is refused.
d.task('s3_wrong_credentials', (ctx) =>
  cleanupEtl(ctx, { dryRun: true, resources: etlResources({ ...process.env, S3_ACCESS_KEY_ID: 'NOT-A-KEY', S3_SECRET_ACCESS_KEY: PW }) }));
// The task's own code (or a library it calls) throws an error that quotes a connection string.
d.task('own_error_quotes_url', async () => { throw new Error('could not reach postgres://etl:' + PW + '@db.internal:5432/wh'); });
export default d;
`;

/** What each task's error must still say (so that redaction does not hide what went wrong). */
const EXPECTED_ERRORS: Record<string, RegExp> = {
  extract_bad_scheme: /MONGO_URL must be a MongoDB connection string .*"mongo:\/\/etl:\*\*\*@127\.0\.0\.1:27017\/shop"/,
  mongo_bad_scheme: /MONGO_URL must be a MongoDB connection string .*"mongo:\/\/etl:\*\*\*@127\.0\.0\.1:27017\/shop"/,
  mongo_bad_port: /mongodb:\/\/etl:\*\*\*@127\.0\.0\.1:notaport\/shop/,
  mongo_unreachable: /ECONNREFUSED/,
  warehouse_unreachable: /cannot open the warehouse database postgres:\/\/etl:\*\*\*@127\.0\.0\.1:1\/warehouse: .*ECONNREFUSED/,
  warehouse_bad_port: /warehouse URL/,
  warehouse_no_database: /postgres:\/\/etl:\*\*\*@127\.0\.0\.1:5432 names no database/,
  warehouse_unknown_role: /role "nobody_here" does not exist/,
  s3_bad_endpoint: /S3_ENDPOINT must be an http\(s\) URL .*"s3:\/\/key:\*\*\*@127\.0\.0\.1:9000"/,
  s3_wrong_credentials: /Access Key Id you provided does not exist|InvalidAccessKeyId/,
  own_error_quotes_url: /could not reach postgres:\/\/etl:\*\*\*@db\.internal:5432\/wh/,
};

type Child = SluiceProcess & { name: string };

function startNamed(name: string, args: string[], env: NodeJS.ProcessEnv): Child {
  return { name, ...startSluice(args, env) };
}

function assertNoPassword(where: string, text: string): void {
  const at = text.indexOf(PW);
  assert.equal(at, -1, `${where} shows the password: …${text.slice(Math.max(0, at - 200), at + 50)}…`);
}

describe('connection-string passwords are never printed', { timeout: 180_000 }, () => {
  const h = new Harness({ dags: { 'secrets.ts': DAG } });
  let s3: S3Testbed;
  let env: NodeJS.ProcessEnv;
  let warehouseUrl: string;
  const children: Child[] = [];

  before(async () => {
    await h.setUp();
    s3 = await startS3Testbed();
    warehouseUrl = `postgres://postgres@127.0.0.1:5432/sluice_wh_${h.id}`;
    // The extract reads its watermark before it opens MongoDB: the warehouse has its bookkeeping.
    const warehouse = await openWarehouse(warehouseUrl, { max: 1 });
    await ensureBookkeeping(warehouse);
    await warehouse.end();
    env = {
      ...h.childEnv(),
      ...s3.env,
      SLUICE_DATABASE_URL: withPassword(h.config.databaseUrl),
      SLUICE_REDIS_URL: `redis://:${PW}@127.0.0.1:6379/0`,
      SLUICE_LOG_LEVEL: 'debug',
      MONGO_URL: `mongo://etl:${PW}@127.0.0.1:27017/shop`,
      WAREHOUSE_DATABASE_URL: withPassword(warehouseUrl),
    };
  });
  after(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await h.tearDown();
    await s3?.close();
    if (warehouseUrl) await dropDatabase(warehouseUrl);
  });

  test('task errors (API), try logs and the scheduler, worker and webserver output', async () => {
    children.push(startNamed('scheduler', ['scheduler'], env));
    children.push(startNamed('worker', ['worker', '--concurrency', '12'], env));
    const web = startNamed('webserver', ['webserver', '--port', '0'], env);
    children.push(web);
    const api = await h.waitFor('the webserver', async () => /Sluice webserver: (http:\S+)/.exec(web.output())?.[1]);
    await h.waitForDag('secrets');

    const { runId } = await triggerDagRun(h.db, 'secrets', {});
    assert.equal((await h.waitForRunEnd('secrets', runId, 120_000)).state, 'failed');

    const base = `${api}/api/v1/dags/secrets/dagRuns/${encodeURIComponent(runId)}/taskInstances`;
    const listing = await fetch(base);
    assert.equal(listing.status, 200);
    const listingText = await listing.text();
    assertNoPassword('GET taskInstances', listingText);
    const { taskInstances } = JSON.parse(listingText) as { taskInstances: { taskId: string; state: string; tryNumber: number }[] };
    assert.deepEqual(taskInstances.map((ti) => ti.taskId).sort(), Object.keys(EXPECTED_ERRORS).sort());
    for (const { taskId, state, tryNumber } of taskInstances) {
      assert.equal(state, 'failed', `${taskId} should have failed`);
      const one = await fetch(`${base}/${taskId}`);
      const oneText = await one.text();
      assertNoPassword(`the error of ${taskId}`, oneText);
      assert.match((JSON.parse(oneText) as { error: string | null }).error ?? '', EXPECTED_ERRORS[taskId]!, taskId);
      const log = await fetch(`${base}/${taskId}/logs/${tryNumber}`);
      assert.equal(log.status, 200, `log of ${taskId}`);
      assertNoPassword(`the log of ${taskId}`, await log.text());
    }
    for (const { name, output } of children) assertNoPassword(`the output of sluice ${name}`, output());
  });

  test('the CLI, with a metadata database or Redis URL it cannot use', async () => {
    const db = (url: string) => ({ ...env, SLUICE_DATABASE_URL: url });
    const runs: [string, string[], NodeJS.ProcessEnv, RegExp][] = [
      ['db migrate, no database named', ['db', 'migrate'], db(`postgres://postgres:${PW}@127.0.0.1:5432`), /postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432.*names no database/],
      ['db migrate, a bad port', ['db', 'migrate'], db(`postgres://postgres:${PW}@127.0.0.1:notaport/sluice`), /URL/],
      ['db migrate, no server', ['db', 'migrate'], db(`postgres://postgres:${PW}@127.0.0.1:1/sluice`), /ECONNREFUSED/],
      ['runs list, no server', ['runs', 'list', 'secrets'], db(`postgres://postgres:${PW}@127.0.0.1:1/sluice`), /ECONNREFUSED/],
      ['dags trigger, a bad Redis URL', ['dags', 'trigger', 'secrets'], { ...env, SLUICE_REDIS_URL: `redis://:${PW}@127.0.0.1:notaport/0` }, /SLUICE_REDIS_URL/],
      ['worker, a bad Redis URL', ['worker'], { ...env, SLUICE_REDIS_URL: `redis://:${PW}@127.0.0.1:notaport/0` }, /SLUICE_REDIS_URL/],
    ];
    for (const [what, args, childEnv, says] of runs) {
      const result = await sluice(args, childEnv);
      assert.notEqual(result.code, 0, `${what}: ${result.stdout}${result.stderr}`);
      assertNoPassword(`sluice ${what}`, result.stdout + result.stderr);
      assert.match(result.stderr, says, what);
    }
  });
});
