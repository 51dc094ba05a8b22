import type { ObjectId } from 'bson';
import { LIMITS, phoneFor, randomAddress, round2, tierForPoints } from './fields.ts';
import type { Rng } from './rng.ts';
import type { CustomerDoc, CustomerTag, OrderDoc, OrderStatus, Patch, ProductDoc } from './shop-types.ts';
import { FOLLOW_UP_NOTES } from './words.ts';

/**
 * What the "live" shop does to existing documents, as pure functions: each returns the fields
 * to `$set` (always with `updatedAt: now`) and leaves the document alone. They never touch a
 * deliberately bad value, so a document stays as bad as it was and the tests can still count.
 */

type CustomerChange = 'move' | 'points' | 'phone' | 'newsletter';

export function mutateCustomer(doc: CustomerDoc, rng: Rng, now: Date): Patch<CustomerDoc> {
  const patch: Patch<CustomerDoc> = { updatedAt: new Date(now.getTime()) };
  const changes = rng.chance(0.3) ? 2 : 1;
  for (let i = 0; i < changes; i++) {
    let change = rng.pick<CustomerChange>(['move', 'points', 'points', 'phone', 'newsletter']);
    const points = doc.loyalty.points;
    if (change === 'points' && !Number.isInteger(points)) change = 'move'; // 'n/a' stays 'n/a'
    if (change === 'move') {
      patch.address = randomAddress(rng);
    } else if (change === 'points') {
      // Mostly earning, sometimes redeeming; the tier follows the points.
      const next = Math.max(0, (points as number) + (rng.chance(0.8) ? rng.int(10, 800) : -rng.int(100, 1_500)));
      patch.loyalty = { tier: tierForPoints(next), points: next };
    } else if (change === 'phone') {
      patch.phone = phoneFor((patch.address ?? doc.address).country, rng);
    } else {
      // Subscribing or unsubscribing; a customer has at most 3 tags, so a full list gives one up.
      const tags: CustomerTag[] = doc.tags.includes('newsletter') ? doc.tags.filter((t) => t !== 'newsletter') : [...doc.tags.slice(0, 2), 'newsletter'];
      patch.tags = tags;
    }
  }
  return patch;
}

export function mutateProduct(doc: ProductDoc, rng: Rng, now: Date): Patch<ProductDoc> {
  const patch: Patch<ProductDoc> = { updatedAt: new Date(now.getTime()) };
  const change = rng.pick(['price', 'stock', 'stock', 'active'] as const);
  if (change === 'price') {
    const factor = 1 + (rng.chance(0.5) ? 1 : -1) * (0.05 + rng.next() * 0.15);
    patch.price = Math.max(0.5, round2(doc.price * factor));
  } else if (change === 'stock') {
    patch.stock = rng.chance(0.7) ? Math.max(0, doc.stock - rng.int(1, 20)) : doc.stock + rng.int(20, 200);
  } else {
    patch.active = !doc.active;
  }
  return patch;
}

/** Where an order goes next; delivered and cancelled are final. */
const NEXT_STATUS: Record<OrderStatus, { next: OrderStatus; cancelShare: number } | undefined> = {
  placed: { next: 'paid', cancelShare: 0.1 },
  paid: { next: 'shipped', cancelShare: 0.05 },
  shipped: { next: 'delivered', cancelShare: 0 },
  delivered: undefined,
  cancelled: undefined,
};

export function mutateOrder(doc: OrderDoc, rng: Rng, now: Date): Patch<OrderDoc> {
  const patch: Patch<OrderDoc> = { updatedAt: new Date(now.getTime()) };
  const step = NEXT_STATUS[doc.status];
  if (step) {
    patch.status = rng.chance(step.cancelShare) ? 'cancelled' : step.next;
  } else if ((doc.notes?.length ?? 0) <= LIMITS.orderNotes) {
    // A finished order only gets a note from customer service (an overlong note stays as it is).
    patch.notes = rng.pick(FOLLOW_UP_NOTES);
  }
  return patch;
}

/** The document as it is after `$set: patch`. */
export function applyPatch<T extends { _id: ObjectId; updatedAt: Date }>(doc: T, patch: Patch<T>): T {
  return { ...doc, ...patch };
}
