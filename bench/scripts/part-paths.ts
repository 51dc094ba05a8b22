/**
 * How the demo shop's parts would load: demo-shop documents flattened and written as extract
 * does (parts kept in memory), then each part's plan against the shop's warehouse tables (the
 * repo's migration, applied to a scratch database): copied as it is, or which columns are
 * coerced and why not. Also how many parts new fields made.
 *
 *   node --import tsx bench/scripts/part-paths.ts [documents, default 200000] [rows per part, default 100000]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { generateShop } from '../../demo/shop-data.ts';
import { DocumentFlattener } from '../../src/providers/etl/flatten.ts';
import { fitsColumn, planPart } from '../../src/providers/etl/part-fit.ts';
import { PartWriter } from '../../src/providers/etl/part-writer.ts';
import { describeTable, loadableColumns } from '../../src/providers/etl/warehouse-tables.ts';
import type { ObjectStore } from '../../src/providers/s3/objects.ts';
import { dropDatabase, ensureDatabase } from '../../src/store/db.ts';
import { REPO_ROOT } from '../lib/paths.ts';

const documents = Number(process.argv[2] ?? 200_000);
const rowsPerPart = Number(process.argv[3] ?? 100_000);
const sizes = { customers: Math.round(documents * 0.2), products: Math.round(documents * 0.02), orders: 0 };
sizes.orders = documents - sizes.customers - sizes.products;
const options = { seed: 1, from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') };
const nothingKept = { client: { send: async () => ({}) }, bucket: 'bench' } as unknown as ObjectStore;

const flatteners = new Map<string, DocumentFlattener>();
const writers = new Map<string, PartWriter>();
for (const entry of generateShop(sizes, options)) {
  let flattener = flatteners.get(entry.collection);
  if (!flattener) flatteners.set(entry.collection, (flattener = new DocumentFlattener({ table: entry.collection })));
  const rows: [string, Record<string, never>][] = [];
  flattener.flatten(entry.doc as unknown as Record<string, unknown>, (table, row) => void rows.push([table, row as Record<string, never>]));
  for (const [table, row] of rows) {
    let writer = writers.get(table);
    if (!writer) writers.set(table, (writer = new PartWriter(nothingKept, (n) => `${table}/part-${n}`, rowsPerPart)));
    await writer.write(row);
  }
}

const url = `postgres://postgres@127.0.0.1:5432/sluice_part_paths_${process.pid}`;
await ensureDatabase(url);
const pool = new pg.Pool({ connectionString: url, max: 1 });
try {
  await pool.query(await readFile(path.join(REPO_ROOT, 'dags/warehouse/migrations/0001_shop_tables.sql'), 'utf8'));
  for (const [table, writer] of writers) {
    const parts = await writer.finish();
    const columns = loadableColumns((await describeTable(pool, 'public', table))!);
    // A child table's staging table also has the parent's key (stage_load adds it).
    const load = table.includes('_') ? [{ name: 'parent_source_id', dataType: 'text', maxLength: null, numericPrecision: null, numericScale: null, nullable: false }, ...columns] : columns;
    const copied = parts.filter((part) => planPart(part.columns!, load).fast).length;
    const coerced = new Map<string, number>();
    for (const part of parts) {
      for (const column of part.columns!) {
        const target = load.find((c) => c.name === column.name);
        if (!target || !fitsColumn(column, target)) coerced.set(column.name, (coerced.get(column.name) ?? 0) + 1);
      }
    }
    const columnLists = new Set(parts.map((part) => part.columns!.map((c) => c.name).join(','))).size;
    console.log(`${table}: ${parts.length} parts (${writer.rows} rows, ${columnLists} column lists), ${copied} copied as they are` +
      (coerced.size > 0 ? `; coerced in n parts: ${[...coerced].map(([c, n]) => `${c} ${n}`).join(', ')}` : ''));
  }
} finally {
  await pool.end();
  await dropDatabase(url);
}
