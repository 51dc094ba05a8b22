import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deserialize } from 'bson';
import { MongoClient } from 'mongodb';
import { openMongoSource, type DocumentSource, type DocumentWindow } from '../../../../src/providers/mongo/source.ts';
import { startMongoStandIn, type MongoStandIn } from '../../../support/mongo-standin/server.ts';

const window: DocumentWindow = { modifiedField: 'updatedAt', from: null, until: new Date('2027-01-01T00:00:00Z') };

describe('a source read as BSON batches', () => {
  let standIn: MongoStandIn;
  let source: DocumentSource;
  let client: MongoClient;

  before(async () => {
    standIn = await startMongoStandIn();
    const url = `${standIn.url}shop`;
    client = new MongoClient(url);
    const docs = Array.from({ length: 50 }, (_, i) => ({ _id: i, name: `n${i}`, updatedAt: new Date(Date.UTC(2026, 0, 1 + i)) }));
    await client.db().collection<{ _id: number | string; name?: string; updatedAt: Date }>('things').insertMany([...docs, { _id: 'later', updatedAt: new Date('2028-01-01T00:00:00Z') }]);
    source = openMongoSource(url);
  });

  after(async () => {
    await source.close();
    await client.close();
    await standIn.close();
  });

  test('gives the window’s documents, in batches, byte for byte what the driver decodes', async () => {
    const batches: Uint8Array[][] = [];
    for await (const batch of source.readBson!('things', window, { batchSize: 7 })) batches.push(batch);
    assert.deepEqual(batches.map((b) => b.length), [7, 7, 7, 7, 7, 7, 7, 1]);
    const decoded = batches.flat().map((bytes) => deserialize(bytes));
    const read: unknown[] = [];
    for await (const document of source.read('things', window, { batchSize: 7 })) read.push(document);
    assert.deepEqual(decoded, read);
    assert.equal(decoded.length, 50);
    assert.equal(standIn.openCursors, 0);
  });

  test('a reader that stops early leaves no cursor open on the server', async () => {
    for await (const batch of source.readBson!('things', window, { batchSize: 5 })) {
      assert.equal(batch.length, 5);
      break;
    }
    assert.equal(standIn.openCursors, 0);
  });

  test('reads from secondaries go through the driver’s cursor, raw, with the same batches', async () => {
    // Only the driver's cursor knows which server to send its getMores to when reads may go elsewhere.
    const secondaries = openMongoSource(`${standIn.url}shop?readPreference=secondaryPreferred`);
    try {
      const batches: Uint8Array[][] = [];
      for await (const batch of secondaries.readBson!('things', window, { batchSize: 7 })) batches.push(batch);
      const fromCommands: Uint8Array[][] = [];
      for await (const batch of source.readBson!('things', window, { batchSize: 7 })) fromCommands.push(batch);
      assert.deepEqual(batches.map((b) => b.map((d) => Buffer.from(d).toString('hex'))), fromCommands.map((b) => b.map((d) => Buffer.from(d).toString('hex'))));
      for await (const _batch of secondaries.readBson!('things', window, { batchSize: 5 })) break;
      assert.equal(standIn.openCursors, 0);
    } finally {
      await secondaries.close();
    }
  });

  test('a failed getMore fails the read, naming the collection', async () => {
    standIn.failNext('getMore', { code: 6, message: 'simulated network error' });
    const read = async () => {
      for await (const _batch of source.readBson!('things', window, { batchSize: 10 })) void _batch;
    };
    await assert.rejects(read, /reading MongoDB collection "things" failed: simulated network error/);
    assert.equal(standIn.openCursors, 0);
  });

  test('an aborted read stops and closes its cursor', async () => {
    const controller = new AbortController();
    const read = async () => {
      for await (const _batch of source.readBson!('things', window, { batchSize: 10, signal: controller.signal })) controller.abort(new Error('try cancelled'));
    };
    await assert.rejects(read, /try cancelled/);
    assert.equal(standIn.openCursors, 0);
  });
});
