import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionEnvName, isSecretKey, variableEnvName } from '../../../src/core/secret-names.ts';

test('the environment variable of an id or key: upper-cased, "." and "-" written "_"', () => {
  assert.equal(connectionEnvName('my-db.prod'), 'SLUICE_CONN_MY_DB_PROD');
  assert.equal(connectionEnvName('s3_etl'), 'SLUICE_CONN_S3_ETL');
  assert.equal(variableEnvName('report.recipients'), 'SLUICE_VAR_REPORT_RECIPIENTS');
});

test('a key is secret when it contains secret, password, token, api_key or private, in any case', () => {
  for (const key of ['db_password', 'SLACK_TOKEN', 'Client_Secret', 'stripe_api_key', 'private_key_pem', 'tokens']) assert.equal(isSecretKey(key), true, key);
  for (const key of ['batch_size', 'region', 'apikey_hint', 'pass']) assert.equal(isSecretKey(key), false, key);
});
