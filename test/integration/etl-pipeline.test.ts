/**
 * The showcase ETL end to end: MongoDB (stand-in or real) → S3 (s3rver) → PostgreSQL warehouse,
 * run by a real scheduler and worker, with the repo's collections and warehouse migrations.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectId } from 'mongodb';
import { badKinds, generateCustomers, generateOrders, generateProducts, type CustomerDoc, type OrderDoc, type ProductDoc } from '../../demo/shop-data.ts';
import { clearTaskInstances, triggerDagRun } from '../../src/engine/actions.ts';
import { createBackfill, getBackfill } from '../../src/engine/backfill.ts';
import { listRuns } from '../../src/store/runs.ts';
import { Harness, REPO_ROOT } from '../support/harness.ts';
import { day, etlLoadDag } from '../support/etl-dag.ts';
import { startEtlTestbed, type EtlTestbed } from '../support/etl-testbed.ts';

// The production DAG's tasks, on a daily schedule with quick retries (the real one is hourly
// and waits 30 s between tries).
const DAG = etlLoadDag('etl_test', { daily: true });

interface Shop {
  customers: CustomerDoc[];
  products: ProductDoc[];
  orders: OrderDoc[];
}

function makeShop(): Shop {
  const options = { seed: 7, from: day(1), to: day(4), badRecordRate: 1 / 40 };
  const customers = [...generateCustomers(300, options)];
  const products = [...generateProducts(40, options)];
  const orders = [...generateOrders(600, customers.map((c) => c._id), products, options)];
  return { customers, products, orders };
}

describe('mongo → S3 → warehouse', { timeout: 240_000 }, () => {
  let bed: EtlTestbed;
  const h = new Harness({ dags: { 'etl_test.ts': DAG } });
  const shop = makeShop();
  const restoreEnv = { ...process.env };

  const count = async (table: string) => Number((await bed.warehouse.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  const snapshot = async () => {
    const tables = ['customers', 'customers_tags', 'products', 'orders', 'orders_items'];
    const result: Record<string, unknown[]> = {};
    for (const table of tables) {
      const { rows } = await bed.warehouse.query(`SELECT to_jsonb(t) - 'etl_loaded_at' - 'etl_run_id' AS row FROM ${table} t ORDER BY id`);
      result[table] = rows.map((r: { row: unknown }) => r.row);
    }
    return result;
  };
  const runToEnd = async (runId: string) => (await h.waitForRunEnd('etl_test', runId, 90_000)).state;
  /** Waits for the run; a failure names each failed task and its error. */
  const expectSuccess = async (runId: string) => {
    const state = await runToEnd(runId);
    if (state === 'success') return;
    const failed = Object.values(await h.taskInstances('etl_test', runId)).filter((ti) => ti.state !== 'success');
    assert.fail(`run ${runId} ${state}: ${failed.map((ti) => `${ti.taskId} ${ti.state} ${ti.error ?? ''}`).join('; ')}`);
  };

  before(async () => {
    bed = await startEtlTestbed();
    Object.assign(process.env, bed.env, { ETL_ROWS_PER_PART: '100', ETL_MAX_REJECTS: '1000' });
    await h.setUp();
    await mkdir(path.join(h.dagsFolder, 'warehouse'), { recursive: true });
    await cp(path.join(REPO_ROOT, 'dags/warehouse'), path.join(h.dagsFolder, 'warehouse'), { recursive: true });
    await bed.mongo.collection('customers').insertMany(shop.customers);
    await bed.mongo.collection('products').insertMany(shop.products);
    await bed.mongo.collection('orders').insertMany(shop.orders);
    await h.startScheduler();
    await h.startWorker({ concurrency: 4 });
    await h.waitForDag('etl_test');
  });
  after(async () => {
    await h.tearDown();
    await bed?.close();
    process.env = restoreEnv;
  });

  test('the first run loads everything before its cutoff: rows, flattening, child tables, repairs and rejects', async () => {
    const run = await triggerDagRun(h.db, 'etl_test', { logicalDate: day(5) });
    await expectSuccess(run.runId);

    const rejectedCustomers = shop.customers.filter((c) => badKinds('customers', c).includes('points-not-a-number'));
    assert.ok(rejectedCustomers.length > 0, 'the generated shop has customers that cannot load');
    const loadedCustomers = shop.customers.filter((c) => !rejectedCustomers.includes(c));
    assert.equal(await count('customers'), loadedCustomers.length);
    assert.equal(await count('customers_tags'), loadedCustomers.reduce((sum, c) => sum + c.tags.length, 0));
    assert.equal(await count('products'), shop.products.length);
    assert.equal(await count('orders'), shop.orders.length);
    assert.equal(await count('orders_items'), shop.orders.reduce((sum, o) => sum + o.items.length, 0));

    // Flattening: nested fields as columns, numbers and strings of one field side by side.
    const customer = loadedCustomers.find((c) => typeof c.address.zipcode === 'number')!;
    const { rows: [row] } = await bed.warehouse.query('SELECT * FROM customers WHERE source_id = $1', [customer._id.toHexString()]);
    assert.equal(row.address_city, customer.address.city);
    assert.equal(row.address_zipcode, String(customer.address.zipcode));
    assert.equal(row.loyalty_tier, customer.loyalty.tier);
    assert.equal(row.updated_at.getTime(), customer.updatedAt.getTime());
    // Child rows in order, keyed to their parent's numeric id.
    const order = shop.orders.find((o) => o.items.length > 1)!;
    const { rows: items } = await bed.warehouse.query(
      'SELECT i.idx, i.sku, i.quantity, i.unit_price FROM orders_items i JOIN orders o ON o.id = i.parent_id WHERE o.source_id = $1 ORDER BY i.idx',
      [order._id.toHexString()],
    );
    assert.deepEqual(items.map((i) => [i.idx, i.sku, i.quantity, Number(i.unit_price)]), order.items.map((item, idx) => [idx, item.sku, item.quantity, item.unitPrice]));

    // Repairs: impossible dates → NULL, over-long strings cut to the column's width, each counted.
    const badDates = shop.orders.filter((o) => !(o.placedAt instanceof Date));
    const longNotes = shop.orders.filter((o) => (o.notes?.length ?? 0) > 500);
    assert.ok(badDates.length > 0 && longNotes.length > 0);
    assert.equal(await count('orders WHERE placed_at IS NULL'), badDates.length);
    assert.equal(await count('orders WHERE length(notes) = 500'), longNotes.length);
    const { rows: audit } = await bed.warehouse.query(
      "SELECT table_name, staged, inserted, updated, repaired, rejected FROM sluice_etl.load_audit WHERE run_id = $1 ORDER BY table_name",
      [run.runId],
    );
    const orders = audit.find((a) => a.table_name === 'orders');
    assert.equal(orders.inserted, shop.orders.length);
    assert.equal(orders.repaired.invalidDate, badDates.length);
    assert.equal(orders.repaired.truncated, longNotes.length);
    const customersAudit = audit.find((a) => a.table_name === 'customers');
    assert.equal(customersAudit.rejected, rejectedCustomers.length);

    // Rejects: one row each, with the reason and the record.
    const { rows: rejects } = await bed.warehouse.query("SELECT source_id, reason FROM sluice_etl.load_rejects WHERE run_id = $1 AND collection = 'customers'", [run.runId]);
    assert.deepEqual(rejects.map((r) => r.source_id).sort(), rejectedCustomers.map((c) => c._id.toHexString()).sort());
    for (const reject of rejects) assert.match(reject.reason, /^column loyalty_points \(integer\) cannot hold "[^"]+": not a whole number$/);

    const { rows: marks } = await bed.warehouse.query('SELECT collection, loaded_until FROM sluice_etl.watermarks ORDER BY collection');
    assert.deepEqual(marks.map((m) => [m.collection, m.loaded_until.toISOString()]), [
      ['customers', day(5).toISOString()], ['orders', day(5).toISOString()], ['products', day(5).toISOString()],
    ]);
  });

  test('re-running the whole run leaves the warehouse exactly as it was', async () => {
    const before = await snapshot();
    const { runs } = await listRuns(h.db, 'etl_test');
    const runId = runs[0]!.runId;
    await clearTaskInstances(h.services, 'etl_test', runId, {});
    await expectSuccess(runId);
    assert.deepEqual(await snapshot(), before);
    const { rows } = await bed.warehouse.query(
      "SELECT sum(inserted)::int AS inserted, sum(updated)::int AS updated FROM sluice_etl.load_audit WHERE run_id = $1 AND promoted_at = (SELECT max(promoted_at) FROM sluice_etl.load_audit)",
      [runId],
    );
    assert.deepEqual(rows[0], { inserted: 0, updated: 0 });
  });

  test('a backfill over several days loads each day\'s changes once, the newest version winning', async () => {
    const changed: { id: ObjectId; status: string; at: Date }[] = [];
    for (const [index, n] of [6, 7, 8].entries()) {
      for (const order of shop.orders.slice(index * 10, index * 10 + 10)) {
        const at = day(n, 12);
        const status = `changed-${n}`;
        await bed.mongo.collection('orders').updateOne({ _id: order._id }, { $set: { status, updatedAt: at, items: order.items.slice(0, 1) } });
        changed.push({ id: order._id, status, at });
      }
    }
    const backfill = await createBackfill(h.db, {
      dagId: 'etl_test', fromDate: day(6), toDate: day(8), reprocessBehavior: 'none', maxActiveRuns: 2, runBackwards: false, dryRun: false,
    });
    await h.waitFor('backfill to complete', async () => (await getBackfill(h.db, backfill.id!))?.completedAt, 120_000);
    const states = await Promise.all(backfill.dagRunIds.map((id) => runToEnd(id)));
    assert.deepEqual(states, ['success', 'success', 'success']);
    assert.equal(await count('orders'), shop.orders.length);
    for (const change of changed) {
      const { rows } = await bed.warehouse.query(
        'SELECT status, updated_at, (SELECT count(*)::int FROM orders_items i WHERE i.parent_id = o.id) AS items FROM orders o WHERE source_id = $1',
        [change.id.toHexString()],
      );
      assert.deepEqual(rows[0], { status: change.status, updated_at: change.at, items: 1 });
    }
    const { rows: audit } = await bed.warehouse.query(
      "SELECT run_id, updated FROM sluice_etl.load_audit WHERE table_name = 'orders' AND run_id = ANY($1) ORDER BY run_id",
      [backfill.dagRunIds],
    );
    assert.deepEqual(audit.map((a) => a.updated), [10, 10, 10]);
  });

  test('an S3 failure in the middle of an extract is retried without duplicates or loss', async () => {
    await bed.mongo.collection('orders').updateMany({}, { $set: { updatedAt: day(9, 6) } });
    // Part 2 of the orders table of try 1 (100 rows a part): refused more times than the SDK retries.
    bed.s3.failRequests((method, url) => method === 'PUT' && url.includes('/orders/try-1/orders/part-00002'), 20);
    const run = await triggerDagRun(h.db, 'etl_test', { logicalDate: day(10) });
    await expectSuccess(run.runId);
    const extract = (await h.taskInstances('etl_test', run.runId)).extract_orders!;
    assert.equal(extract.tryNumber, 2, 'the first try failed on S3 and the second one succeeded');
    assert.equal(bed.s3.pendingFailures(), 20 - 5, 'the SDK tried part 2 five times');
    assert.equal(await count('orders'), shop.orders.length);
    assert.equal(await count(`orders WHERE updated_at = '${day(9, 6).toISOString()}'`), shop.orders.length);
    assert.equal(await count('orders_items'), shop.orders.reduce((sum, o, i) => sum + (i < 30 ? 1 : o.items.length), 0));
    const { rows } = await bed.warehouse.query("SELECT staged, updated FROM sluice_etl.load_audit WHERE run_id = $1 AND table_name = 'orders'", [run.runId]);
    assert.deepEqual(rows, [{ staged: shop.orders.length, updated: shop.orders.length }]);
  });

  test('a failed promote leaves every warehouse table unchanged; its retry applies all of them', async () => {
    await bed.warehouse.query(`
      CREATE TABLE fail_promote (on_ boolean);
      INSERT INTO fail_promote VALUES (true);
      CREATE FUNCTION fail_promote() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF EXISTS (SELECT 1 FROM fail_promote) THEN RAISE EXCEPTION 'injected warehouse failure'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER fail_promote BEFORE INSERT ON orders_items FOR EACH ROW EXECUTE FUNCTION fail_promote();`);
    const at = day(11, 3);
    await bed.mongo.collection('customers').updateMany({ _id: { $in: shop.customers.slice(0, 5).map((c) => c._id) } }, { $set: { name: 'Renamed', updatedAt: at } });
    await bed.mongo.collection('orders').updateMany({ _id: { $in: shop.orders.slice(100, 105).map((o) => o._id) } }, { $set: { status: 'refunded', updatedAt: at } });
    const before = await snapshot();
    const run = await triggerDagRun(h.db, 'etl_test', { logicalDate: day(12) });
    assert.equal(await runToEnd(run.runId), 'failed');
    assert.equal((await h.taskStates('etl_test', run.runId)).promote, 'failed');
    assert.deepEqual(await snapshot(), before, 'customers were upserted before orders failed, and rolled back with them');

    await bed.warehouse.query('DELETE FROM fail_promote');
    await clearTaskInstances(h.services, 'etl_test', run.runId, { taskIds: ['promote'] });
    await expectSuccess(run.runId);
    assert.equal(await count("customers WHERE name = 'Renamed'"), 5);
    assert.equal(await count("orders WHERE status = 'refunded'"), 5);
    assert.equal(await count('orders'), shop.orders.length);
    assert.equal(await count('orders_items'), shop.orders.reduce((sum, o, i) => sum + (i < 30 ? 1 : o.items.length), 0));
  });

  test('past the reject limit stage_load fails and names the first rejects', async () => {
    const run = await triggerDagRun(h.db, 'etl_test', { logicalDate: day(13), conf: { fullRefresh: true, maxRejects: 0 } });
    assert.equal(await runToEnd(run.runId), 'failed');
    const load = (await h.taskInstances('etl_test', run.runId)).stage_load_customers!;
    assert.equal(load.state, 'failed');
    assert.equal(load.tryNumber, 1, 'a reject limit is not retried: the data would not change');
    assert.match(load.error ?? '', /customers: \d+ records could not be loaded, more than the limit of 0.*First: customers line \d+ \(source_id [0-9a-f]{24}\): column loyalty_points/);
  });
});
