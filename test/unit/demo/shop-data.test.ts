import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ObjectId } from 'bson';
import {
  DEFAULT_BAD_RECORD_RATE,
  LIMITS,
  applyPatch,
  badKinds,
  createRng,
  generateCustomers,
  generateOrders,
  generateProducts,
  generateShop,
  mutateCustomer,
  mutateOrder,
  mutateProduct,
  type BadKind,
  type CustomerDoc,
  type OrderDoc,
  type ProductDoc,
  type ShopDataOptions,
} from '../../../demo/shop-data.ts';

const to = new Date('2026-03-01T12:00:00.000Z');
const from = new Date(to.getTime() - 3 * 86_400_000);
const base: ShopDataOptions = { seed: 42, from, to };

const json = (docs: unknown[]): string => JSON.stringify(docs); // ObjectId and Date serialise to hex and ISO text

function shop(options: ShopDataOptions, sizes = { customers: 500, products: 60, orders: 2_000 }) {
  const customers = [...generateCustomers(sizes.customers, options)];
  const products = [...generateProducts(sizes.products, options)];
  const orders = [...generateOrders(sizes.orders, customers.map((c) => c._id), products, options)];
  return { customers, products, orders };
}

const isWhole = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
const hasTwoDecimals = (n: number): boolean => Math.abs(Math.round(n * 100) - n * 100) < 1e-6;
const inRange = (d: Date): boolean => d.getTime() >= from.getTime() && d.getTime() <= to.getTime();

function assertCustomer(c: CustomerDoc): void {
  assert.ok(c._id instanceof ObjectId);
  const keys = Object.keys(c).sort();
  const expected = ['_id', 'address', 'createdAt', 'email', 'loyalty', 'name', 'tags', 'updatedAt'];
  if ('phone' in c) expected.push('phone');
  assert.deepEqual(keys, expected.sort());
  assert.equal(typeof c.name, 'string');
  assert.match(c.email, /^[a-z0-9._]+@[a-z.]+$/);
  if ('phone' in c) assert.match(c.phone as string, /^\+\d{1,3} \d{2,3} \d{7}$/);
  assert.deepEqual(Object.keys(c.address).sort(), ['city', 'country', 'street', 'zipcode']);
  assert.match(c.address.country, /^[A-Z]{2}$/);
  assert.ok(typeof c.address.zipcode === 'number' || typeof c.address.zipcode === 'string');
  assert.ok(c.tags.length <= 3 && new Set(c.tags).size === c.tags.length);
  for (const tag of c.tags) assert.ok(['vip', 'newsletter', 'b2b', 'wholesale'].includes(tag));
  assert.ok(['bronze', 'silver', 'gold'].includes(c.loyalty.tier));
  assert.ok(isWhole(c.loyalty.points) || typeof c.loyalty.points === 'string');
  assert.ok(c.updatedAt instanceof Date && inRange(c.updatedAt));
  if (c.createdAt instanceof Date) assert.ok(inRange(c.createdAt) && c.createdAt <= c.updatedAt);
  else assert.equal(c.createdAt, '0000-00-00');
}

function assertProduct(p: ProductDoc): void {
  assert.ok(p._id instanceof ObjectId);
  assert.deepEqual(Object.keys(p).sort(), ['_id', 'active', 'category', 'createdAt', 'dimensions', 'name', 'price', 'sku', 'stock', 'updatedAt']);
  assert.match(p.sku, /^SKU-\d{6}$/);
  assert.ok(p.price > 0 && hasTwoDecimals(p.price));
  assert.ok(isWhole(p.stock) && p.stock >= 0);
  assert.ok(typeof p.dimensions.weightKg === 'number' && p.dimensions.weightKg > 0);
  assert.ok(isWhole(p.dimensions.widthCm) && isWhole(p.dimensions.heightCm));
  assert.equal(typeof p.active, 'boolean');
  assert.ok(inRange(p.createdAt) && inRange(p.updatedAt) && p.createdAt <= p.updatedAt);
}

