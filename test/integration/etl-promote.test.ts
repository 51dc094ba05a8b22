/**
 * promote on its own, against a real warehouse: staging tables filled here (typed like the
 * warehouse's, as stage_load makes them) from a small model of the source, promote called as a
 * task. The first load into empty tables must give what the upsert gives; a later load must
 * write only the rows that changed and end where a fresh load of the same source ends.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { ensureBookkeeping } from '../../src/providers/etl/bookkeeping.ts';
import { stagingTable } from '../../src/providers/etl/layout.ts';
import { promote, type PromoteResult } from '../../src/providers/etl/promote.ts';
import { noRepairs } from '../../src/providers/etl/repair.ts';
import type { EtlResources } from '../../src/providers/etl/resources.ts';
import type { StageResult } from '../../src/providers/etl/stage-load.ts';
import { createDb, dropDatabase, ensureDatabase, type Db } from '../../src/store/db.ts';
import { REPO_ROOT } from '../support/harness.ts';
import { taskContext } from '../support/task-context.ts';

type Row = Record<string, unknown>;
interface Doc {
  source_id: string;
  fields: Row;
  children: Record<string, Row[]>;
}
type Source = Record<string, Doc[]>;

/** The collections, their parent columns and child tables as the test stages them. */
const SHAPE: Record<string, { children: string[] }> = { customers: { children: ['customers_tags'] }, products: { children: [] }, orders: { children: ['orders_items'] } };
const TABLES = ['customers', 'customers_tags', 'products', 'orders', 'orders_items'];
const at = (hour: number) => new Date(Date.UTC(2026, 10, 1, hour)).toISOString();
const hex = (prefix: string, n: number) => `${prefix}${String(n).padStart(23, '0')}`;

function makeSource(): Source {
  const customers = Array.from({ length: 60 }, (_, i): Doc => ({
    source_id: hex('c', i),
    fields: { name: `Customer ${i}`, email: i % 7 === 0 ? null : `c${i}@example.com`, loyalty_points: i * 10, updated_at: at(1) },
    children: { customers_tags: ['vip', 'newsletter', 'b2b'].slice(0, i % 4).map((value, idx) => ({ idx, value })) },
  }));
  const products = Array.from({ length: 12 }, (_, i): Doc => ({ source_id: hex('p', i), fields: { sku: `SKU-${i}`, price: `${i}.50`, updated_at: at(1) }, children: {} }));
  const orders = Array.from({ length: 120 }, (_, i): Doc => ({
    source_id: hex('o', i),
    fields: { status: 'placed', total: `${i}.25`, notes: i % 3 === 0 ? null : `note ${i}`, updated_at: at(1) },
    children: { orders_items: Array.from({ length: 1 + (i % 4) }, (_, idx) => ({ idx, sku: `SKU-${(i + idx) % 12}`, quantity: 1 + idx, unit_price: `${idx}.99` })) },
  }));
  return { customers, products, orders };
}

const clone = (source: Source): Source => structuredClone(source);

