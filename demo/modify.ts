import type { ObjectId } from 'bson';
import type { Collection, Db, Filter, UpdateFilter } from 'mongodb';
import { shopCollections } from './collections.ts';
import {
  generateCustomers,
  generateOrders,
  mutateCustomer,
  mutateOrder,
  mutateProduct,
  type Patch,
  type ProductDoc,
  type Rng,
  type ShopCollection,
} from './shop-data.ts';

export interface ModifyOptions {
  rng: Rng;
  now: Date;
  /** Existing documents changed in this cycle, across the three collections. */
  batch: number;
  badRecordRate?: number;
}

export interface ModifySummary {
  updated: Record<ShopCollection, number>;
  inserted: { customers: number; orders: number };
}

/** How many customers and products new orders choose from; a sample, not the whole shop. */
const ORDER_CUSTOMER_POOL = 100;
const ORDER_PRODUCT_POOL = 50;

/**
 * One cycle of the "live" shop: a random sample of existing documents changed (half of the
 * batch orders, then customers, then products), a few new customers and new orders of sampled
 * customers. Every write sets updatedAt to `now`, so an incremental extract sees all of it.
 */
export async function modifyShop(db: Db, options: ModifyOptions): Promise<ModifySummary> {
  const { rng, now, batch } = options;
  const { customers, products, orders } = shopCollections(db);
  const orderCount = Math.ceil(batch * 0.5);
  const customerCount = Math.ceil((batch - orderCount) * 0.6);
  const productCount = batch - orderCount - customerCount;

  const updated = {
    orders: await updateSample(orders, orderCount, (doc) => mutateOrder(doc, rng, now)),
    customers: await updateSample(customers, customerCount, (doc) => mutateCustomer(doc, rng, now)),
    products: await updateSample(products, productCount, (doc) => mutateProduct(doc, rng, now)),
  };

  // "A few": up to one new customer per 25 changes and one new order per 10, at least one order.
  const newCustomers = batch === 0 ? 0 : rng.int(0, Math.max(1, Math.round(batch / 25)));
  const newOrders = batch === 0 ? 0 : rng.int(1, Math.max(1, Math.round(batch / 10)));
  // Each cycle's new documents get a seed of their own (so their ids differ from every earlier
  // cycle's) and from = to = now, so they are never older than the extract that should find them.
  const fresh = { from: now, to: now, badRecordRate: options.badRecordRate };

  const insertedCustomers = [...generateCustomers(newCustomers, { ...fresh, seed: rng.uint32() })];
  if (insertedCustomers.length > 0) await customers.insertMany(insertedCustomers);

  let insertedOrders = 0;
  if (newOrders > 0) {
    const customerIds: ObjectId[] = [
      ...(await customers.aggregate<{ _id: ObjectId }>([{ $sample: { size: ORDER_CUSTOMER_POOL } }, { $project: { _id: 1 } }]).toArray()).map((d) => d._id),
      ...insertedCustomers.map((d) => d._id),
    ];
    const catalogue = await products.aggregate<ProductDoc>([{ $sample: { size: ORDER_PRODUCT_POOL } }]).toArray();
    if (customerIds.length > 0 && catalogue.length > 0) {
      const docs = [...generateOrders(newOrders, customerIds, catalogue, { ...fresh, seed: rng.uint32() })];
      await orders.insertMany(docs);
      insertedOrders = docs.length;
    }
  }

  return { updated, inserted: { customers: insertedCustomers.length, orders: insertedOrders } };
}

/** $sample `size` documents and `$set` each one's patch; returns how many were changed. */
async function updateSample<T extends { _id: ObjectId; updatedAt: Date }>(
  collection: Collection<T>,
  size: number,
  mutate: (doc: T) => Patch<T>,
): Promise<number> {
  if (size <= 0) return 0;
  const docs = await collection.aggregate<T>([{ $sample: { size } }]).toArray();
  let changed = 0;
  for (const doc of docs) {
    // The driver's Filter/UpdateFilter types are conditional on T and cannot be checked for a generic T.
    const filter = { _id: doc._id } as Filter<T>;
    const update = { $set: mutate(doc) } as UpdateFilter<T>;
    const result = await collection.updateOne(filter, update);
    changed += result.modifiedCount;
  }
  return changed;
}
