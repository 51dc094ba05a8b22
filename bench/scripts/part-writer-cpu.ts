/**
 * CPU per row of PartWriter over realistic rows: demo-shop documents generated and flattened as
 * extract does, once with every row thrown away and once with every row written through one
 * writer per table (into a store that keeps nothing); the difference is the writer's. Rows are
 * streamed, never held, so that the garbage collector sees what it sees in an extract. Prints
 * process CPU (user + system, gzip's threads included) per row, parts and compressed bytes.
 *
 *   node --import tsx bench/scripts/part-writer-cpu.ts [documents, default 200000]
 */
import { generateShop } from '../../demo/shop-data.ts';
import { DocumentFlattener, type FlatRow } from '../../src/providers/etl/flatten.ts';
import { PartWriter } from '../../src/providers/etl/part-writer.ts';
import type { ObjectStore } from '../../src/providers/s3/objects.ts';

const documents = Number(process.argv[2] ?? 200_000);
const sizes = { customers: Math.round(documents * 0.2), products: Math.round(documents * 0.02), orders: 0 };
sizes.orders = documents - sizes.customers - sizes.products;
const options = { seed: 1, from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') };
const nothingKept = { client: { send: async () => ({}) }, bucket: 'bench' } as unknown as ObjectStore;

async function pass(write: boolean) {
  const flatteners = new Map<string, DocumentFlattener>();
  const writers = new Map<string, PartWriter>();
  const pending: [string, FlatRow][] = [];
  let rows = 0;
  const before = process.cpuUsage();
  for (const entry of generateShop(sizes, options)) {
    let flattener = flatteners.get(entry.collection);
    if (!flattener) flatteners.set(entry.collection, (flattener = new DocumentFlattener({ table: entry.collection })));
    flattener.flatten(entry.doc as unknown as Record<string, unknown>, (table, row) => void pending.push([table, row]));
    rows += pending.length;
    if (write) {
      for (const [table, row] of pending) {
        let writer = writers.get(table);
        if (!writer) writers.set(table, (writer = new PartWriter(nothingKept, (n) => `${table}/part-${n}`, 100_000)));
        await writer.write(row);
      }
    }
    pending.length = 0;
  }
  const parts: string[] = [];
  for (const [table, writer] of writers) {
    const written = await writer.finish();
    parts.push(`${table}: ${written.length} parts, ${(written.reduce((sum, p) => sum + p.bytes, 0) / 1024 / 1024).toFixed(1)} MiB`);
  }
  const cpu = process.cpuUsage(before);
  return { rows, cpuMs: (cpu.user + cpu.system) / 1000, parts };
}

await pass(false); // warm-up
const without = await pass(false);
const withWriter = await pass(true);
const perRow = ((withWriter.cpuMs - without.cpuMs) * 1000) / withWriter.rows;
console.log(`${withWriter.rows} rows from ${documents} documents: the writer takes ${perRow.toFixed(2)} µs CPU per row ` +
  `(${withWriter.cpuMs.toFixed(0)} ms with it, ${without.cpuMs.toFixed(0)} ms generating and flattening alone)`);
console.log(`  ${withWriter.parts.join('; ')}`);
