import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionUri, ConnectionUriError, parseConnectionUri } from '../../../src/core/connection-uri.ts';

test('a URI gives the fields, its query parameters the extra, as Airflow reads one', () => {
  assert.deepEqual(parseConnectionUri('postgres://etl:s%40cret@db.example.com:5432/warehouse?sslmode=require&application_name=sluice'), {
    connType: 'postgres',
    host: 'db.example.com',
    port: 5432,
    login: 'etl',
    password: 's@cret',
    schema: 'warehouse',
    extra: { sslmode: 'require', application_name: 'sluice' },
  });
  assert.deepEqual(parseConnectionUri('google-cloud-platform://'), { connType: 'google_cloud_platform', host: null, port: null, login: null, password: null, schema: null, extra: {} });
});

test('the URI made of the fields reads back as the same fields, whatever characters the password holds', () => {
  const fields = { connType: 'mongodb', host: 'mongo', port: 27017, login: 'shop user', password: 'p@ss:w/rd?#%', schema: 'shop', extra: { authSource: 'admin', opts: { a: 1 } } };
  const uri = connectionUri(fields);
  assert.equal(uri.startsWith('mongodb://shop%20user:p%40ss%3Aw%2Frd%3F%23%25@mongo:27017/shop?'), true, uri);
  assert.deepEqual(parseConnectionUri(uri), { ...fields, extra: { authSource: 'admin', opts: '{"a":1}' } });
});

test('what is not a connection URI is refused with what to fix', () => {
  assert.throws(() => parseConnectionUri('db.example.com:5432'), (e) => e instanceof ConnectionUriError && /no "type:\/\/"/.test(e.message));
  assert.throws(() => parseConnectionUri('postgres://u:p@host:99999/db'), (e) => e instanceof ConnectionUriError && /percent-encode/.test(e.message));
});
