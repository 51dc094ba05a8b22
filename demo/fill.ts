import type { Collection, Db, OptionalUnlessRequiredId } from 'mongodb';
import type { ObjectId } from 'bson';
import type { Logger } from '../src/log.ts';
import { SHOP_COLLECTIONS, shopCollections } from './collections.ts';
import { generateCustomers, generateOrders, generateProducts, type ProductDoc, type ShopCollection, type ShopDataOptions } from './shop-data.ts';

export interface FillOptions extends ShopDataOptions {
  sizes: { customers: number; products: number; orders: number };
  /** Documents per insertMany. Default 5,000. */
  batchSize?: number;
  log: Logger;
  /** Stops between batches (SIGTERM during a large fill). */
  signal?: AbortSignal;
}

export type FillSummary = Record<ShopCollection, { inserted: number; skipped: boolean }>;

/**
 * Fills each empty collection of the shop and leaves the others as they are, so a restarted
 * process does not add a second shop on top of the first. Orders of a fresh fill refer to the
 * customers and products already there when those collections were not empty.
 */
export async function fillShop(db: Db, options: FillOptions): Promise<FillSummary> {
  const { customers, products, orders } = shopCollections(db);
  const { sizes, log } = options;
  const batchSize = options.batchSize ?? 5_000;
  // findOne rather than a count: the cheapest question every MongoDB (and stand-in) answers.
  const isEmpty = async (name: ShopCollection): Promise<boolean> => (await db.collection(name).findOne({}, { projection: { _id: 1 } })) === null;
  const fillOrders = sizes.orders > 0 && (await isEmpty('orders'));

  const summary: FillSummary = {
    customers: { inserted: 0, skipped: true },
    products: { inserted: 0, skipped: true },
    orders: { inserted: 0, skipped: true },
  };

  let customerIds: ObjectId[] = [];
  if (await isEmpty('customers')) {
    summary.customers = { inserted: 0, skipped: false };
    const docs = generateCustomers(sizes.customers, options);
    summary.customers.inserted = await insertInBatches(customers, docs, { ...options, batchSize, name: 'customers', total: sizes.customers }, (d) => {
      if (fillOrders) customerIds.push(d._id);
    });
  } else {
    log.info({ collection: 'customers' }, 'customers already has documents; not filling it');
    if (fillOrders) customerIds = (await customers.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
  }

  let catalogue: ProductDoc[] = [];
  if (await isEmpty('products')) {
    summary.products = { inserted: 0, skipped: false };
    const docs = generateProducts(sizes.products, options);
    summary.products.inserted = await insertInBatches(products, docs, { ...options, batchSize, name: 'products', total: sizes.products }, (d) => {
      if (fillOrders) catalogue.push(d);
    });
  } else {
    log.info({ collection: 'products' }, 'products already has documents; not filling it');
    if (fillOrders) catalogue = await products.find({}).toArray();
  }

  if (!fillOrders) {
    if (sizes.orders > 0) log.info({ collection: 'orders' }, 'orders already has documents; not filling it');
  } else if (!options.signal?.aborted) {
    summary.orders = { inserted: 0, skipped: false };
    const docs = generateOrders(sizes.orders, customerIds, catalogue, options);
    summary.orders.inserted = await insertInBatches(orders, docs, { ...options, batchSize, name: 'orders', total: sizes.orders });
  }
  return summary;
}

interface BatchOptions {
  batchSize: number;
  name: string;
  total: number;
  log: Logger;
  signal?: AbortSignal;
}

/** insertMany in batches, logging progress after each; returns how many went in. */
async function insertInBatches<T extends { _id: ObjectId }>(
  collection: Collection<T>,
  docs: Iterable<T>,
  options: BatchOptions,
  onDoc?: (doc: T) => void,
): Promise<number> {
  const { batchSize, name, total, log, signal } = options;
  let inserted = 0;
  let batch: T[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    // T has a required _id, so this is T itself; the driver's conditional type cannot see that for a generic T.
    await collection.insertMany(batch as unknown as OptionalUnlessRequiredId<T>[], { ordered: true });
    inserted += batch.length;
    batch = [];
    log.info({ collection: name, inserted, total }, `inserted ${inserted} of ${total} ${name}`);
  };
  for (const doc of docs) {
    if (signal?.aborted) break;
    onDoc?.(doc);
    batch.push(doc);
    if (batch.length >= batchSize) await flush();
  }
  if (!signal?.aborted) await flush();
  return inserted;
}

/** The index every incremental extract of the ETL filters on. Idempotent. */
export async function ensureIndexes(db: Db): Promise<void> {
  for (const name of SHOP_COLLECTIONS) await db.collection(name).createIndex({ updatedAt: 1 }, { name: 'updatedAt_1' });
}
