/**
 * The showcase ETL's settings come from the connections mongo_shop, s3_etl and warehouse when they
 * exist, through a try's real ctx.connection(), and from the environment variables when not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeEtlResources } from '../../../../src/providers/etl/resources.ts';
import { etlResourcesOf, settingsOf } from '../../../../src/providers/etl/connections.ts';
import { connectionUri, parseConnectionUri } from '../../../../src/core/connection-uri.ts';
import type { TaskFn } from '../../../../src/sdk/context.ts';
import { executeTry } from '../../../../workers/execute.ts';
import { envSecrets } from '../../../support/env-secrets.ts';
import { tryInput } from '../../../support/try-input.ts';

/** What `fn` returned in a try whose connections are `env`'s SLUICE_CONN_* variables. */
async function inTry(env: NodeJS.ProcessEnv, fn: TaskFn): Promise<unknown> {
  const execution = await executeTry(tryInput(fn, { dagId: 'etl', secrets: envSecrets(env) }));
  assert.equal(execution.result.kind, "success", JSON.stringify(execution.result));
  return JSON.parse(execution.xcomJson!);
}

/** The store's settings; its credentials only when given (the AWS SDK's own chain would look for them on this machine). */
const storeSettings = (withCredentials: boolean): TaskFn => async (ctx) => {
  const { client, bucket } = (await etlResourcesOf(ctx, ['store'], { S3_BUCKET: 'from-env', S3_REGION: 'us-west-2' })).store();
  const credentials = withCredentials ? await client.config.credentials() : { accessKeyId: null };
  const endpoint = await client.config.endpoint?.();
  return { bucket, region: await client.config.region(), accessKeyId: credentials.accessKeyId, endpoint: endpoint ? `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}` : null };
};

test('an s3_etl connection gives the store: keys from login and password, endpoint from host and port, bucket from the path, region from extra', async (t) => {
  t.after(closeEtlResources);
  const uri = 'aws://AKIDEXAMPLE:wJalrXUtnFEMI%2FK7MDENG@minio:9000/etl-bucket?region_name=eu-central-1';
  assert.deepEqual(await inTry({ SLUICE_CONN_S3_ETL: uri }, storeSettings(true)), { bucket: 'etl-bucket', region: 'eu-central-1', accessKeyId: 'AKIDEXAMPLE', endpoint: 'http://minio:9000' });
  assert.deepEqual(settingsOf('store', { connectionId: 's3_etl', ...parseConnectionUri(uri), uri }), {
    S3_ENDPOINT: 'http://minio:9000',
    S3_REGION: 'eu-central-1',
    S3_BUCKET: 'etl-bucket',
    S3_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    S3_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG',
  });
});

test('with no s3_etl connection, the S3_* environment variables still say', async (t) => {
  t.after(closeEtlResources);
  assert.deepEqual(await inTry({}, storeSettings(false)), { bucket: 'from-env', region: 'us-west-2', accessKeyId: null, endpoint: null });
});

test('mongo_shop and warehouse connections become the MongoDB and warehouse URLs', () => {
  const mongo = parseConnectionUri('mongodb://shop:pw@mongo:27017/shop?authSource=admin');
  assert.deepEqual(settingsOf('source', { connectionId: 'mongo_shop', ...mongo, uri: connectionUri(mongo) }), { MONGO_URL: 'mongodb://shop:pw@mongo:27017/shop?authSource=admin' });
  const warehouse = parseConnectionUri('postgres://etl:pw@db:5432/warehouse');
  assert.deepEqual(settingsOf('warehouse', { connectionId: 'warehouse', ...warehouse, uri: connectionUri(warehouse) }), { WAREHOUSE_DATABASE_URL: 'postgres://etl:pw@db:5432/warehouse' });
});