function assertOrder(o: OrderDoc): void {
  assert.ok(o._id instanceof ObjectId && o.customerId instanceof ObjectId);
  const expected = ['_id', 'createdAt', 'currency', 'customerId', 'items', 'placedAt', 'shipping', 'status', 'total', 'updatedAt'];
  if ('notes' in o) expected.push('notes');
  assert.deepEqual(Object.keys(o).sort(), expected.sort());
  assert.ok(['placed', 'paid', 'shipped', 'delivered', 'cancelled'].includes(o.status));
  assert.ok(['EUR', 'USD', 'GBP'].includes(o.currency));
  assert.ok(o.items.length >= 1 && o.items.length <= 5);
  assert.equal(new Set(o.items.map((i) => i.sku)).size, o.items.length, 'items are distinct products');
  for (const item of o.items) {
    assert.deepEqual(Object.keys(item), ['sku', 'name', 'quantity', 'unitPrice']);
    assert.ok(isWhole(item.quantity) && item.quantity >= 1);
    assert.ok(hasTwoDecimals(item.unitPrice));
  }
  const cents = o.items.reduce((sum, i) => sum + i.quantity * Math.round(i.unitPrice * 100), 0);
  assert.equal(o.total, cents / 100, 'total is the sum of the items');
  assert.ok(['standard', 'express', 'pickup'].includes(o.shipping.method));
  assert.deepEqual(Object.keys(o.shipping.address).sort(), ['city', 'zipcode']);
  if ('notes' in o) assert.equal(typeof o.notes, 'string');
  assert.ok(inRange(o.createdAt) && inRange(o.updatedAt) && o.createdAt <= o.updatedAt);
  if (o.placedAt instanceof Date) assert.equal(o.placedAt.getTime(), o.createdAt.getTime());
}

/** Whether 'YYYY-MM-DD…' names a day that does not exist. */
function isImpossibleDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}:\d{2}Z)?$/.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return true;
  return day > new Date(Date.UTC(year, month, 0)).getUTCDate();
}

describe('demo shop data: determinism', () => {
  it('gives the same documents for the same seed, time range and rate', () => {
    const a = shop(base);
    const b = shop(base);
    assert.equal(json(a.customers), json(b.customers));
    assert.equal(json(a.products), json(b.products));
    assert.equal(json(a.orders), json(b.orders));
  });

  it('gives other documents for another seed', () => {
    const a = shop(base);
    const b = shop({ ...base, seed: 43 });
    assert.notEqual(json(a.customers), json(b.customers));
    assert.notEqual(json(a.products), json(b.products));
    assert.notEqual(json(a.orders), json(b.orders));
  });

  it('makes the first N documents the same whatever the count', () => {
    assert.equal(json([...generateCustomers(50, base)]), json([...generateCustomers(500, base)].slice(0, 50)));
    assert.equal(json([...generateProducts(10, base)]), json([...generateProducts(60, base)].slice(0, 10)));
  });

  it('changes only the bad documents when the bad-record rate changes', () => {
    const clean = shop({ ...base, badRecordRate: 0 });
    const dirty = shop({ ...base, badRecordRate: 0.05 });
    let differing = 0;
    clean.customers.forEach((c, i) => {
      const d = dirty.customers[i] as CustomerDoc;
      if (badKinds('customers', d).length > 0) differing++;
      else assert.equal(json([d]), json([c]));
    });
    clean.orders.forEach((o, i) => {
      const d = dirty.orders[i] as OrderDoc;
      if (badKinds('orders', d).length > 0) differing++;
      else assert.equal(json([d]), json([o]));
    });
    assert.ok(differing > 0);
  });

  it('uses a default seed when none is given', () => {
    const options = { from, to };
    assert.equal(json([...generateCustomers(20, options)]), json([...generateCustomers(20, options)]));
  });
});

