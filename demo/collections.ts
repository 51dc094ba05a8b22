import type { Collection, Db } from 'mongodb';
import type { CustomerDoc, OrderDoc, ProductDoc, ShopCollection } from './shop-data.ts';

export const SHOP_COLLECTIONS: readonly ShopCollection[] = ['customers', 'products', 'orders'];

export interface ShopCollections {
  customers: Collection<CustomerDoc>;
  products: Collection<ProductDoc>;
  orders: Collection<OrderDoc>;
}

/** The shop's three collections, typed with the documents the generators make. */
export function shopCollections(db: Db): ShopCollections {
  return {
    customers: db.collection<CustomerDoc>('customers'),
    products: db.collection<ProductDoc>('products'),
    orders: db.collection<OrderDoc>('orders'),
  };
}