describe('promote', { timeout: 120_000 }, () => {
  const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const urls = [`postgres://postgres@127.0.0.1:5432/sluice_promote_a_${id}`, `postgres://postgres@127.0.0.1:5432/sluice_promote_b_${id}`];
  let a: Db;
  let b: Db;
  let runs = 0;

  before(async () => {
    const migration = await readFile(path.join(REPO_ROOT, 'dags/warehouse/migrations/0001_shop_tables.sql'), 'utf8');
    const dbs = await Promise.all(
      urls.map(async (url) => {
        await ensureDatabase(url);
        const db = createDb(url, 3);
        await db.query(migration);
        await ensureBookkeeping(db);
        return db;
      }),
    );
    [a, b] = [dbs[0]!, dbs[1]!];
  });
  after(async () => {
    await Promise.all([a?.end(), b?.end()]);
    for (const url of urls) await dropDatabase(url);
  });

  /** Stages `docs` for a run and promotes them into `db`; returns the result and the log lines. */
  async function promoteInto(db: Db, docs: Source): Promise<{ result: PromoteResult; lines: Row[]; runId: string }> {
    const run = { dagId: 'promote_test', runId: `manual__run_${++runs}` };
    const stages: Record<string, StageResult> = {};
    for (const [collection, shape] of Object.entries(SHAPE)) {
      const tables = [];
      for (const table of [collection, ...shape.children]) {
        const parent = table === collection;
        const rows = parent
          ? docs[collection]!.map((d) => ({ source_id: d.source_id, ...d.fields }))
          : docs[collection]!.flatMap((d) => (d.children[table] ?? []).map((c) => ({ parent_source_id: d.source_id, ...c })));
        const columns = Object.keys(parent ? { source_id: 1, ...docs[collection]![0]!.fields } : (docs[collection]!.find((d) => d.children[table]?.length)?.children[table]?.[0] ?? { idx: 0 }));
        const staging = stagingTable(run, table);
        await db.query('CREATE SCHEMA IF NOT EXISTS sluice_staging');
        await db.query(`DROP TABLE IF EXISTS ${staging}`);
        await db.query(`CREATE UNLOGGED TABLE ${staging} AS SELECT ${parent ? '' : "''::text AS parent_source_id, "}${columns.join(', ')} FROM ${table} WITH NO DATA`);
        await db.query(`INSERT INTO ${staging} SELECT * FROM jsonb_populate_recordset(NULL::${staging}, $1)`, [JSON.stringify(rows)]);
        tables.push({ table, staging, parent, columns, rows: rows.length, rejected: 0, repaired: noRepairs() });
      }
      stages[`stage_load_${collection}`] = {
        collection, table: collection, modifiedColumn: 'updated_at', from: null, until: at(23), tables, rejected: 0, unknownFields: [], evolved: [],
      };
    }
    const lines: Row[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Row) });
    const resources: EtlResources = {
      warehouse: async () => db,
      source: () => assert.fail('promote reads no source'),
      store: () => assert.fail('promote reads no store'),
    };
    const ctx = taskContext({ ...run, taskId: 'promote', log, xcom: async <T>(task: string) => stages[task] as T });
    const result = await promote(ctx, { stageTasks: Object.keys(stages), resources });
    return { result, lines, runId: run.runId };
  }

  const firstLoads = (lines: Row[]) => Object.fromEntries(lines.filter((l) => l.msg === 'promoted collection').map((l) => [l.collection, l.firstLoad]));

  /** Every table by natural key (source_id; the parent's source_id and idx), every column but the surrogate ids and load times. */
  async function contents(db: Db): Promise<Record<string, unknown[]>> {
    const result: Record<string, unknown[]> = {};
    for (const table of TABLES) {
      const parent = Object.keys(SHAPE).find((p) => table !== p && table.startsWith(`${p}_`));
      const { rows } = await db.query<{ row: unknown }>(
        parent
          ? `SELECT to_jsonb(t) - 'id' - 'parent_id' || jsonb_build_object('parent', p.source_id) AS row FROM ${table} t JOIN ${parent} p ON p.id = t.parent_id ORDER BY p.source_id, t.idx`
          : `SELECT to_jsonb(t) - 'id' - 'etl_loaded_at' - 'etl_run_id' AS row FROM ${table} t ORDER BY source_id`,
      );
      result[table] = rows.map((r) => r.row);
    }
    return result;
  }

  /** Indexes and constraints of the warehouse tables, as the catalog defines them. */
  async function keys(db: Db): Promise<string[]> {
    const { rows } = await db.query<{ key: string }>(
      `SELECT c.relname || ' ' || conname || ' ' || pg_get_constraintdef(k.oid) || ' ' || k.convalidated AS key
         FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relname = ANY($1)
       UNION ALL SELECT indexdef FROM pg_indexes WHERE tablename = ANY($1) ORDER BY 1`,
      [TABLES],
    );
    return rows.map((r) => r.key);
  }

  /** Each row's version: (table, id) → xmin, to tell which rows a promote wrote. */
  async function versions(db: Db): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    for (const table of TABLES) {
      const { rows } = await db.query<{ id: number; xmin: string }>(`SELECT id, xmin::text AS xmin FROM ${table}`);
      for (const row of rows) map.set(`${table} ${row.id}`, row.xmin);
    }
    return map;
  }

  const written = (before: Map<string, string>, now: Map<string, string>, table: string) => {
    const inTable = (m: Map<string, string>) => [...m].filter(([key]) => key.startsWith(`${table} `));
    const changed = inTable(now).filter(([key, xmin]) => before.get(key) !== xmin).length;
    const deleted = inTable(before).filter(([key]) => !now.has(key)).length;
    return changed + deleted;
  };

  const truncate = (db: Db) => db.query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY CASCADE`);

  const source = makeSource();
  /** The last later load's staging, for its retry. */
  let latest: Source = source;

  test('a first load into empty tables gives what the upsert gives, counts included, and leaves every key as it was', async () => {
    const keysBefore = await keys(a);
    const first = await promoteInto(a, source);
    assert.deepEqual(firstLoads(first.lines), { customers: true, products: true, orders: true });

    // The upsert path: the same source into tables that are not empty (a row that is not in it).
    await b.query("INSERT INTO customers (source_id, etl_run_id) VALUES ('zzz', 'x'); INSERT INTO products (source_id, etl_run_id) VALUES ('zzz', 'x'); INSERT INTO orders (source_id, etl_run_id) VALUES ('zzz', 'x')");
    const upsert = await promoteInto(b, source);
    assert.deepEqual(firstLoads(upsert.lines), { customers: false, products: false, orders: false });
    await b.query("DELETE FROM customers WHERE source_id = 'zzz'; DELETE FROM products WHERE source_id = 'zzz'; DELETE FROM orders WHERE source_id = 'zzz'");

    assert.deepEqual(await contents(a), await contents(b));
    assert.deepEqual(first.result.tables, upsert.result.tables);
    assert.equal(first.result.tables.find((t) => t.table === 'orders_items')!.written, source.orders!.reduce((n, o) => n + o.children.orders_items!.length, 0));
    assert.deepEqual(await keys(a), keysBefore, 'indexes, unique keys and foreign keys rebuilt as they were, validated');
    const { rows } = await a.query("SELECT table_name, staged, inserted, updated, unchanged, written FROM sluice_etl.load_audit WHERE run_id = $1 ORDER BY table_name", [first.runId]);
    assert.deepEqual(rows.find((r) => r.table_name === 'customers'), { table_name: 'customers', staged: 60, inserted: 60, updated: 0, unchanged: 0, written: 60 });
  });

  test('a first load whose staging holds a source key twice is upserted instead: the newer version wins, the counts are exact', async () => {
    await truncate(b);
    const twice = clone(source);
    const older = { ...twice.customers![5]!, fields: { ...twice.customers![5]!.fields, name: 'Older', updated_at: at(0) } };
    twice.customers!.push(older);
    const { result, lines } = await promoteInto(b, twice);
    assert.equal(firstLoads(lines).customers, false, 'fell back to the upsert');
    assert.equal(firstLoads(lines).orders, true, 'the other collections still loaded as first loads');
    const customers = result.tables.find((t) => t.table === 'customers')!;
    assert.deepEqual([customers.staged, customers.inserted, customers.unchanged], [61, 60, 0]);
    assert.deepEqual(await contents(b), await contents(a));
  });

  test('a later load writes only the changed parent and child rows, and ends where a fresh load of the same source ends', async () => {
    const next = clone(source);
    const changes: Doc[] = [];
    const change = (collection: string, index: number, edit: (doc: Doc) => void) => {
      const doc = next[collection]![index]!;
      edit(doc);
      doc.fields.updated_at = at(5);
      changes.push(doc);
    };
    change('customers', 1, (d) => (d.fields.email = 'new@example.com')); // its one tag is unchanged
    change('customers', 3, (d) => (d.children.customers_tags = [])); // three tags deleted
    change('products', 2, (d) => (d.fields.price = '99.00'));
    change('orders', 0, (d) => (d.children.orders_items![0]!.quantity = 7)); // one item updated
    change('orders', 5, (d) => d.children.orders_items!.push({ idx: 2, sku: 'SKU-1', quantity: 1, unit_price: '1.00' })); // one added
    change('orders', 7, (d) => (d.children.orders_items = d.children.orders_items!.slice(0, 1))); // three deleted
    change('orders', 9, (d) => (d.fields.status = 'paid')); // parent only
    const added: Doc = { source_id: hex('o', 999), fields: { status: 'placed', total: '1.00', notes: null, updated_at: at(5) }, children: { orders_items: [{ idx: 0, sku: 'SKU-0', quantity: 1, unit_price: '1.00' }] } };
    next.orders!.push(added);
    // Staged again but not changed, and an older version than the warehouse has: neither may be written.
    const stale = { ...clone(source).orders![30]!, fields: { ...source.orders![30]!.fields, status: 'stale', updated_at: at(0) } };
    const hour: Source = {
      customers: changes.filter((d) => d.source_id.startsWith('c')),
      products: [...changes.filter((d) => d.source_id.startsWith('p')), clone(source).products![0]!],
      orders: [...changes.filter((d) => d.source_id.startsWith('o')), added, clone(source).orders![20]!, stale],
    };

    const before = await versions(a);
    const { result, lines } = await promoteInto(a, hour);
    const now = await versions(a);
    assert.deepEqual(firstLoads(lines), { customers: false, products: false, orders: false });
    const expected = { customers: 2, customers_tags: 3, products: 1, orders: 5, orders_items: 1 + 1 + 3 + 1 };
    for (const [table, rows] of Object.entries(expected)) {
      assert.equal(written(before, now, table), rows, `${table}: rows written`);
      assert.equal(result.tables.find((t) => t.table === table)!.written, rows, `${table}: rows written, as promote counted them`);
    }
    const orders = result.tables.find((t) => t.table === 'orders')!;
    assert.deepEqual([orders.inserted, orders.updated, orders.unchanged], [1, 4, 2]);

    await truncate(b);
    await promoteInto(b, next);
    assert.deepEqual(await contents(a), await contents(b));
    latest = hour;
  });

  test('promoting the same staging again (a retry, a clear) writes nothing', async () => {
    const snapshot = await contents(a);
    const before = await versions(a);
    const { result } = await promoteInto(a, latest);
    assert.deepEqual(await versions(a), before);
    assert.deepEqual(await contents(a), snapshot);
    assert.ok(result.tables.every((t) => t.written === 0 && t.inserted === 0 && t.updated === 0));
  });

  test('a first load that fails leaves the tables empty and every key in place', async () => {
    await truncate(b);
    const keysBefore = await keys(b);
    await b.query(`CREATE FUNCTION fail_items() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
                   CREATE TRIGGER fail_items BEFORE INSERT ON orders_items FOR EACH ROW EXECUTE FUNCTION fail_items()`);
    try {
      await assert.rejects(promoteInto(b, source), /injected failure/);
    } finally {
      await b.query('DROP TRIGGER fail_items ON orders_items; DROP FUNCTION fail_items()');
    }
    for (const table of TABLES) assert.equal((await b.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n, 0, table);
    assert.deepEqual(await keys(b), keysBefore);
  });
});