describe('demo shop data: shapes', () => {
  const { customers, products, orders } = shop(base);

  it('makes customers of the documented shape', () => {
    customers.forEach(assertCustomer);
    assert.ok(customers.some((c) => !('phone' in c)), 'some customers have no phone');
    assert.ok(customers.some((c) => c.tags.length === 0) && customers.some((c) => c.tags.length === 3));
  });

  it('keeps the loyalty tier in line with the points', () => {
    for (const c of customers) {
      if (typeof c.loyalty.points !== 'number') continue;
      const tier = c.loyalty.points >= 5_000 ? 'gold' : c.loyalty.points >= 1_000 ? 'silver' : 'bronze';
      assert.equal(c.loyalty.tier, tier);
    }
  });

  it('makes products of the documented shape with unique SKUs', () => {
    products.forEach(assertProduct);
    assert.equal(products[122 % products.length]?.sku, `SKU-${String((122 % products.length) + 1).padStart(6, '0')}`);
    assert.equal(new Set(products.map((p) => p.sku)).size, products.length);
  });

  it('makes orders of existing customers buying existing products at their price', () => {
    const customerIds = new Set(customers.map((c) => c._id.toHexString()));
    const bySku = new Map(products.map((p) => [p.sku, p]));
    orders.forEach(assertOrder);
    for (const o of orders) {
      assert.ok(customerIds.has(o.customerId.toHexString()));
      for (const item of o.items) {
        const p = bySku.get(item.sku);
        assert.ok(p, `${item.sku} is a product`);
        assert.equal(item.unitPrice, p.price);
        assert.equal(item.name, p.name);
      }
    }
    assert.ok(orders.some((o) => !('notes' in o)), 'some orders have no notes');
  });

  it('gives every document a unique ObjectId whose timestamp is its creation time', () => {
    const all = [...customers, ...products, ...orders];
    assert.equal(new Set(all.map((d) => d._id.toHexString())).size, all.length);
    for (const d of [...products, ...orders]) assert.equal(d._id.getTimestamp().getTime(), Math.floor(d.createdAt.getTime() / 1000) * 1000);
  });

  it('spreads updatedAt over the whole range', () => {
    const span = to.getTime() - from.getTime();
    const thirds = [0, 0, 0];
    for (const o of orders) thirds[Math.min(2, Math.floor(((o.updatedAt.getTime() - from.getTime()) / span) * 3))]! += 1;
    for (const n of thirds) assert.ok(n > orders.length / 4, `each third of the range has its share: ${thirds.join(', ')}`);
  });

  it('stores zipcodes as numbers and as strings about half and half, with leading zeros and letters among the strings', () => {
    const zips = [...customers.map((c) => c.address.zipcode), ...orders.map((o) => o.shipping.address.zipcode)];
    const numeric = zips.filter((z) => typeof z === 'number').length / zips.length;
    assert.ok(numeric > 0.4 && numeric < 0.6, `numeric share ${numeric}`);
    const strings = zips.filter((z): z is string => typeof z === 'string');
    assert.ok(strings.some((z) => /^0\d+$/.test(z)), 'a leading zero');
    assert.ok(strings.some((z) => /[A-Z]/.test(z)), 'letters');
    for (const z of zips) if (typeof z === 'number') assert.ok(Number.isInteger(z) && z > 0);
  });

  it('streams the whole shop in order with generateShop', () => {
    const entries = [...generateShop({ customers: 30, products: 5, orders: 50 }, base)];
    const order = entries.map((e) => e.collection);
    assert.deepEqual(order, [...Array(30).fill('customers'), ...Array(5).fill('products'), ...Array(50).fill('orders')]);
    const ids = new Set(entries.filter((e) => e.collection === 'customers').map((e) => e.doc._id.toHexString()));
    for (const e of entries) if (e.collection === 'orders') assert.ok(ids.has(e.doc.customerId.toHexString()));
  });

  it('rejects impossible requests at the call, not at the first document', () => {
    assert.throws(() => generateCustomers(-1, base), RangeError);
    assert.throws(() => generateProducts(1.5, base), RangeError);
    assert.throws(() => generateCustomers(1, { ...base, from: to, to: from }), /before from/);
    assert.throws(() => generateCustomers(1, { ...base, badRecordRate: 2 }), /badRecordRate/);
    assert.throws(() => generateOrders(1, [], [], base), /at least one customer/);
    assert.throws(() => generateShop({ customers: 0, products: 1, orders: 1 }, base), /at least one customer/);
    assert.equal([...generateOrders(0, [], [], base)].length, 0);
  });
});

