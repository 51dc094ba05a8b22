/**
 * CPU per row of stage_load's encoding on the demo shop's tables, without S3 or PostgreSQL: each
 * table's rows are written as one part the way extract writes them (COPY text, and the NDJSON
 * of manifests of version 1), then read back the way stage_load reads them: gunzip, then the
 * line encoder for NDJSON, the byte encoder for COPY text parts that do not fit (what
 * PartRowsTransform runs).
 * A COPY text part that fits costs gunzip alone. Warehouse columns come from the repo's
 * migration, applied to a scratch database.
 *
 *   node --import tsx bench/scripts/part-load-cpu.ts [documents, default 100000]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import { generateShop } from '../../demo/shop-data.ts';
import { DocumentFlattener, type FlatRow } from '../../src/providers/etl/flatten.ts';
import { PartColumns } from '../../src/providers/etl/part-columns.ts';
import { planPart } from '../../src/providers/etl/part-fit.ts';
import { PartBytesEncoder } from '../../src/providers/etl/part-bytes.ts';
import { PartEncoder } from '../../src/providers/etl/part-rows.ts';
import type { WarehouseColumn } from '../../src/providers/etl/repair.ts';
import { describeTable, loadableColumns } from '../../src/providers/etl/warehouse-tables.ts';
import { dropDatabase, ensureDatabase } from '../../src/store/db.ts';
import { REPO_ROOT } from '../lib/paths.ts';

const documents = Number(process.argv[2] ?? 100_000);
const sizes = { customers: Math.round(documents * 0.2), products: Math.round(documents * 0.02), orders: 0 };
sizes.orders = documents - sizes.customers - sizes.products;
const options = { seed: 1, from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') };

const tables = new Map<string, FlatRow[]>();
const flatteners = new Map<string, DocumentFlattener>();
for (const entry of generateShop(sizes, options)) {
  let flattener = flatteners.get(entry.collection);
  if (!flattener) flatteners.set(entry.collection, (flattener = new DocumentFlattener({ table: entry.collection })));
  flattener.flatten(entry.doc as unknown as Record<string, unknown>, (table, row) => {
    if (!tables.has(table)) tables.set(table, []);
    tables.get(table)!.push(row);
  });
}

const url = `postgres://postgres@127.0.0.1:5432/sluice_part_load_${process.pid}`;
await ensureDatabase(url);
const pool = new pg.Pool({ connectionString: url, max: 1 });
const loadColumns = new Map<string, WarehouseColumn[]>();
try {
  await pool.query(await readFile(path.join(REPO_ROOT, 'dags/warehouse/migrations/0001_shop_tables.sql'), 'utf8'));
  for (const table of tables.keys()) {
    const columns = loadableColumns((await describeTable(pool, 'public', table))!);
    const parentKey: WarehouseColumn = { name: 'parent_source_id', dataType: 'text', maxLength: null, numericPrecision: null, numericScale: null, nullable: false };
    loadColumns.set(table, table.includes('_') ? [parentKey, ...columns] : columns);
  }
} finally {
  await pool.end();
  await dropDatabase(url);
}

const cpuMicros = (run: () => void) => {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return used.user + used.system;
};

for (const round of [1, 2]) {
  for (const [table, rows] of tables) {
    const columns = loadColumns.get(table)!;
    const key = table.includes('_') ? 'parent_source_id' : 'source_id';
    const part = new PartColumns(Object.keys(rows[0]!));
    const copyPart = gzipSync(rows.map((row) => part.line(row) + '\n').join(''), { level: 3 });
    const ndjsonPart = gzipSync(rows.map((row) => JSON.stringify(row) + '\n').join(''), { level: 3 });
    const described = part.describe();
    const plan = planPart(described, columns);
    const ndjson = cpuMicros(() => {
      const encoder = new PartEncoder(columns, key, () => undefined);
      encoder.write(gunzipSync(ndjsonPart));
    });
    const copy = cpuMicros(() => {
      const text = gunzipSync(copyPart);
      if (plan.fast) return;
      const encoder = new PartBytesEncoder(described, columns, plan, key, () => undefined);
      encoder.write(text);
    });
    if (round === 2) {
      console.log(`${table} (${rows.length} rows): NDJSON ${(ndjson / rows.length).toFixed(2)} µs/row, ` +
        `COPY text ${(copy / rows.length).toFixed(2)} µs/row (${plan.fast ? 'copied as it is: gunzip only' : `coerced: ${columns.filter((_, i) => !plan.raw[i]).map((c) => c.name).join(', ')}`})`);
    }
  }
}
