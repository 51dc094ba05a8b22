import { ObjectId } from 'bson';
import {
  LIMITS,
  addressIn,
  dateIn,
  impossibleDate,
  overlongName,
  overlongNote,
  phoneFor,
  pointsForTier,
  round2,
  weightedPicker,
  zipcodeFor,
} from './fields.ts';
import { createRng, deriveSeed, type Rng } from './rng.ts';
import type {
  BadKind,
  CustomerDoc,
  CustomerTag,
  LoyaltyTier,
  OrderDoc,
  OrderItem,
  OrderStatus,
  ProductDoc,
  ShippingMethod,
  ShopDataOptions,
} from './shop-types.ts';
import {
  CATEGORIES,
  CATEGORY_NAMES,
  CITIES,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  ORDER_NOTES,
  PRODUCT_ADJECTIVES,
  PRODUCT_MATERIALS,
  asciiSlug,
} from './words.ts';

/**
 * The demo shop's documents, generated lazily and deterministically: the same seed, time range
 * and rate give the same documents on every run. Pure: no I/O, no clock, no Math.random.
 *
 * Bad values are decided by a random stream of their own, so changing `badRecordRate` turns
 * some documents bad without changing any of the others.
 */

export * from './shop-types.ts';
export { LIMITS } from './fields.ts';
export { createRng, deriveSeed, type Rng } from './rng.ts';
export { applyPatch, mutateCustomer, mutateOrder, mutateProduct } from './mutate.ts';

export const DEFAULT_SEED = 1;
export const DEFAULT_BAD_RECORD_RATE = 1 / 200;

interface Resolved {
  seed: number;
  fromMs: number;
  spanMs: number;
  badRate: number;
}

function resolve(options: ShopDataOptions, count: number, what: string): Resolved {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`${what}: count must be a whole number ≥ 0, got ${count}`);
  const fromMs = options.from.getTime();
  const toMs = options.to.getTime();
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new RangeError(`${what}: from and to must be valid dates`);
  if (toMs < fromMs) throw new RangeError(`${what}: to (${options.to.toISOString()}) is before from (${options.from.toISOString()})`);
  const badRate = options.badRecordRate ?? DEFAULT_BAD_RECORD_RATE;
  if (!(badRate >= 0 && badRate <= 1)) throw new RangeError(`${what}: badRecordRate must be between 0 and 1, got ${badRate}`);
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed)) throw new RangeError(`${what}: seed must be a whole number, got ${seed}`);
  return { seed: seed >>> 0, fromMs, spanMs: toMs - fromMs, badRate };
}

/**
 * ObjectIds as a driver makes them (4-byte seconds, 5 bytes of process identity, 3-byte counter)
 * but from the PRNG: the timestamp part is the document's createdAt, so `_id` order roughly
 * follows creation, and the counter keeps ids unique within one generator (up to 2^24 documents).
 */
class IdMaker {
  private readonly identity: number[];
  private counter: number;

  constructor(rng: Rng) {
    this.identity = [0, 0, 0, 0, 0].map(() => rng.int(0, 255));
    this.counter = rng.int(0, 0xffffff);
  }

  next(createdAtMs: number): ObjectId {
    const bytes = new Uint8Array(12);
    const seconds = Math.max(0, Math.min(0xffffffff, Math.floor(createdAtMs / 1000)));
    bytes[0] = seconds >>> 24;
    bytes[1] = (seconds >>> 16) & 0xff;
    bytes[2] = (seconds >>> 8) & 0xff;
    bytes[3] = seconds & 0xff;
    for (let i = 0; i < 5; i++) bytes[4 + i] = this.identity[i] as number;
    const counter = this.counter;
    this.counter = (counter + 1) & 0xffffff;
    bytes[9] = counter >>> 16;
    bytes[10] = (counter >>> 8) & 0xff;
    bytes[11] = counter & 0xff;
    return new ObjectId(bytes);
  }
}

