/**
 * Connections and variables through the REST API and the CLI: passwords, extras and secret values
 * are sealed at rest (the raw tables hold no clear text), never answered, refused without a key;
 * CRUD errors say what is wrong; and a key rotation reseals everything under the new key.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Connection, Variable } from '../../src/api/schemas/index.ts';
import { startWebserver } from '../../src/api/server.ts';
import { requireConnection } from '../../src/engine/connections.ts';
import { keyFingerprint, SecretBox } from '../../src/engine/secret-box.ts';
import { sluice } from '../support/cli.ts';
import { Harness } from '../support/harness.ts';

const PW = 'Pa55-w0rd/with:odd@chars';
const TOKEN = 'tok-0123456789abcdef';
const oldKey = randomBytes(32).toString('hex');
const newKey = randomBytes(32).toString('base64');

describe('connections and variables', () => {
  const h = new Harness({ env: { SLUICE_SECRET_KEY: oldKey } });
  let base: string;
  /** A webserver of the same database with no SLUICE_SECRET_KEY. */
  let keyless: string;
  let closeKeyless: () => Promise<void> = async () => undefined;

  before(async () => {
    await h.setUp();
    base = `${(await h.startWebserver()).url}/api/v1`;
    const web = await startWebserver({ services: h.services, redis: h.redis, config: { ...h.config, secretKeys: { current: undefined, previous: [] } } }, { host: '127.0.0.1', port: 0 });
    closeKeyless = () => web.close();
    keyless = `${web.url}/api/v1`;
  });
  after(async () => {
    await closeKeyless();
    await h.tearDown();
  });

  const call = async <T>(method: string, path: string, body?: unknown, at = base) => {
    const res = await fetch(`${at}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as T & { error?: { code: string; message: string } } };
  };
  const rawTables = async () => JSON.stringify((await h.db.query('SELECT * FROM connections')).rows) + JSON.stringify((await h.db.query('SELECT * FROM variables')).rows);
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => sluice(args, { ...h.childEnv(), SLUICE_SECRET_KEY: oldKey, ...env });

  test('a connection from a URI: password answered as ***, extra from its query, nothing secret in the clear at rest', async () => {
    const uri = `postgres://etl:${encodeURIComponent(PW)}@db.example.com:5432/warehouse?sslmode=require&api_key=${TOKEN}`;
    const created = await call<Connection>('POST', '/connections', { connectionId: 'warehouse', uri });
    assert.equal(created.status, 201);
    const expected = { connectionId: 'warehouse', connType: 'postgres', host: 'db.example.com', port: 5432, login: 'etl', password: '***', schema: 'warehouse', extra: { sslmode: 'require', api_key: '***' } };
    assert.deepEqual(created.body, expected);
    assert.deepEqual((await call('GET', '/connections/warehouse')).body, expected);
    assert.deepEqual((await call('GET', '/connections')).body, { connections: [expected], totalEntries: 1 });
    const raw = await rawTables();
    for (const secret of [PW, encodeURIComponent(PW), TOKEN, 'sslmode']) assert.equal(raw.includes(secret), false, `the table holds ${secret} in the clear`);

    // A change of host keeps the password; "***" (what GET shows) keeps it too; null removes it.
    const patched = await call<Connection>('PATCH', '/connections/warehouse', { host: 'db2.example.com', password: '***', extra: { sslmode: 'disable', api_key: '***' } });
    assert.deepEqual(patched.body, { ...expected, host: 'db2.example.com', extra: { sslmode: 'disable', api_key: '***' } });
    const opened = await new SecretBox(h.config.secretKeys).open((await h.db.query('SELECT password_sealed FROM connections')).rows[0].password_sealed, 'connection:warehouse:password', 'pw');
    assert.equal(opened, PW);
    const cleared = await call<Connection>('PATCH', '/connections/warehouse', { password: null });
    assert.equal(cleared.body.password, null, 'no password is null, not "***"');
    assert.equal((await call('DELETE', '/connections/warehouse')).status, 204);
  });

  test('the API refuses what it cannot take, saying what is wrong', async () => {
    const bad = [
      [{ connectionId: 'x', uri: 'db.example.com:5432' }, /uri.*no "type:\/\/"/],
      [{ connectionId: 'x', uri: 'postgres://h', host: 'h' }, /either uri or the fields/],
      [{ connectionId: 'x' }, /connType.*is required/],
      [{ connectionId: 'bad id', connType: 'http' }, /connectionId.*letters, digits/],
      [{ connectionId: 'x', connType: 'http', port: 70000 }, /port.*0 to 65535/],
    ] as const;
    for (const [body, message] of bad) {
      const answer = await call('POST', '/connections', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match(answer.body.error!.message, message);
    }
    await call('POST', '/connections', { connectionId: 'api', connType: 'http', host: 'api.example.com' });
    const twice = await call('POST', '/connections', { connectionId: 'api', connType: 'http' });
    assert.equal(twice.status, 409);
    assert.match(twice.body.error!.message, /exists already/);
    assert.equal((await call('PATCH', '/connections/nowhere', { host: 'h' })).status, 404);
    assert.match((await call('GET', '/connections/nowhere')).body.error!.message, /there is no connection "nowhere"/);
    assert.equal((await call('DELETE', '/variables/nowhere')).status, 404);
  });

  test('without SLUICE_SECRET_KEY a password or a secret variable is refused with how to make a key; plain ones are kept', async () => {
    const withPassword = await call('POST', '/connections', { connectionId: 'k', uri: 'mysql://u:secretpw@h/db' }, keyless);
    assert.equal(withPassword.status, 400);
    assert.match(withPassword.body.error!.message, /the password of connection "k" cannot be stored: SLUICE_SECRET_KEY is not set.*openssl rand -hex 32/);
    const secret = await call('POST', '/variables', { key: 'slack_token', value: 'xoxb-123456' }, keyless);
    assert.equal(secret.status, 400);
    assert.match(secret.body.error!.message, /secret variable "slack_token" cannot be stored: SLUICE_SECRET_KEY is not set/);
    const secretExtra = await call('POST', '/connections', { connectionId: 'k', connType: 'http', extra: { api_key: 'k-123456' } }, keyless);
    assert.equal(secretExtra.status, 400);
    assert.match(secretExtra.body.error!.message, /the extra of connection "k" cannot be stored: SLUICE_SECRET_KEY is not set/);
    assert.equal((await call('POST', '/variables', { key: 'plain_setting', value: 'fine' }, keyless)).status, 201);
    assert.equal((await call('POST', '/connections', { connectionId: 'plain', connType: 'aws', extra: { region_name: 'eu-west-1' } }, keyless)).status, 201);
    // Stored under a key, a password cannot be read by a process without it: the message says what to set.
    await call('POST', '/connections', { connectionId: 'sealed', uri: 'mysql://u:secretpw@h/db' });
    const unreadable = await call('GET', '/connections/sealed', undefined, keyless);
    assert.equal(unreadable.status, 409);
    assert.match(unreadable.body.error!.message, /connection "sealed" cannot be decrypted: .*SLUICE_SECRET_KEY/);
    await call('DELETE', '/connections/sealed');
  });

  test('variables: secret ones are sealed and shown as ***, others as they are', async () => {
    assert.deepEqual((await call('POST', '/variables', { key: 'Report_API_Key', value: TOKEN, description: 'reports' })).body, { key: 'Report_API_Key', value: '***', description: 'reports' });
    assert.deepEqual((await call('POST', '/variables', { key: 'recipients', value: '["a@example.com"]' })).body, { key: 'recipients', value: '["a@example.com"]', description: '' });
    assert.equal((await rawTables()).includes(TOKEN), false);
    assert.deepEqual((await call('PATCH', '/variables/Report_API_Key', { value: '***', description: 'kept' })).body, { key: 'Report_API_Key', value: '***', description: 'kept' });
    const list = (await call<{ variables: Variable[] }>('GET', '/variables')).body.variables.map((v) => v.key);
    assert.deepEqual(list.filter((k) => k !== 'plain_setting'), ['Report_API_Key', 'recipients']);
  });

  test('the CLI adds, lists, gets and deletes connections and variables, with its exit codes, never printing a secret', async () => {
    const added = await cli(['connections', 'add', 'shop', '--uri', `mongodb://shop:${encodeURIComponent(PW)}@mongo:27017/shop`, '--extra', '{"authSource":"admin"}']);
    assert.equal(added.code, 0, added.stderr);
    const got = await cli(['connections', 'get', 'shop', '--json']);
    assert.deepEqual(JSON.parse(got.stdout), { connectionId: 'shop', connType: 'mongodb', host: 'mongo', port: 27017, login: 'shop', password: '***', schema: 'shop', extra: { authSource: 'admin' } });
    const listed = await cli(['connections', 'list']);
    assert.match(listed.stdout, /shop\s+mongodb\s+mongo\s+27017\s+shop\s+\*\*\*/);
    const again = await cli(['connections', 'add', 'shop', '--uri', 'mongodb://mongo/shop']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /connection "shop" exists already/);
    const badUri = await cli(['connections', 'add', 'x', '--uri', 'nope']);
    assert.equal(badUri.code, 2);
    assert.match(badUri.stderr, /--uri is not a connection URI/);
    assert.equal((await cli(['connections', 'add', 'x'])).code, 2);

    assert.equal((await cli(['variables', 'set', 'db_password', PW])).code, 0);
    assert.equal((await cli(['variables', 'set', 'batch_size', '500', '--description', 'rows per batch'])).code, 0);
    assert.equal((await cli(['variables', 'get', 'db_password'])).stdout, '***\n');
    assert.equal((await cli(['variables', 'get', 'batch_size'])).stdout, '500\n');
    const vars = JSON.parse((await cli(['variables', 'list', '--json'])).stdout) as { variables: Variable[] };
    assert.deepEqual(vars.variables.find((v) => v.key === 'batch_size'), { key: 'batch_size', value: '500', description: 'rows per batch' });
    const noKey = await cli(['variables', 'set', 'my_secret', 'x'], { SLUICE_SECRET_KEY: '' });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /SLUICE_SECRET_KEY is not set/);
    const badKey = await cli(['variables', 'list'], { SLUICE_SECRET_KEY: 'short' });
    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /SLUICE_SECRET_KEY must be 32 random bytes/);
    const gone = await cli(['variables', 'get', 'nowhere']);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /there is no variable "nowhere"/);
    for (const args of [['connections', 'delete', 'shop'], ['variables', 'delete', 'batch_size']]) assert.equal((await cli(args)).code, 0);
    assert.equal((await cli(['connections', 'delete', 'shop'])).code, 2);
    assert.equal((await rawTables()).includes(PW), false);
  });

  test('a key rotation: the new key with the old as previous reads everything; `secrets rotate` reseals it all; then the old key can go', async () => {
    await call('POST', '/connections', { connectionId: 'rotated', uri: `postgres://u:${encodeURIComponent(PW)}@h/db?sslmode=require` });
    const rotating = { SLUICE_SECRET_KEY: newKey, SLUICE_SECRET_KEY_PREVIOUS: oldKey };
    assert.equal((await cli(['connections', 'get', 'rotated'], rotating)).code, 0);
    const rotated = await cli(['secrets', 'rotate', '--json'], rotating);
    assert.equal(rotated.code, 0, rotated.stderr);
    const counts = JSON.parse(rotated.stdout) as { connections: number; variables: number };
    assert.ok(counts.connections >= 1 && counts.variables >= 1, rotated.stdout);
    const fingerprints = (await h.db.query<{ f: string }>(
      `SELECT split_part(s, '.', 2) AS f FROM (SELECT password_sealed AS s FROM connections UNION ALL SELECT extra_sealed FROM connections UNION ALL SELECT value_sealed FROM variables) x WHERE s IS NOT NULL`,
    )).rows.map((r) => r.f);
    assert.deepEqual([...new Set(fingerprints)], [keyFingerprint(Buffer.from(newKey, 'base64'))]);
    const plainExtras = await h.db.query('SELECT connection_id FROM connections WHERE extra IS NOT NULL');
    assert.deepEqual(plainExtras.rows, [], 'an extra stored in the clear while there was no key is sealed too');
    // The new key alone reads it; the old one no longer does, and says which key would.
    const fresh = new SecretBox({ current: Buffer.from(newKey, 'base64'), previous: [] });
    assert.equal((await requireConnection(h.db, fresh, 'rotated')).extra.sslmode, 'require');
    const stale = await cli(['connections', 'get', 'rotated']);
    assert.equal(stale.code, 2);
    assert.match(stale.stderr, /cannot be decrypted: it was sealed with the key of fingerprint [0-9a-f]{8}/);
    assert.equal(JSON.parse((await cli(['secrets', 'rotate', '--json'], rotating)).stdout).connections, 0, 'nothing is left to reseal');
  });
});