describe('demo shop data: bad records', () => {
  const N = 200_000;
  const count = (kinds: BadKind[][]): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const list of kinds) for (const k of list) counts[k] = (counts[k] ?? 0) + 1;
    return counts;
  };

  it('plants each kind at about the default rate of 1 in 200, and classifies them', (t) => {
    const customers = [...generateCustomers(N, base)];
    const products = [...generateProducts(1_000, base)];
    const orders = [...generateOrders(N, customers.map((c) => c._id), products, base)];
    const customerCounts = count(customers.map((c) => badKinds('customers', c)));
    const orderCounts = count(orders.map((o) => badKinds('orders', o)));
    t.diagnostic(`customers of ${N}: ${JSON.stringify(customerCounts)}; orders of ${N}: ${JSON.stringify(orderCounts)}`);
    for (const [what, n] of [
      ['customers impossible-date', customerCounts['impossible-date']],
      ['customers overlong-string', customerCounts['overlong-string']],
      ['customers points-not-a-number', customerCounts['points-not-a-number']],
      ['orders impossible-date', orderCounts['impossible-date']],
      ['orders overlong-string', orderCounts['overlong-string']],
    ] as const) {
      const rate = (n ?? 0) / N;
      assert.ok(Math.abs(rate - DEFAULT_BAD_RECORD_RATE) < 0.0008, `${what}: rate ${rate}`);
    }
    assert.equal(Object.keys(orderCounts).length, 2);
    assert.deepEqual(products.flatMap((p) => badKinds('products', p)), []);
  });

  it('makes the bad values what the warehouse must reject, and the good ones fit', () => {
    const { customers, orders } = shop({ ...base, badRecordRate: 0.05 }, { customers: 5_000, products: 50, orders: 5_000 });
    for (const c of customers) {
      const kinds = badKinds('customers', c);
      if (kinds.includes('impossible-date')) assert.equal(c.createdAt, '0000-00-00');
      else assert.ok(c.createdAt instanceof Date);
      if (kinds.includes('overlong-string')) assert.ok(c.name.length > LIMITS.customerName);
      else assert.ok(c.name.length <= LIMITS.customerName);
      if (kinds.includes('points-not-a-number')) assert.ok(typeof c.loyalty.points === 'string' && !/^\d+$/.test(c.loyalty.points));
      else assert.ok(isWhole(c.loyalty.points));
    }
    for (const o of orders) {
      const kinds = badKinds('orders', o);
      if (kinds.includes('impossible-date')) assert.ok(typeof o.placedAt === 'string' && isImpossibleDate(o.placedAt), String(o.placedAt));
      else assert.ok(o.placedAt instanceof Date);
      const notes = o.notes ?? '';
      if (kinds.includes('overlong-string')) assert.ok(notes.length >= 600 && notes.length <= 2_000, `${notes.length}`);
      else assert.ok(notes.length <= LIMITS.orderNotes);
    }
    const placed = orders.map((o) => o.placedAt).filter((p): p is string => typeof p === 'string');
    assert.ok(placed.some((p) => p.includes('T')) && placed.some((p) => !p.includes('T')), 'with and without a time');
  });

  it('plants none at rate 0 and all of them at rate 1', () => {
    const clean = shop({ ...base, badRecordRate: 0 });
    assert.equal(clean.customers.filter((c) => badKinds('customers', c).length > 0).length, 0);
    assert.equal(clean.orders.filter((o) => badKinds('orders', o).length > 0).length, 0);
    const dirty = shop({ ...base, badRecordRate: 1 }, { customers: 20, products: 5, orders: 20 });
    for (const c of dirty.customers) assert.deepEqual(badKinds('customers', c), ['impossible-date', 'overlong-string', 'points-not-a-number']);
    for (const o of dirty.orders) assert.deepEqual(badKinds('orders', o), ['impossible-date', 'overlong-string']);
  });
});