/**
 * updatedAt spread evenly over the range (what an incremental extract windows on); createdAt the
 * same instant for half the documents (never changed since), earlier in the range for the rest.
 */
function timestamps(rng: Rng, r: Resolved): { createdAt: Date; updatedAt: Date } {
  const updatedAt = dateIn(rng, r.fromMs, r.spanMs);
  const createdAt = rng.chance(0.5) ? updatedAt : dateIn(rng, r.fromMs, updatedAt.getTime() - r.fromMs);
  return { createdAt, updatedAt };
}

// ---------------------------------------------------------------------------------------------
// customers

const TAGS: readonly CustomerTag[] = ['vip', 'newsletter', 'b2b', 'wholesale'];
const pickTagCount = weightedPicker([0, 1, 2, 3], [40, 35, 18, 7]);
const pickTier = weightedPicker<LoyaltyTier>(['bronze', 'silver', 'gold'], [60, 30, 10]);
const NOT_A_NUMBER = ['n/a', 'N/A', 'unknown', '-'] as const;

// Names come from fixed lists, so each is folded to ASCII once rather than once per customer.
const SLUGS = new Map<string, string>([...FIRST_NAMES, ...LAST_NAMES].map((name) => [name, asciiSlug(name)]));

function emailFor(first: string, last: string, rng: Rng): string {
  const f = SLUGS.get(first) ?? asciiSlug(first);
  const l = SLUGS.get(last) ?? asciiSlug(last);
  const local = rng.pick([`${f}.${l}`, `${f}${l}`, `${f[0] ?? 'x'}${l}`, `${f}_${l}`]);
  const suffix = rng.chance(0.5) ? String(rng.int(1, 999)) : '';
  return `${local}${suffix}@${rng.pick(EMAIL_DOMAINS)}`;
}

