import { ObjectId } from 'bson';
import type { Collection, Db, Document, Filter, UpdateFilter } from 'mongodb';
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
/** Consecutive documents taken from each random point of the _id range. */
const WINDOW = 5;

/**
 * One cycle of the "live" shop: a random batch of existing documents changed (half of the
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
    orders: await updateSample(orders, orderCount, rng, (doc) => mutateOrder(doc, rng, now)),
    customers: await updateSample(customers, customerCount, rng, (doc) => mutateCustomer(doc, rng, now)),
    products: await updateSample(products, productCount, rng, (doc) => mutateProduct(doc, rng, now)),
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
      ...(await randomBatch(customers, ORDER_CUSTOMER_POOL, rng, { _id: 1 })).map((d) => d._id),
      ...insertedCustomers.map((d) => d._id),
    ];
    const catalogue: ProductDoc[] = await randomBatch(products, ORDER_PRODUCT_POOL, rng);
    if (customerIds.length > 0 && catalogue.length > 0) {
      const docs = [...generateOrders(newOrders, customerIds, catalogue, { ...fresh, seed: rng.uint32() })];
      await orders.insertMany(docs);
      insertedOrders = docs.length;
    }
  }

  return { updated, inserted: { customers: insertedCustomers.length, orders: insertedOrders } };
}

/** `$set` each of a random batch of `size` documents to its patch; returns how many were changed. */
async function updateSample<T extends { _id: ObjectId; updatedAt: Date }>(
  collection: Collection<T>,
  size: number,
  rng: Rng,
  mutate: (doc: T) => Patch<T>,
): Promise<number> {
  const docs = await randomBatch(collection, size, rng);
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

/**
 * Up to `size` distinct documents from random places of the collection: runs of WINDOW
 * consecutive _ids starting at random points between the first and last _id's timestamps.
 * Not $sample, which the in-process test stand-in does not have; on a real server each run is
 * one short _id index scan. Documents whose _ids are far apart in time are likelier starts,
 * which is random enough to pick what the demo changes.
 */
async function randomBatch<T extends { _id: ObjectId }>(collection: Collection<T>, size: number, rng: Rng, projection?: Document): Promise<T[]> {
  if (size <= 0) return [];
  const ends = async (direction: 1 | -1): Promise<number | undefined> => {
    const doc = await collection.find({}, { projection: { _id: 1 } }).sort({ _id: direction }).limit(1).next();
    return doc ? Math.floor(doc._id.getTimestamp().getTime() / 1000) : undefined;
  };
  const low = await ends(1);
  const high = await ends(-1);
  if (low === undefined || high === undefined) return [];
  const run = async (filter: Document, limit: number): Promise<T[]> =>
    (await collection.find(filter as Filter<T>, projection ? { projection } : {}).sort({ _id: 1 }).limit(limit).toArray()) as T[];

  const picked = new Map<string, T>();
  // Runs may overlap; a few more tries than runs needed, then settle for what was found.
  for (let tries = 0; picked.size < size && tries < Math.ceil(size / WINDOW) * 3; tries++) {
    const start = ObjectId.createFromTime(rng.int(low, high));
    const docs = await run({ _id: { $gte: start } }, WINDOW);
    // Past the last document the run wraps around to the first ones.
    if (docs.length < WINDOW) docs.push(...(await run({ _id: { $lt: start } }, WINDOW - docs.length)));
    for (const doc of docs) if (picked.size < size) picked.set(doc._id.toHexString(), doc);
  }
  return [...picked.values()];
}