describe('demo shop data: mutations', () => {
  const { customers, products, orders } = shop({ ...base, badRecordRate: 0.05 });
  const now = new Date(to.getTime() + 60_000);

  it('changes customers: keeps the shape and how bad they are, sets updatedAt', () => {
    const rng = createRng(7);
    let changed = 0;
    for (const c of customers) {
      const patch = mutateCustomer(c, rng, now);
      assert.equal(patch.updatedAt.getTime(), now.getTime());
      assert.ok(!('_id' in patch) && !('createdAt' in patch));
      assert.ok(Object.keys(patch).length >= 2, 'something besides updatedAt');
      const after = applyPatch(c, patch);
      assertCustomer({ ...after, updatedAt: to }); // shape, with updatedAt in the generated range
      assert.deepEqual(badKinds('customers', after), badKinds('customers', c));
      if (json([after.address]) !== json([c.address]) || after.loyalty.points !== c.loyalty.points) changed++;
    }
    assert.ok(changed > customers.length / 3, 'addresses and points do change');
  });

  it('changes products: price stays at two decimals, stock a whole number ≥ 0', () => {
    const rng = createRng(8);
    const kinds = new Set<string>();
    for (const p of products) {
      const patch = mutateProduct(p, rng, now);
      assert.equal(patch.updatedAt.getTime(), now.getTime());
      for (const k of Object.keys(patch)) kinds.add(k);
      assertProduct({ ...applyPatch(p, patch), updatedAt: to });
    }
    assert.ok(kinds.has('price') && kinds.has('stock'));
  });

  it('advances orders along placed → paid → shipped → delivered, or cancels them early', () => {
    const rng = createRng(9);
    const allowed: Record<string, string[]> = { placed: ['paid', 'cancelled'], paid: ['shipped', 'cancelled'], shipped: ['delivered'] };
    for (const o of orders) {
      const patch = mutateOrder(o, rng, now);
      assert.equal(patch.updatedAt.getTime(), now.getTime());
      const after = applyPatch(o, patch);
      if (patch.status !== undefined) assert.ok(allowed[o.status]?.includes(patch.status), `${o.status} → ${patch.status}`);
      else assert.ok(o.status === 'delivered' || o.status === 'cancelled');
      assertOrder({ ...after, updatedAt: to });
      assert.deepEqual(badKinds('orders', after), badKinds('orders', o));
    }
  });

  it('is deterministic for the same rng seed and leaves the input alone', () => {
    const before = json(orders.slice(0, 100));
    const a = orders.slice(0, 100).map((o) => mutateOrder(o, createRng(5), now));
    const b = orders.slice(0, 100).map((o) => mutateOrder(o, createRng(5), now));
    assert.equal(json(a), json(b));
    assert.equal(json(orders.slice(0, 100)), before);
  });
});

describe('demo shop data: speed', () => {
  it('generates 100,000 documents quickly', (t) => {
    const started = performance.now();
    let n = 0;
    for (const _entry of generateShop({ customers: 20_000, products: 500, orders: 79_500 }, base)) n++;
    const ms = performance.now() - started;
    assert.equal(n, 100_000);
    t.diagnostic(`${n} documents in ${ms.toFixed(0)} ms: ${Math.round((n / ms) * 1000).toLocaleString('en')} documents/s`);
  });
});