function pickTags(rng: Rng): CustomerTag[] {
  const count = pickTagCount(rng);
  const tags: CustomerTag[] = [];
  while (tags.length < count) {
    const tag = rng.pick(TAGS);
    if (!tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

function customer(rng: Rng, bad: Rng, ids: IdMaker, r: Resolved): CustomerDoc {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const email = emailFor(first, last, rng);
  const city = rng.pick(CITIES);
  const address = addressIn(city, rng);
  const phone = rng.chance(0.85) ? phoneFor(city.country, rng) : undefined;
  const tags = pickTags(rng);
  const tier = pickTier(rng);
  const points = pointsForTier(tier, rng);
  const { createdAt, updatedAt } = timestamps(rng, r);

  const doc: CustomerDoc = {
    _id: ids.next(createdAt.getTime()),
    name: bad.chance(r.badRate) ? overlongName(bad, last) : `${first} ${last}`,
    email,
    address,
    tags,
    loyalty: { tier, points: bad.chance(r.badRate) ? bad.pick(NOT_A_NUMBER) : points },
    createdAt: bad.chance(r.badRate) ? '0000-00-00' : createdAt,
    updatedAt,
  };
  if (phone !== undefined) doc.phone = phone;
  return doc;
}

export function generateCustomers(count: number, options: ShopDataOptions): Generator<CustomerDoc> {
  const r = resolve(options, count, 'generateCustomers');
  return (function* () {
    const rng = createRng(deriveSeed(r.seed, 'customers'));
    const bad = createRng(deriveSeed(r.seed, 'customers/bad'));
    const ids = new IdMaker(rng);
    for (let i = 0; i < count; i++) yield customer(rng, bad, ids, r);
  })();
}

// ---------------------------------------------------------------------------------------------
// products

/** Whole-euro price range per category; cents are picked the way shops price. */
const PRICE_RANGE: Record<keyof typeof CATEGORIES, readonly [number, number]> = {
  Kitchen: [4, 149],
  Home: [6, 249],
  Outdoor: [9, 399],
  Office: [2, 89],
  Fashion: [9, 199],
  Electronics: [12, 499],
  Toys: [4, 99],
};
const CENTS = [0.99, 0.49, 0.95, 0, 0.5] as const;

function product(rng: Rng, ids: IdMaker, r: Resolved, index: number): ProductDoc {
  const category = rng.pick(CATEGORY_NAMES);
  const name = `${rng.pick(PRODUCT_ADJECTIVES)} ${rng.pick(PRODUCT_MATERIALS)} ${rng.pick(CATEGORIES[category])}`;
  const [low, high] = PRICE_RANGE[category];
  const price = round2(rng.int(low, high) + rng.pick(CENTS));
  const stock = rng.chance(0.08) ? 0 : rng.int(1, 500);
  const dimensions = { weightKg: round2(0.05 + rng.next() * 12), widthCm: rng.int(2, 120), heightCm: rng.int(1, 100) };
  const active = rng.chance(0.92);
  const { createdAt, updatedAt } = timestamps(rng, r);
  return {
    _id: ids.next(createdAt.getTime()),
    sku: `SKU-${String(index + 1).padStart(6, '0')}`,
    name,
    category,
    price,
    stock,
    dimensions,
    active,
    createdAt,
    updatedAt,
  };
}

export function generateProducts(count: number, options: ShopDataOptions): Generator<ProductDoc> {
  const r = resolve(options, count, 'generateProducts');
  return (function* () {
    const rng = createRng(deriveSeed(r.seed, 'products'));
    const ids = new IdMaker(rng);
    for (let i = 0; i < count; i++) yield product(rng, ids, r, i);
  })();
}

// ---------------------------------------------------------------------------------------------
// orders

const pickItemCount = weightedPicker([1, 2, 3, 4, 5], [40, 30, 15, 10, 5]);
const pickQuantity = weightedPicker([1, 2, 3, 4, 5], [70, 20, 5, 3, 2]);
const pickStatus = weightedPicker<OrderStatus>(['placed', 'paid', 'shipped', 'delivered', 'cancelled'], [10, 15, 20, 48, 7]);
const pickMethod = weightedPicker<ShippingMethod>(['standard', 'express', 'pickup'], [70, 20, 10]);

function orderItems(rng: Rng, products: readonly ProductDoc[]): { items: OrderItem[]; total: number } {
  const count = Math.min(pickItemCount(rng), products.length);
  const chosen: ProductDoc[] = [];
  while (chosen.length < count) {
    const p = rng.pick(products);
    if (!chosen.includes(p)) chosen.push(p);
  }
  // In cents, so the total is exactly the sum a warehouse query recomputes from the items.
  let cents = 0;
  const items = chosen.map((p) => {
    const quantity = pickQuantity(rng);
    cents += quantity * Math.round(p.price * 100);
    return { sku: p.sku, name: p.name, quantity, unitPrice: p.price };
  });
  return { items, total: cents / 100 };
}

function order(rng: Rng, bad: Rng, ids: IdMaker, r: Resolved, customers: readonly ObjectId[], products: readonly ProductDoc[]): OrderDoc {
  const customerId = rng.pick(customers);
  const { items, total } = orderItems(rng, products);
  const city = rng.pick(CITIES);
  const zipcode = zipcodeFor(city, rng);
  const currency = city.country === 'GB' ? 'GBP' : city.country === 'US' ? 'USD' : 'EUR';
  const status = pickStatus(rng);
  const method = pickMethod(rng);
  const note = rng.chance(0.35) ? undefined : rng.pick(ORDER_NOTES);
  const { createdAt, updatedAt } = timestamps(rng, r);

  const doc: OrderDoc = {
    _id: ids.next(createdAt.getTime()),
    customerId,
    status,
    // Orders are created when placed; a bad record has the placement time as an impossible date.
    placedAt: bad.chance(r.badRate) ? impossibleDate(createdAt.getUTCFullYear(), bad) : createdAt,
    currency,
    total,
    items,
    shipping: { method, address: { city: city.name, zipcode } },
    createdAt,
    updatedAt,
  };
  // Decided for every order (not only those with a note), so the bad stream stays aligned.
  const overlong = bad.chance(r.badRate);
  if (overlong) doc.notes = overlongNote(bad);
  else if (note !== undefined) doc.notes = note;
  return doc;
}

/**
 * Orders of existing customers buying existing products. Items are 1–5 distinct products
 * (fewer when the catalogue is smaller), unitPrice is the product's price, total their sum.
 */
export function generateOrders(
  count: number,
  customers: readonly ObjectId[],
  products: readonly ProductDoc[],
  options: ShopDataOptions,
): Generator<OrderDoc> {
  const r = resolve(options, count, 'generateOrders');
  if (count > 0 && (customers.length === 0 || products.length === 0)) {
    throw new RangeError(`generateOrders: orders need at least one customer and one product (got ${customers.length} and ${products.length})`);
  }
  return (function* () {
    const rng = createRng(deriveSeed(r.seed, 'orders'));
    const bad = createRng(deriveSeed(r.seed, 'orders/bad'));
    const ids = new IdMaker(rng);
    for (let i = 0; i < count; i++) yield order(rng, bad, ids, r, customers, products);
  })();
}

// ---------------------------------------------------------------------------------------------
// the whole shop

export type ShopEntry =
  | { collection: 'customers'; doc: CustomerDoc }
  | { collection: 'products'; doc: ProductDoc }
  | { collection: 'orders'; doc: OrderDoc };

/**
 * Customers, then products, then orders of them, as one stream (for benchmarks and one-shot
 * fills). Holds only the customers' ids and the product catalogue, never the documents.
 */
export function generateShop(sizes: { customers: number; products: number; orders: number }, options: ShopDataOptions): Generator<ShopEntry> {
  // Checked up front, so a bad call fails here rather than after the customers were streamed.
  const customers = generateCustomers(sizes.customers, options);
  const products = generateProducts(sizes.products, options);
  resolve(options, sizes.orders, 'generateShop');
  if (sizes.orders > 0 && (sizes.customers === 0 || sizes.products === 0)) {
    throw new RangeError('generateShop: orders need at least one customer and one product');
  }
  return (function* (): Generator<ShopEntry> {
    const customerIds: ObjectId[] = [];
    for (const doc of customers) {
      customerIds.push(doc._id);
      yield { collection: 'customers', doc };
    }
    const catalogue: ProductDoc[] = [];
    for (const doc of products) {
      catalogue.push(doc);
      yield { collection: 'products', doc };
    }
    for (const doc of generateOrders(sizes.orders, customerIds, catalogue, options)) yield { collection: 'orders', doc };
  })();
}

// ---------------------------------------------------------------------------------------------
// classifying bad records

/**
 * Which deliberately bad values a document holds ([] for a good one), judged from the document
 * alone, so it works as well on documents read back from MongoDB or changed by a mutation.
 */
export function badKinds(collection: 'customers', doc: CustomerDoc): BadKind[];
export function badKinds(collection: 'products', doc: ProductDoc): BadKind[];
export function badKinds(collection: 'orders', doc: OrderDoc): BadKind[];
export function badKinds(collection: 'customers' | 'products' | 'orders', doc: CustomerDoc | ProductDoc | OrderDoc): BadKind[] {
  const kinds: BadKind[] = [];
  if (collection === 'customers') {
    const c = doc as CustomerDoc;
    if (!(c.createdAt instanceof Date)) kinds.push('impossible-date');
    if (c.name.length > LIMITS.customerName) kinds.push('overlong-string');
    if (!Number.isInteger(c.loyalty.points)) kinds.push('points-not-a-number');
  } else if (collection === 'orders') {
    const o = doc as OrderDoc;
    if (!(o.placedAt instanceof Date)) kinds.push('impossible-date');
    if ((o.notes?.length ?? 0) > LIMITS.orderNotes) kinds.push('overlong-string');
  }
  return kinds;
}
