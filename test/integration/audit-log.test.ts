/**
 * The audit log: each change through the API is recorded with the token's user, each kind the CLI
 * makes with cli:<os user>; a refused change (403) leaves no entry; GET /auditLog filters by DAG
 * and action and pages newest first; connections and variables are recorded as shown, never with
 * a secret.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { AuditLog, AuditLogEntry } from '../../src/api/schemas/audit-log.ts';
import { sluice } from '../support/cli.ts';
import { ApiFixture, client, dagSpec, taskSpec } from '../support/api-fixture.ts';

const KEY = randomBytes(32);

describe('audit log', () => {
  const fx = new ApiFixture();
  let operator: ReturnType<typeof client>;
  let admin: ReturnType<typeof client>;
  let viewer: ReturnType<typeof client>;
  const log = async (query = '') => (await admin<AuditLog>('GET', `/api/v1/auditLog${query}`)).body;

  before(async () => {
    await fx.setUp();
    const spec = dagSpec('orders', ['extract', 'load'], [['extract', 'load']]);
    spec.tasks[1] = taskSpec('load', { ...spec.tasks[1], outlets: ['db://orders'] });
    await fx.addDag(spec);
    const { url } = await fx.start({
      secretKeys: { current: KEY, previous: [] },
      apiTokens: [
        { name: 'alice', token: 'a', role: 'admin' },
        { name: 'ci', token: 'o', role: 'operator' },
        { name: 'dash', token: 'v', role: 'viewer' },
      ],
    });
    [admin, operator, viewer] = [client(url, 'a'), client(url, 'o'), client(url, 'v')];
  });
  after(() => fx.tearDown());

  test('every change through the API is recorded with the user of its token, with what a reader needs', async () => {
    const ok = async (reply: Promise<{ status: number; text: string }>) => {
      const { status, text } = await reply;
      assert.ok(status < 300, text);
      return JSON.parse(text || '{}') as Record<string, unknown>;
    };
    const run = await ok(operator('POST', '/api/v1/dags/orders/dagRuns', { json: { logicalDate: '2026-03-01T00:00:00Z', conf: { full: true } } }));
    const runId = run.dagRunId as string;
    await ok(operator('POST', '/api/v1/dags/orders/clearTaskInstances', { json: { dagRunId: runId, taskIds: ['extract'], includeDownstream: true } }));
    await ok(operator('PATCH', `/api/v1/dags/orders/dagRuns/${runId}/taskInstances/extract`, { json: { state: 'success' } }));
    await ok(operator('PATCH', `/api/v1/dags/orders/dagRuns/${runId}`, { json: { state: 'failed' } }));
    await ok(operator('PATCH', '/api/v1/dags/orders', { json: { isPaused: true } }));
    await ok(operator('PATCH', '/api/v1/dags/orders', { json: { isPaused: false } }));
    const backfill = await ok(operator('POST', '/api/v1/backfills', { json: { dagId: 'orders', fromDate: '2026-02-01', toDate: '2026-02-02' } }));
    await ok(operator('POST', `/api/v1/backfills/${backfill.id as number}/cancel`));
    await ok(operator('POST', '/api/v1/assets/events', { json: { uri: 'db://orders', extra: { rows: 7 } } }));
    await ok(admin('POST', '/api/v1/pools', { json: { name: 'etl', slots: 2 } }));
    await ok(admin('PATCH', '/api/v1/pools/etl', { json: { slots: 5 } }));
    await ok(admin('DELETE', '/api/v1/pools/etl'));

    const { entries, totalEntries } = await log();
    assert.equal(totalEntries, 12);
    const byAction = (action: string) => entries.find((e) => e.action === action)!;
    const pick = (e: AuditLogEntry) => [e.actor, e.action, e.dagId, e.dagRunId, e.taskId];
    assert.deepEqual(entries.map(pick), [
      ['alice', 'pool_delete', null, null, null],
      ['alice', 'pool_update', null, null, null],
      ['alice', 'pool_create', null, null, null],
      ['ci', 'asset_event', null, null, null],
      ['ci', 'backfill_cancel', 'orders', null, null],
      ['ci', 'backfill', 'orders', null, null],
      ['ci', 'unpause', 'orders', null, null],
      ['ci', 'pause', 'orders', null, null],
      ['ci', 'run_mark', 'orders', runId, null],
      ['ci', 'mark', 'orders', runId, 'extract'],
      ['ci', 'clear', 'orders', runId, null],
      ['ci', 'trigger', 'orders', runId, null],
    ]);
    assert.deepEqual(byAction('trigger').details, { logicalDate: '2026-03-01T00:00:00.000Z', conf: { full: true } });
    assert.deepEqual(byAction('clear').details, { taskIds: ['extract'], includeDownstream: true, onlyFailed: false, cleared: ['extract', 'load'] });
    assert.deepEqual(byAction('mark').details, { state: 'success', mapIndex: -1, changed: true });
    assert.deepEqual(byAction('run_mark').details, { state: 'failed', changed: true });
    assert.deepEqual(byAction('backfill').details, {
      backfillId: backfill.id,
      fromDate: '2026-02-01T00:00:00.000Z',
      toDate: '2026-02-02T00:00:00.000Z',
      reprocessBehavior: 'none',
      maxActiveRuns: 10,
      runBackwards: false,
      dagRunConf: {},
      runs: 2,
    });
    assert.deepEqual(byAction('backfill_cancel').details, { backfillId: backfill.id });
    assert.deepEqual(byAction('asset_event').details, { uri: 'db://orders', extra: { rows: 7 }, eventId: 1 });
    assert.deepEqual(byAction('pool_update').details, { pool: 'etl', slots: 5 });
    assert.ok(entries.every((e, i) => i === 0 || e.id < entries[i - 1]!.id), 'newest first');
  });

  test('a change refused (403) or failed (404) leaves no entry', async () => {
    const before = (await log()).totalEntries;
    assert.equal((await viewer('POST', '/api/v1/dags/orders/dagRuns', { json: {} })).status, 403);
    assert.equal((await operator('POST', '/api/v1/pools', { json: { name: 'x', slots: 1 } })).status, 403);
    assert.equal((await operator('PATCH', '/api/v1/dags/nowhere', { json: { isPaused: true } })).status, 404);
    assert.equal((await log()).totalEntries, before);
  });

  test('filters by DAG and by action, and pages', async () => {
    const dag = await log('?dagId=orders');
    assert.equal(dag.totalEntries, 8);
    assert.ok(dag.entries.every((e) => e.dagId === 'orders'));
    const pools = await log('?action=pool_create');
    assert.deepEqual(pools.entries.map((e) => [e.action, e.details]), [['pool_create', { pool: 'etl', slots: 2, description: '' }]]);
    const page = await log('?dagId=orders&limit=2&offset=1');
    assert.deepEqual(page.entries.map((e) => e.id), dag.entries.slice(1, 3).map((e) => e.id));
    assert.equal(page.totalEntries, 8);
    assert.equal((await log('?dagId=orders&action=pause')).totalEntries, 1);
    assert.equal((await admin('GET', '/api/v1/auditLog?limit=0')).status, 400);
  });

  test('each change through the CLI is recorded as cli:<os user>', async () => {
    const env = {
      ...process.env,
      SLUICE_DATABASE_URL: fx.config.databaseUrl,
      SLUICE_REDIS_URL: fx.config.redisUrl,
      SLUICE_QUEUE_PREFIX: fx.config.queuePrefix,
      SLUICE_LOG_LEVEL: 'silent',
    };
    const cli = async (...args: string[]) => {
      const { code, stdout, stderr } = await sluice(args, env);
      assert.equal(code, 0, `sluice ${args.join(' ')}: ${stderr}`);
      return stdout.trim();
    };
    const runId = await cli('dags', 'trigger', 'orders', '--conf', '{"n":1}');
    await cli('tasks', 'clear', 'orders', runId, '--task', 'extract');
    await cli('dags', 'pause', 'orders');
    await cli('dags', 'unpause', 'orders');
    await cli('dags', 'backfill', 'orders', '--from', '2025-01-01', '--to', '2025-01-01');
    await cli('assets', 'emit', 'db://orders', '--extra', '{"by":"hand"}');
    await cli('pools', 'set', 'cli_pool', '--slots', '3');
    await cli('pools', 'set', 'cli_pool', '--slots', '4');
    await cli('pools', 'delete', 'cli_pool');

    const entries = (await log('?limit=9')).entries.reverse();
    const actor = `cli:${userInfo().username}`;
    assert.deepEqual(
      entries.map((e) => [e.actor, e.action]),
      ['trigger', 'clear', 'pause', 'unpause', 'backfill', 'asset_event', 'pool_create', 'pool_update', 'pool_delete'].map((action) => [actor, action]),
    );
    const [triggered, cleared] = entries;
    assert.deepEqual([triggered!.dagRunId, triggered!.details.conf], [runId, { n: 1 }]);
    assert.deepEqual([cleared!.dagRunId, cleared!.details.taskIds], [runId, ['extract']]);
    assert.deepEqual(entries[5]!.details.extra, { by: 'hand' });
    assert.equal(entries[7]!.details.slots, 4);
  });

  test('connections and variables: each change recorded, from the API and the CLI, never with a password or secret value', async () => {
    const before = (await log()).totalEntries;
    const ok = async (reply: Promise<{ status: number; text: string }>) => assert.ok((await reply).status < 300);
    await ok(admin('POST', '/api/v1/connections', { json: { connectionId: 'wh', uri: 'postgres://etl:hunter2-pw@db:5432/dw' } }));
    await ok(admin('PATCH', '/api/v1/connections/wh', { json: { port: 6432 } }));
    await ok(admin('POST', '/api/v1/variables', { json: { key: 'slack_token', value: 'xoxb-very-secret' } }));
    await ok(admin('PATCH', '/api/v1/variables/slack_token', { json: { description: 'alerts' } }));
    await ok(admin('DELETE', '/api/v1/variables/slack_token'));
    await ok(admin('DELETE', '/api/v1/connections/wh'));
    const env = { ...process.env, SLUICE_DATABASE_URL: fx.config.databaseUrl, SLUICE_REDIS_URL: fx.config.redisUrl, SLUICE_QUEUE_PREFIX: fx.config.queuePrefix, SLUICE_LOG_LEVEL: 'silent', SLUICE_SECRET_KEY: KEY.toString('hex') };
    for (const args of [['variables', 'set', 'region', 'eu'], ['variables', 'set', 'region', 'us'], ['connections', 'add', 'shop', '--uri', 'mongodb://app:pw-secret-9@mongo/shop']]) {
      const { code, stderr } = await sluice(args, env);
      assert.equal(code, 0, stderr);
    }

    const { entries, totalEntries } = await log();
    assert.equal(totalEntries - before, 9);
    const cli = `cli:${userInfo().username}`;
    assert.deepEqual(entries.slice(0, 9).map((e) => [e.actor, e.action]), [
      [cli, 'connection_create'],
      [cli, 'variable_update'],
      [cli, 'variable_create'],
      ['alice', 'connection_delete'],
      ['alice', 'variable_delete'],
      ['alice', 'variable_update'],
      ['alice', 'variable_create'],
      ['alice', 'connection_update'],
      ['alice', 'connection_create'],
    ]);
    const text = JSON.stringify(entries);
    for (const secret of ['hunter2-pw', 'xoxb-very-secret', 'pw-secret-9']) assert.ok(!text.includes(secret), `${secret} is in the audit log`);
    assert.deepEqual(entries[1]!.details, { key: 'region', value: 'us', description: '' });
    assert.deepEqual(entries[7]!.details, { connectionId: 'wh', connType: 'postgres', host: 'db', port: 6432, login: 'etl', password: '***', schema: 'dw', extra: {} });
    assert.deepEqual(entries[6]!.details, { key: 'slack_token', value: '***', description: '' });
  });
});
