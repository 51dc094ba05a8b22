import type { ObjectId } from 'bson';

/**
 * The documents of the demo shop's MongoDB, field for field as the warehouse tables expect them.
 * Where the demo deliberately stores bad values, the type says so (`Date | string`,
 * `number | string`): code reading these documents must cope with them, as with real data.
 */

export interface ShopDataOptions {
  /** Same seed, same documents. Default 1. */
  seed?: number;
  /** createdAt and updatedAt fall in [from, to]. */
  from: Date;
  to: Date;
  /** How often each kind of bad value is planted, per document and kind. Default 1/200. */
  badRecordRate?: number;
}

/** A postcode as sources really store it: a number for some, text ('02134', 'SW1A 1AA') for others. */
export type Zipcode = number | string;

export interface Address {
  street: string;
  city: string;
  zipcode: Zipcode;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export type CustomerTag = 'vip' | 'newsletter' | 'b2b' | 'wholesale';
export type LoyaltyTier = 'bronze' | 'silver' | 'gold';

export interface CustomerDoc {
  _id: ObjectId;
  name: string;
  email: string;
  /** Missing for some customers (the field is absent, not null). */
  phone?: string;
  address: Address;
  tags: CustomerTag[];
  /** `points` is a whole number, or a string such as 'n/a' in a bad record. */
  loyalty: { tier: LoyaltyTier; points: number | string };
  /** A Date, or the string '0000-00-00' in a bad record. */
  createdAt: Date | string;
  updatedAt: Date;
}

export interface ProductDoc {
  _id: ObjectId;
  /** 'SKU-000123': the index in generation order, so unique within one generated catalogue. */
  sku: string;
  name: string;
  category: string;
  /** Two decimals. */
  price: number;
  stock: number;
  dimensions: { weightKg: number; widthCm: number; heightCm: number };
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type OrderStatus = 'placed' | 'paid' | 'shipped' | 'delivered' | 'cancelled';
export type Currency = 'EUR' | 'USD' | 'GBP';
export type ShippingMethod = 'standard' | 'express' | 'pickup';

export interface OrderItem {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
}

export interface OrderDoc {
  _id: ObjectId;
  customerId: ObjectId;
  status: OrderStatus;
  /** A Date, or an impossible date as a string ('2026-02-30T10:00:00Z', '2026-13-01') in a bad record. */
  placedAt: Date | string;
  currency: Currency;
  /** The sum of quantity × unitPrice over the items, to the cent. */
  total: number;
  items: OrderItem[];
  shipping: { method: ShippingMethod; address: { city: string; zipcode: Zipcode } };
  /** Usually short; absent for some orders; 600–2000 characters in a bad record. */
  notes?: string;
  createdAt: Date;
  updatedAt: Date;
}

export type ShopCollection = 'customers' | 'products' | 'orders';

/**
 * The kinds of deliberately bad values:
 * - 'impossible-date': customers.createdAt = '0000-00-00'; orders.placedAt an impossible date string.
 * - 'overlong-string': customers.name over 200 characters; orders.notes of 600–2000 characters
 *   (the warehouse columns are varchar(200) and varchar(500)).
 * - 'points-not-a-number': customers.loyalty.points a string such as 'n/a'.
 * Products carry none.
 */
export type BadKind = 'impossible-date' | 'overlong-string' | 'points-not-a-number';

/** The fields a mutation changes, ready for `$set`; updatedAt always among them. */
export type Patch<T extends { _id: ObjectId; updatedAt: Date }> = Partial<Omit<T, '_id' | 'createdAt'>> & { updatedAt: Date };
