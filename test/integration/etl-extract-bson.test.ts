/**
 * Extract reads MongoDB as BSON bytes (readBson) and flattens them without decoding; a source
 * that only gives decoded documents (read) goes through DocumentFlattener. Both must write the
 * same parts, byte for byte, and report the same schema: checked here on the demo shop and on
 * documents no driver writes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BSON, Decimal128, DBRef, Long, ObjectId } from 'mongodb';
import { generateCustomers, generateOrders, generateProducts } from '../../demo/shop-data.ts';
import { extractCollection } from '../../src/providers/etl/extract.ts';
import type { ExtractResult } from '../../src/providers/etl/manifest.ts';
import { etlResources, type EtlResources } from '../../src/providers/etl/resources.ts';
import { startEtlTestbed, type EtlTestbed } from '../support/etl-testbed.ts';
import { taskContext } from '../support/task-context.ts';

const range = { seed: 5, from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z'), badRecordRate: 0.05 };

/** A document's BSON with more elements (given as bytes) at its end. */
function withElements(document: Record<string, unknown>, ...elements: Buffer[]): Buffer {
  const out = Buffer.concat([Buffer.from(BSON.serialize(document)).subarray(0, -1), ...elements, Buffer.from([0])]);
  out.writeInt32LE(out.length, 0);
  return out;
}

/** The result with the run's own part of each key taken out. */
function comparable(result: ExtractResult, runId: string) {
  const tables = Object.fromEntries(
    Object.entries(result.tables).map(([table, extract]) => [table, { ...extract, parts: extract.parts.map((part) => ({ ...part, key: part.key.replace(runId, 'RUN') })) }]),
  );
  return { ...result, tables };
}

describe('extract from BSON bytes and from decoded documents', () => {
  let bed: EtlTestbed;
  let resources: EtlResources;
  let decodedOnly: EtlResources;

  before(async () => {
    bed = await startEtlTestbed();
    const customers = [...generateCustomers(300, range)];
    const products = [...generateProducts(40, range)];
    await bed.mongo.collection('customers').insertMany(customers);
    await bed.mongo.collection('products').insertMany(products);
    await bed.mongo.collection('orders').insertMany([...generateOrders(700, customers.map((c) => c._id), products, range)]);
    const updatedAt = new Date('2026-10-15T00:00:00Z');
    await bed.mongo.collection<{ _id: ObjectId | string; updatedAt: Date; [field: string]: unknown }>('odd').insertMany([
      { _id: new ObjectId(), updatedAt, price: Decimal128.fromString('9.99'), big: Long.fromString('9007199254740993'), owner: new DBRef('customers', new ObjectId()) },
      { _id: 'text-key', updatedAt, '2024': 'an array-index name', address_city: 'a', address: { city: 'b' }, filter: { $gt: 1 }, lists: [[1, 2], { deep: [3] }] },
    ]);
    // What no driver writes (the stand-in stores it as given): invalid UTF-8, a repeated name.
    const s = Buffer.from([0x02, 0x73, 0x00, 0x04, 0x00, 0x00, 0x00, 0x61, 0xff, 0x62, 0x00]); // s: "a\xffb"
    bed.standIn?.insertRaw(bed.mongo.databaseName, 'odd', withElements({ _id: 'utf8', updatedAt }, s));
    bed.standIn?.insertRaw(bed.mongo.databaseName, 'odd', withElements({ _id: 'repeated', updatedAt, s: 'first' }, s));
    resources = etlResources(bed.env);
    // The same source with only `read`: what a source that gives decoded documents looks like.
    decodedOnly = {
      ...resources,
      source: () => {
        const source = resources.source();
        return { read: source.read.bind(source), close: source.close.bind(source) };
      },
    };
  });

  after(async () => {
    await bed?.close();
  });

  for (const collection of ['customers', 'products', 'orders', 'odd']) {
    test(`${collection}: the same parts and schema`, async () => {
      const run = async (runId: string, from: EtlResources) => {
        const ctx = taskContext({ dagId: 'bson', runId, taskId: `extract_${collection}`, params: { fullRefresh: true }, dataIntervalEnd: new Date('2027-01-01T00:00:00Z') });
        return comparable(await extractCollection(ctx, { collection, modifiedField: 'updatedAt' }, { resources: from, batchSize: 97 }), runId);
      };
      const fromBytes = await run('manual__bytes', resources);
      const fromDocuments = await run('manual__documents', decodedOnly);
      assert.deepEqual(fromBytes, fromDocuments);
      assert.ok(fromBytes.documents > 0);
    });
  }
});
