/**
 * The showcase ETL when the source changes under it, through real runs of the production
 * operators (scheduler and worker of the harness): fields the warehouse lacks, schema evolution,
 * invalid UTF-8 stored in MongoDB, and a cursor that breaks in the middle of an extract.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { BSON, ObjectId } from 'mongodb';
import { generateCustomers, generateOrders, generateProducts, type CustomerDoc, type OrderDoc, type ProductDoc } from '../../demo/shop-data.ts';
import type { CommitResult, Manifest, StageResult } from '../../src/providers/index.ts';
import { readText } from '../../src/providers/s3/objects.ts';
import { etlResources } from '../../src/providers/etl/resources.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { listTries } from '../../src/store/task-instance-reads.ts';
import { Harness, REPO_ROOT } from '../support/harness.ts';
import type { EtlTestbed } from '../support/etl-testbed.ts';
import { day, etlLoadDag, expectRunSuccess, linesSaying, startEtlSuite, taskLog, taskXcom, type EtlSuite } from '../support/etl-dag.ts';

const DAG_ID = 'etl_evolution';
const NEEDS_STAND_IN = 'needs the MongoDB stand-in (MONGO_URL is set, so the tests run against a real server)';

// No bad records: every schema change below is one this test planted.
const options = { seed: 11, from: day(1), to: day(4), badRecordRate: 0 };
const customers = [...generateCustomers(120, options)];
const products = [...generateProducts(30, options)];
const orders = [...generateOrders(250, customers.map((c) => c._id), products, options)];
const itemCount = orders.reduce((sum, o) => sum + o.items.length, 0);
const tagCount = customers.reduce((sum, c) => sum + c.tags.length, 0);
// A top-level field the customers table lacks, and one the orders_items child table lacks.
const nicknamed = customers.slice(0, 25);
const giftWrapped = orders.slice(0, 10);
const nickname = (c: CustomerDoc) => `nick-${customers.indexOf(c)}`;

interface AuditRow {
  table_name: string;
  staged: number;
  inserted: number;
  updated: number;
  repaired: { invalidDate: number; truncated: number; invalidUtf8: number };
  rejected: number;
  unknown_fields: string[];
}

describe('the ETL when the source changes shape', { timeout: 120_000 }, () => {
  // Tries run in the worker's own process: the tests change the ETL's settings in process.env
  // between runs, which runner processes, started with the environment of their time, never see.
  const h = new Harness({ dags: { [`${DAG_ID}.ts`]: etlLoadDag(DAG_ID) }, env: { SLUICE_TASK_ISOLATION: 'inline' } });
  let suite: EtlSuite;
  let bed: EtlTestbed;

  const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => (await bed.warehouse.query(sql, params)).rows as T[];
  const count = async (from: string, params: unknown[] = []) => Number((await query<{ n: string }>(`SELECT count(*) AS n FROM ${from}`, params))[0]!.n);
  const audit = async (runId: string) =>
    query<AuditRow>(
      'SELECT table_name, staged, inserted, updated, repaired, rejected, unknown_fields FROM sluice_etl.load_audit WHERE run_id = $1 ORDER BY table_name',
      [runId],
    );
  const auditOf = async (runId: string, table: string) => (await audit(runId)).find((row) => row.table_name === table)!;
  const columnType = async (table: string, column: string) =>
    (await query<{ type: string }>(
      `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2 AND NOT attisdropped`,
      [table, column],
    ))[0]?.type;
  const run = async (logicalDate: Date) => {
    const { runId } = await triggerDagRun(h.db, DAG_ID, { logicalDate });
    await expectRunSuccess(h, DAG_ID, runId);
    return runId;
  };

  before(async () => {
    suite = await startEtlSuite(h, [DAG_ID], { ETL_ROWS_PER_PART: '40', ETL_MAX_REJECTS: '0' });
    bed = suite.bed;
    await bed.mongo.collection<CustomerDoc>('customers').insertMany(customers.map((c) => (nicknamed.includes(c) ? { ...c, nickname: nickname(c) } : c)));
    await bed.mongo.collection<ProductDoc>('products').insertMany(products);
    await bed.mongo.collection<OrderDoc>('orders').insertMany(
      orders.map((o) => (giftWrapped.includes(o) ? { ...o, items: o.items.map((item, i) => (i === 0 ? { ...item, giftWrap: true } : item)) } : o)),
    );
  });
  after(() => suite?.stop());

  test('with schema evolution off, fields the warehouse lacks are reported by name and everything else loads', async () => {
    const runId = await run(day(5));

    const customersStage = await taskXcom<StageResult>(h, DAG_ID, runId, 'stage_load_customers');
    const ordersStage = await taskXcom<StageResult>(h, DAG_ID, runId, 'stage_load_orders');
    const productsStage = await taskXcom<StageResult>(h, DAG_ID, runId, 'stage_load_products');
    assert.deepEqual([customersStage.unknownFields, customersStage.evolved], [['customers.nickname'], []]);
    assert.deepEqual([ordersStage.unknownFields, ordersStage.evolved], [['orders_items.gift_wrap'], []]);
    assert.deepEqual(productsStage.unknownFields, []);

    const warnings = linesSaying(await taskLog(h, DAG_ID, runId, 'stage_load_customers'), /have no warehouse column and were not loaded/);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.level, 40);
    assert.deepEqual(warnings[0]!.unknownFields, ['customers.nickname']);
    assert.match(warnings[0]!.msg, /^1 source field\(s\) have no warehouse column and were not loaded; .*ETL_SCHEMA_EVOLUTION=1/);

    // The audit names them on the row of the collection's parent table, child tables' fields included.
    assert.deepEqual(
      (await audit(runId)).map((row) => [row.table_name, row.staged, row.inserted, row.rejected, row.unknown_fields]),
      [
        ['customers', 120, 120, 0, ['customers.nickname']],
        ['customers_tags', tagCount, 0, 0, []],
        ['orders', 250, 250, 0, ['orders_items.gift_wrap']],
        ['orders_items', itemCount, 0, 0, []],
        ['products', 30, 30, 0, []],
      ],
    );

    assert.equal(await columnType('customers', 'nickname'), undefined, 'no column was added');
    assert.equal(await columnType('orders_items', 'gift_wrap'), undefined);
    assert.equal(await count('customers'), customers.length);
    assert.equal(await count('customers_tags'), tagCount);
    assert.equal(await count('products'), products.length);
    assert.equal(await count('orders'), orders.length);
    assert.equal(await count('orders_items'), itemCount);
    const sample = nicknamed[3]!;
    const [row] = await query<{ name: string; email: string; address_city: string }>('SELECT name, email, address_city FROM customers WHERE source_id = $1', [sample._id.toHexString()]);
    assert.deepEqual(row, { name: sample.name, email: sample.email, address_city: sample.address.city });
  });

  test('with ETL_SCHEMA_EVOLUTION=1 a new field becomes a column, a value its column cannot hold widens it, each change an auto migration', async () => {
    process.env.ETL_SCHEMA_EVOLUTION = '1';
    try {
      const at = day(5, 6);
      const fractional = products.slice(0, 5);
      const wordy = products.slice(5, 8);
      const longNamed = customers.slice(30, 33);
      await bed.mongo.collection('customers').updateMany({ _id: { $in: nicknamed.map((c) => c._id) } }, { $set: { updatedAt: at } });
      await bed.mongo.collection('customers').updateMany({ _id: { $in: longNamed.map((c) => c._id) } }, { $set: { name: 'L'.repeat(250), updatedAt: at } });
      for (const [i, product] of fractional.entries()) {
        await bed.mongo.collection('products').updateOne({ _id: product._id }, { $set: { stock: i + 0.5, updatedAt: at } });
      }
      await bed.mongo.collection('products').updateMany({ _id: { $in: wordy.map((p) => p._id) } }, { $set: { active: 'discontinued', updatedAt: at } });
      await bed.mongo.collection('orders').updateMany({ _id: { $in: giftWrapped.map((o) => o._id) } }, { $set: { updatedAt: at } });

      const runId = await run(day(6));

      // The new columns, typed by what the source sent; widened types, a varchar too narrow included.
      assert.equal(await columnType('customers', 'nickname'), 'text');
      assert.equal(await columnType('orders_items', 'gift_wrap'), 'boolean');
      assert.equal(await columnType('products', 'stock'), 'numeric');
      assert.equal(await columnType('products', 'active'), 'text');
      assert.equal(await columnType('customers', 'name'), 'character varying(400)');

      const nicknames = await query<{ source_id: string; nickname: string }>('SELECT source_id, nickname FROM customers WHERE nickname IS NOT NULL ORDER BY source_id');
      assert.deepEqual(nicknames, nicknamed.map((c) => ({ source_id: c._id.toHexString(), nickname: nickname(c) })).sort((a, b) => a.source_id.localeCompare(b.source_id)));
      assert.equal(
        await count('orders_items i JOIN orders o ON o.id = i.parent_id WHERE i.gift_wrap AND i.idx = 0 AND o.source_id = ANY($1)', [giftWrapped.map((o) => o._id.toHexString())]),
        giftWrapped.length,
      );
      assert.equal(await count('orders_items WHERE gift_wrap IS NOT NULL'), giftWrapped.length);
      assert.equal(await count('orders_items'), itemCount);
      const productRows = await query<{ source_id: string; stock: string; active: string }>('SELECT source_id, stock::text AS stock, active FROM products');
      const productRow = (p: ProductDoc) => productRows.find((r) => r.source_id === p._id.toHexString())!;
      assert.deepEqual(fractional.map((p) => productRow(p).stock), ['0.5', '1.5', '2.5', '3.5', '4.5']);
      assert.deepEqual(wordy.map((p) => productRow(p).active), ['discontinued', 'discontinued', 'discontinued']);
      // Rows loaded before the change keep their values, in the wider type.
      const untouched = products[10]!;
      assert.deepEqual(productRow(untouched), { source_id: untouched._id.toHexString(), stock: String(untouched.stock), active: String(untouched.active) });
      // Too long for varchar(200): the column widened, so nothing was cut.
      assert.equal(await count("customers WHERE name = repeat('L', 250)"), longNamed.length);

      const customersAudit = await auditOf(runId, 'customers');
      assert.deepEqual(customersAudit.repaired, { invalidDate: 0, truncated: 0, invalidUtf8: 0 });
      assert.deepEqual([customersAudit.staged, customersAudit.updated], [nicknamed.length + longNamed.length, nicknamed.length + longNamed.length]);
      assert.deepEqual([(await auditOf(runId, 'products')).updated, (await auditOf(runId, 'orders')).updated], [8, giftWrapped.length]);
      assert.deepEqual((await audit(runId)).flatMap((row) => row.unknown_fields), [], 'nothing left unknown');

      const statements = {
        customers: [
          'ALTER TABLE "public"."customers" ADD COLUMN IF NOT EXISTS "nickname" text',
          'ALTER TABLE "public"."customers" ALTER COLUMN "name" TYPE varchar(400) USING "name"::varchar(400)',
        ],
        orders_items: ['ALTER TABLE "public"."orders_items" ADD COLUMN IF NOT EXISTS "gift_wrap" boolean'],
        products: [
          'ALTER TABLE "public"."products" ALTER COLUMN "active" TYPE text USING "active"::text',
          'ALTER TABLE "public"."products" ALTER COLUMN "stock" TYPE numeric USING "stock"::numeric',
        ],
      };
      // A table's changes come in the order its manifest lists the columns (which, after a trip through
      // the jsonb XCom, is not alphabetical): compared as sets.
      const sorted = (list: readonly string[]) => [...list].sort();
      const evolved = async (task: string) => sorted((await taskXcom<StageResult>(h, DAG_ID, runId, task)).evolved);
      assert.deepEqual(await evolved('stage_load_customers'), statements.customers);
      assert.deepEqual(await evolved('stage_load_orders'), statements.orders_items);
      assert.deepEqual(await evolved('stage_load_products'), statements.products);
      const evolutionLog = linesSaying(await taskLog(h, DAG_ID, runId, 'stage_load_products'), 'schema evolution changed the warehouse');
      assert.deepEqual(evolutionLog.map((line) => [line.table, sorted(line.statements as string[])]), [['products', statements.products]]);

      // One auto migration per evolved table, all of its statements in one, as applied.
      const migrations = await query<{ version: number; name: string; checksum: string; sql: string; applied_by: string }>(
        "SELECT version, name, checksum, sql, applied_by FROM sluice_etl.schema_migrations WHERE source = 'auto' ORDER BY name",
      );
      assert.deepEqual(
        migrations.map((m) => [m.name, sorted(m.sql.split(';\n')), m.applied_by]),
        (Object.entries(statements) as [string, string[]][]).map(([table, sql]) => [
          `evolve_${table}`,
          sql,
          `${DAG_ID}/${runId}/stage_load_${table === 'orders_items' ? 'orders' : table}`,
        ]),
      );
      for (const m of migrations) assert.equal(m.checksum, createHash('sha256').update(m.sql).digest('hex'));
      const versions = migrations.map((m) => m.version);
      assert.ok(Math.min(...versions) >= 100_000, `auto migrations are numbered from 100000, got ${versions.join(', ')}`);
      assert.equal(new Set(versions).size, versions.length);
      const files = (await readdir(path.join(REPO_ROOT, 'dags/warehouse/migrations'))).filter((f) => f.endsWith('.sql')).length;
      assert.equal(await count("sluice_etl.schema_migrations WHERE source = 'file'"), files, `each of the ${files} migration files was applied once`);
    } finally {
      delete process.env.ETL_SCHEMA_EVOLUTION;
    }
  });

  test('invalid UTF-8 stored in MongoDB arrives with U+FFFD and is counted as a repair', { skip: process.env.MONGO_URL ? NEEDS_STAND_IN : false }, async () => {
    const id = new ObjectId();
    const at = day(6, 6);
    const doc = {
      _id: id,
      name: 'Caf~ au lait',
      email: 'cafe@example.com',
      address: { street: '1 Rua Augusta', city: 'S~o Paulo', zipcode: '01305', country: 'BR' },
      tags: ['vip'],
      loyalty: { tier: 'gold', points: 10 },
      createdAt: at,
      updatedAt: at,
    };
    // One byte of each string replaced by 0xFF, which is never valid in UTF-8 (the lengths stay right).
    const bson = Buffer.from(BSON.serialize(doc));
    for (const text of ['Caf~ au lait', 'S~o Paulo']) {
      const offset = bson.indexOf(Buffer.from(text));
      assert.ok(offset > 0);
      bson[offset + text.indexOf('~')] = 0xff;
    }
    bed.standIn!.insertRaw(bed.mongo.databaseName, 'customers', bson);

    const runId = await run(day(7));
    const [row] = await query<{ name: string; address_city: string; tags: string[] }>(
      'SELECT name, address_city, ARRAY(SELECT value FROM customers_tags t WHERE t.parent_id = c.id ORDER BY idx) AS tags FROM customers c WHERE source_id = $1',
      [id.toHexString()],
    );
    assert.deepEqual(row, { name: 'Caf\uFFFD au lait', address_city: 'S\uFFFDo Paulo', tags: ['vip'] });
    const customersAudit = await auditOf(runId, 'customers');
    assert.deepEqual([customersAudit.staged, customersAudit.inserted, customersAudit.rejected], [1, 1, 0]);
    assert.deepEqual(customersAudit.repaired, { invalidDate: 0, truncated: 0, invalidUtf8: 2 });
  });

  test('a MongoDB getMore failing in the middle of an extract fails that try; the retry loads every document exactly once', { skip: process.env.MONGO_URL ? NEEDS_STAND_IN : false }, async () => {
    const at = day(7, 6);
    await bed.mongo.collection('orders').updateMany({}, { $set: { status: 'refunded', updatedAt: at } });
    // The extract reads 100 documents a batch: the first getMore (documents 101-200) loses its connection.
    // Nothing else reads in this run's window, so no other cursor takes the failure.
    bed.standIn!.failNext('getMore', { code: 6, message: 'injected by the test', closeConnection: true });

    const runId = await run(day(8));
    const tries = await listTries(h.db, DAG_ID, runId, 'extract_orders');
    assert.deepEqual(tries.map((t) => [t.tryNumber, t.state]), [[1, 'failed'], [2, 'success']], 'the driver did not hide the failure');
    assert.match(tries[0]!.error ?? '', /reading MongoDB collection "orders" failed/);
    const instances = await h.taskInstances(DAG_ID, runId);
    assert.deepEqual([instances.extract_customers!.tryNumber, instances.extract_products!.tryNumber], [1, 1]);

    // Only the retry's parts are committed; the failed try's are orphans that nothing loads.
    const commit = await taskXcom<CommitResult>(h, DAG_ID, runId, 'upload_orders');
    assert.equal(commit.documents, orders.length);
    const manifest = JSON.parse((await readText(etlResources().store(), commit.manifestKey))!) as Manifest;
    const partKeys = Object.values(manifest.tables).flatMap((t) => t.parts.map((p) => p.key));
    assert.ok(partKeys.length > 2 && partKeys.every((key) => key.includes('/orders/try-2/')), partKeys.join(', '));

    assert.equal(await count('orders'), orders.length);
    assert.equal(await count('(SELECT DISTINCT source_id FROM orders) s'), orders.length);
    assert.equal(await count('orders WHERE status = $1 AND updated_at = $2', ['refunded', at]), orders.length);
    assert.equal(await count('orders_items'), itemCount);
    assert.equal(await count('(SELECT DISTINCT parent_id, idx FROM orders_items) s'), itemCount);
    const ordersAudit = await auditOf(runId, 'orders');
    assert.deepEqual([ordersAudit.staged, ordersAudit.inserted, ordersAudit.updated], [orders.length, 0, orders.length]);
    assert.equal((await auditOf(runId, 'orders_items')).staged, itemCount);
  });
});
