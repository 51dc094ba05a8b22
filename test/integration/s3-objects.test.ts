import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createS3Client, s3SettingsFromEnv } from '../../src/providers/s3/client.ts';
import {
  deleteObjects,
  listObjects,
  objectSize,
  putJson,
  readStream,
  putObject,
  readText,
  type ObjectStore,
} from '../../src/providers/s3/objects.ts';
import { startS3Testbed, type S3Testbed } from '../support/s3-testbed.ts';

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('S3 objects against s3rver', () => {
  let s3: S3Testbed;
  let store: ObjectStore;

  before(async () => {
    s3 = await startS3Testbed();
    store = { client: createS3Client(s3SettingsFromEnv(s3.env)), bucket: s3.bucket };
  });
  after(async () => {
    store.client.destroy();
    await s3.close();
  });

  test('a PUT of 12 MiB reads back byte for byte, streamed', async () => {
    // Larger than any ETL part (8 MiB plus at most one 64 KiB chunk), of an odd length.
    const written = randomBytes(12 * 1024 * 1024 + 12345);
    await putObject(store, 'roundtrip/big.bin', written);
    const read = await bytesOf(await readStream(store, 'roundtrip/big.bin'));
    assert.equal(read.length, written.length);
    assert.equal(createHash('sha256').update(read).digest('hex'), createHash('sha256').update(written).digest('hex'));
    assert.equal(await objectSize(store, 'roundtrip/big.bin'), written.length);
  });

  test('JSON objects, listing, sizes of missing objects, batched deletes', async () => {
    await putJson(store, 'list/a.json', { a: 1 });
    for (let i = 0; i < 5; i++) await putObject(store, `list/part-${i}`, Buffer.from(`part ${i}`));
    assert.deepEqual(JSON.parse((await readText(store, 'list/a.json'))!), { a: 1 });
    assert.equal(await readText(store, 'list/missing.json'), undefined);
    assert.equal(await objectSize(store, 'list/missing'), undefined);
    const listed = [];
    for await (const object of listObjects(store, 'list/')) listed.push(object.key);
    assert.deepEqual(listed.sort(), ['list/a.json', 'list/part-0', 'list/part-1', 'list/part-2', 'list/part-3', 'list/part-4']);
    assert.equal(await deleteObjects(store, listed), 6);
    const left = [];
    for await (const object of listObjects(store, 'list/')) left.push(object.key);
    assert.deepEqual(left, []);
  });

  test('a missing bucket is an error that says so', async () => {
    const other = { client: store.client, bucket: 'no-such-bucket' };
    await assert.rejects(putObject(other, 'x', Buffer.from('x')), /s3:\/\/no-such-bucket\/x.*bucket does not exist/);
  });

  test('S3_* settings are checked', () => {
    assert.throws(() => s3SettingsFromEnv({ S3_ENDPOINT: 'minio:9000' }), /S3_ENDPOINT must be an http\(s\) URL/);
    assert.throws(() => s3SettingsFromEnv({ S3_ACCESS_KEY_ID: 'x' }), /set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/);
    assert.equal(s3SettingsFromEnv({ S3_ENDPOINT: 'http://h:9000' }).forcePathStyle, true);
    assert.equal(s3SettingsFromEnv({}).forcePathStyle, false);
  });
});
