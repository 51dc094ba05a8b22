/**
 * The ETL bench's incremental hour: after the first load, 5% of each collection's documents
 * change and 0.5% are new, all with updatedAt = `at`. A customer's phone changes, a product's
 * stock, an order's first item (its quantity), so an incremental promote has changed parents
 * and, for orders, one changed child row each; the new documents bring their child rows.
 *
 * Every 20th document in natural order (the order they were filled in) is changed: spread over
 * the collection, the same ones every run. Not sorted by _id: the stand-in sorts in memory, and
 * sorting 10,000,000 documents held it past the driver's monitoring timeout.
 * Written with unordered bulk updates of 1,000, so the stand-in is not asked 50,000 times.
 */
import type { Db as MongoDb, AnyBulkWriteOperation, Document } from 'mongodb';
import type { ObjectId } from 'bson';
import { generateCustomers, generateOrders, generateProducts } from '../../demo/shop-data.ts';
import type { OrderItem, ProductDoc } from '../../demo/shop-types.ts';

export type ShopSizes = Record<'customers' | 'products' | 'orders', number>;

export interface ShopChanges {
  modified: ShopSizes;
  inserted: ShopSizes;
  /** Order items changed: one per modified order. */
  changedItems: number;
  /** Child rows of the new documents (customers' tags, orders' items). */
  newChildRows: number;
}

const EVERY = 20;
const NEW_SHARE = 0.005;
const BATCH = 1_000;

export async function changeShop(db: MongoDb, sizes: ShopSizes, at: Date, seed: number): Promise<ShopChanges> {
  const modified: ShopSizes = {
    customers: await modifyEvery(db, 'customers', { phone: 1 }, () => ({ $set: { phone: '+1 555 0100', updatedAt: at } })),
    products: await modifyEvery(db, 'products', { stock: 1 }, () => ({ $set: { updatedAt: at }, $inc: { stock: 1 } })),
    orders: await modifyEvery(db, 'orders', { items: 1 }, (doc) => {
      const [first, ...rest] = doc.items as OrderItem[];
      return { $set: { updatedAt: at, items: first ? [{ ...first, quantity: first.quantity + 1 }, ...rest] : [] } };
    }),
  };

  const fresh = { from: at, to: at, seed, badRecordRate: 0 };
  const count = (n: number) => Math.max(1, Math.round(n * NEW_SHARE));
  const customers = [...generateCustomers(count(sizes.customers), fresh)];
  const products = [...generateProducts(count(sizes.products), fresh)];
  const catalogue = (await db.collection('products').find({}).limit(50).toArray()) as unknown as ProductDoc[];
  const orders = [...generateOrders(count(sizes.orders), customers.map((c) => c._id), catalogue, fresh)];
  for (const [name, docs] of [['customers', customers], ['products', products], ['orders', orders]] as const) {
    for (let i = 0; i < docs.length; i += BATCH) await db.collection(name).insertMany(docs.slice(i, i + BATCH) as Document[], { ordered: false });
  }
  return {
    modified,
    inserted: { customers: customers.length, products: products.length, orders: orders.length },
    changedItems: modified.orders,
    newChildRows: customers.reduce((n, c) => n + c.tags.length, 0) + orders.reduce((n, o) => n + o.items.length, 0),
  };
}

/** Applies `update` to every EVERY-th document of the collection (natural order); returns how many changed. */
async function modifyEvery(db: MongoDb, name: string, projection: Document, update: (doc: Document) => Document): Promise<number> {
  const collection = db.collection(name);
  let batch: AnyBulkWriteOperation[] = [];
  let changed = 0;
  let index = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    changed += (await collection.bulkWrite(batch, { ordered: false })).modifiedCount;
    batch = [];
  };
  for await (const doc of collection.find({}, { projection: { _id: 1, ...projection } })) {
    if (index++ % EVERY !== EVERY - 1) continue;
    batch.push({ updateOne: { filter: { _id: doc._id as ObjectId }, update: update(doc) } });
    if (batch.length === BATCH) await flush();
  }
  await flush();
  return changed;
}
