import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { MongoClient, type Db } from 'mongodb';
import { pino } from 'pino';
import { ensureIndexes, fillShop } from '../../demo/fill.ts';
import { modifyShop } from '../../demo/modify.ts';
import {
  badKinds,
  createRng,
  generateCustomers,
  generateOrders,
  generateProducts,
  type CustomerDoc,
  type OrderDoc,
  type ProductDoc,
  type ShopDataOptions,
} from '../../demo/shop-data.ts';
import { startMongoStandIn, type MongoStandIn } from '../support/mongo-standin/server.ts';

const to = new Date('2026-03-01T12:00:00.000Z');
const from = new Date(to.getTime() - 3 * 86_400_000);
const options: ShopDataOptions = { seed: 11, from, to, badRecordRate: 0.02 };
const sizes = { customers: 400, products: 40, orders: 2_000 };
const log = pino({ level: 'silent' });
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function countBad<T>(docs: Iterable<T>, classify: (doc: T) => string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const doc of docs) for (const kind of classify(doc)) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

describe('demo data against the MongoDB stand-in', () => {
  let standIn: MongoStandIn;
  let client: MongoClient;

  before(async () => {
    standIn = await startMongoStandIn({ log: () => undefined });
    client = new MongoClient(standIn.url);
    await client.connect();
  });

  after(async () => {
    await client.close();
    await standIn.close();
  });

  describe('a fresh fill, then a modify cycle', () => {
    let db: Db;
    before(async () => {
      db = client.db('fresh');
    });

    it('fills every collection in batches, with the bad records the generator planted', async () => {
      const summary = await fillShop(db, { ...options, sizes, batchSize: 150, log });
      assert.deepEqual(summary, {
        customers: { inserted: 400, skipped: false },
        products: { inserted: 40, skipped: false },
        orders: { inserted: 2_000, skipped: false },
      });
      const customers = await db.collection<CustomerDoc>('customers').find().toArray();
      const products = await db.collection<ProductDoc>('products').find().toArray();
      const orders = await db.collection<OrderDoc>('orders').find().toArray();
      assert.deepEqual([customers.length, products.length, orders.length], [400, 40, 2_000]);

      // Read back, the bad values are still what the classifier looks for (strings stay strings, Dates Dates).
      const expectedCustomers = [...generateCustomers(sizes.customers, options)];
      const expectedProducts = [...generateProducts(sizes.products, options)];
      const expectedOrders = generateOrders(sizes.orders, expectedCustomers.map((c) => c._id), expectedProducts, options);
      assert.deepEqual(countBad(customers, (c) => badKinds('customers', c)), countBad(expectedCustomers, (c) => badKinds('customers', c)));
      assert.deepEqual(countBad(orders, (o) => badKinds('orders', o)), countBad(expectedOrders, (o) => badKinds('orders', o)));
      assert.ok(Object.keys(countBad(orders, (o) => badKinds('orders', o))).length === 2, 'both kinds of bad orders are there');

      const customerIds = new Set(customers.map((c) => c._id.toHexString()));
      for (const o of orders) assert.ok(customerIds.has(o.customerId.toHexString()));
    });

    it('leaves a filled shop alone when called again', async () => {
      const summary = await fillShop(db, { ...options, sizes, log });
      assert.ok(summary.customers.skipped && summary.products.skipped && summary.orders.skipped);
      assert.equal(await db.collection('orders').countDocuments(), 2_000);
    });

    it('indexes updatedAt in every collection', async () => {
      await ensureIndexes(db);
      await ensureIndexes(db); // idempotent
      for (const name of ['customers', 'products', 'orders']) {
        const indexes = await db.collection(name).indexes();
        assert.ok(indexes.some((i) => i.name === 'updatedAt_1' && i.key.updatedAt === 1), name);
      }
    });

    it('changes a batch and inserts a few documents, all with updatedAt = now', async () => {
      const now = new Date(to.getTime() + 60_000);
      const summary = await modifyShop(db, { rng: createRng(5), now, batch: 50, badRecordRate: 0 });
      assert.deepEqual(summary.updated, { orders: 25, customers: 15, products: 10 });
      assert.ok(summary.inserted.orders >= 1 && summary.inserted.orders <= 5);
      assert.ok(summary.inserted.customers >= 0 && summary.inserted.customers <= 2);

      const touched = async (name: string): Promise<number> => db.collection(name).countDocuments({ updatedAt: now });
      assert.equal(await touched('orders'), summary.updated.orders + summary.inserted.orders);
      assert.equal(await touched('customers'), summary.updated.customers + summary.inserted.customers);
      assert.equal(await touched('products'), summary.updated.products);
      assert.equal(await db.collection('orders').countDocuments(), 2_000 + summary.inserted.orders);
      assert.equal(await db.collection('customers').countDocuments(), 400 + summary.inserted.customers);

      // New orders belong to customers that exist, and changed ones still have a valid status.
      const customerIds = new Set((await db.collection<CustomerDoc>('customers').find({}, { projection: { _id: 1 } }).toArray()).map((c) => c._id.toHexString()));
      for (const o of await db.collection<OrderDoc>('orders').find({ updatedAt: now }).toArray()) {
        assert.ok(customerIds.has(o.customerId.toHexString()));
        assert.ok(['placed', 'paid', 'shipped', 'delivered', 'cancelled'].includes(o.status));
      }
    });
  });

  it('fills only the empty collections, ordering from the customers already there', async () => {
    const db = client.db('partial');
    const existing = [...generateCustomers(50, { ...options, seed: 99 })];
    await db.collection<CustomerDoc>('customers').insertMany(existing);
    const summary = await fillShop(db, { ...options, sizes, log });
    assert.deepEqual(summary.customers, { inserted: 0, skipped: true });
    assert.equal(summary.orders.inserted, 2_000);
    const ids = new Set(existing.map((c) => c._id.toHexString()));
    for (const o of await db.collection<OrderDoc>('orders').find().toArray()) assert.ok(ids.has(o.customerId.toHexString()));
  });

  describe('demo/main.ts as a process', () => {
    const run = (env: Record<string, string>, onLine?: (line: string, stop: () => void) => void): Promise<{ code: number | null; lines: string[] }> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'demo/main.ts'], {
          cwd: repoRoot,
          env: { ...process.env, ...env },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        const lines: string[] = [];
        let buffered = '';
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', (chunk: string) => {
          buffered += chunk;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            lines.push(line);
            onLine?.(line, () => child.kill('SIGTERM'));
          }
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, lines }));
      });

    it('fills once and exits 0 with DEMO_MODIFY_INTERVAL=0', async () => {
      const { code, lines } = await run({
        MONGO_URL: `${standIn.url}mainonce`,
        DEMO_CUSTOMERS: '120',
        DEMO_PRODUCTS: '15',
        DEMO_ORDERS: '600',
        DEMO_MODIFY_INTERVAL: '0',
      });
      assert.equal(code, 0, lines.join('\n'));
      const db = client.db('mainonce');
      assert.deepEqual(
        [await db.collection('customers').countDocuments(), await db.collection('products').countDocuments(), await db.collection('orders').countDocuments()],
        [120, 15, 600],
      );
      assert.ok(lines.some((l) => l.includes('shop ready')));
    });

    it('runs modify cycles and stops cleanly on SIGTERM', async () => {
      let cycles = 0;
      const { code, lines } = await run(
        { MONGO_URL: `${standIn.url}mainloop`, DEMO_CUSTOMERS: '50', DEMO_PRODUCTS: '10', DEMO_ORDERS: '100', DEMO_MODIFY_INTERVAL: '50ms', DEMO_MODIFY_BATCH: '10' },
        (line, stop) => {
          if (line.includes('"cycle"') && ++cycles === 2) stop();
        },
      );
      assert.equal(code, 0, lines.join('\n'));
      assert.ok(cycles >= 2);
      assert.ok(lines.some((l) => l.includes('SIGTERM received')));
      assert.ok((await client.db('mainloop').collection('orders').countDocuments()) > 100, 'cycles inserted orders');
    });

    it('exits 2 naming the variable of an invalid setting', async () => {
      const { code, lines } = await run({ DEMO_ORDERS: 'lots' });
      assert.equal(code, 2);
      assert.ok(lines.some((l) => l.includes('DEMO_ORDERS')), lines.join('\n'));
    });
  });
});
