/**
 * COPY text parts through the production tasks' functions, against s3rver and PostgreSQL: a part
 * whose every column fits the warehouse goes to COPY as it is (what stage_load staged reads back
 * byte for byte as the part's text), and a part with values to repair, reject or drop is coerced
 * to exactly what the same documents staged from an NDJSON part of a version-1 manifest (the
 * format before this one) give: the same rows, repairs and rejects.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import type pg from 'pg';
import pgCopy from 'pg-copy-streams';
import { pino } from 'pino';
import { generateCustomers } from '../../demo/shop-data.ts';
import { quoteIdent } from '../../src/providers/etl/column-names.ts';
import { DocumentFlattener, type FlatRow } from '../../src/providers/etl/flatten.ts';
import type { ExtractResult, PartInfo } from '../../src/providers/etl/manifest.ts';
import { PartWriter } from '../../src/providers/etl/part-writer.ts';
import { etlResources, type EtlResources } from '../../src/providers/etl/resources.ts';
import { stageLoad, type StageResult } from '../../src/providers/etl/stage-load.ts';
import { commitExtract } from '../../src/providers/etl/upload.ts';
import { putObject, readStream } from '../../src/providers/s3/objects.ts';
import type { TaskContext } from '../../src/sdk/context.ts';
import { startEtlTestbed, type EtlTestbed } from '../support/etl-testbed.ts';
import { REPO_ROOT } from '../support/harness.ts';
import { taskContext } from '../support/task-context.ts';

const FAST_TABLE = `CREATE TABLE fast (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source_id text NOT NULL UNIQUE,
  name varchar(40), qty integer, big bigint, note text, address_city varchar(20),
  etl_run_id text NOT NULL, etl_loaded_at timestamptz NOT NULL DEFAULT now())`;
const ROUGH_TABLE = `CREATE TABLE rough (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source_id text NOT NULL UNIQUE,
  name varchar(5), qty integer, price numeric(6,2), active boolean, placed_at timestamptz, zipcode varchar(10),
  etl_run_id text NOT NULL, etl_loaded_at timestamptz NOT NULL DEFAULT now())`;

const fastDocuments = Array.from({ length: 500 }, (_, i) => ({
  _id: `f${i}`,
  name: i % 5 === 0 ? `tab\there, new\nline, back\\slash ${i}` : `Zoë 🦊 ${i}`,
  qty: i - 250,
  big: 2 ** 40 + i,
  ...(i % 3 === 0 ? {} : { note: i % 7 === 0 ? '' : `note ${i}` }),
  address: { city: i % 2 === 0 ? 'Berlin' : 'Köln' },
}));

const roughDocuments = Array.from({ length: 300 }, (_, i) => ({
  _id: `r${i}`,
  name: i % 7 === 0 ? 'a name too long' : `n${i}`,
  qty: i % 13 === 0 ? 'n/a' : i,
  price: i % 31 === 0 ? 123456.5 : (i % 50) + 0.75,
  active: i % 2 === 0,
  placedAt: i % 11 === 0 ? '2026-02-30T10:00:00Z' : new Date(Date.UTC(2026, 0, 1 + (i % 28))),
  zipcode: i % 3 === 0 ? 'SW1A 1AA' : 10115 + i,
  nickname: `not in the warehouse ${i}`,
}));

describe('COPY text parts into staging', { timeout: 120_000 }, () => {
  let bed: EtlTestbed;
  let resources: EtlResources;
  let warehouse: pg.Pool;

  before(async () => {
    bed = await startEtlTestbed();
    resources = etlResources(bed.env);
    warehouse = await resources.warehouse();
    await warehouse.query(FAST_TABLE);
    await warehouse.query(ROUGH_TABLE);
  });
  after(() => bed?.close());

  /** The documents flattened as extract does; the table's rows and the extract result naming `parts`. */
  function extractOf(collection: string, documents: readonly Record<string, unknown>[]) {
    const flattener = new DocumentFlattener({ table: collection });
    const rows: FlatRow[] = [];
    // The parent table's rows only: a document's arrays (child tables) are not staged here.
    for (const document of documents) flattener.flatten(document, (table, row) => void (table === collection && rows.push(row)));
    const result = (parts: PartInfo[]): ExtractResult => ({
      collection, table: collection, tryNumber: 1, from: null, until: '2026-12-01T00:00:00.000Z', documents: documents.length, collisions: [],
      tables: { [collection]: { columns: flattener.observed()[collection]!, widths: flattener.observedWidths()[collection]!, parts, rows: rows.length } },
    });
    return { rows, result };
  }

  /** Commits the extract and stages it in run `runId`, as the upload and stage_load tasks do; the log lines too. */
  async function stage(runId: string, extract: ExtractResult): Promise<{ staged: StageResult; logs: Record<string, unknown>[] }> {
    const logs: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, new Writable({ write(chunk: Buffer, _e, done) { logs.push(JSON.parse(chunk.toString('utf8'))); done(); } }));
    const ctx = (xcom: unknown): TaskContext => taskContext({ dagId: 'copy_parts', runId, log, xcom: (async () => xcom) as TaskContext['xcom'] });
    const commit = await commitExtract(ctx(extract), { extractTask: 'extract', resources });
    const staged = await stageLoad(ctx(commit), { collection: { collection: extract.collection, modifiedField: 'updatedAt' }, uploadTask: 'upload', resources });
    return { staged, logs };
  }

  const partsLoaded = (logs: Record<string, unknown>[]) => logs.filter((line) => line.msg === 'part loaded').map((line) => line.path);

  async function copyOut(sql: string): Promise<string> {
    const client = await warehouse.connect();
    try {
      const chunks: Buffer[] = [];
      await pipeline(client.query(pgCopy.to(sql)), new Writable({ write(chunk: Buffer, _e, done) { chunks.push(chunk); done(); } }));
      return Buffer.concat(chunks).toString('utf8');
    } finally {
      client.release();
    }
  }

  async function partText(part: PartInfo): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of await readStream(resources.store(), part.key)) chunks.push(chunk as Buffer);
    return gunzipSync(Buffer.concat(chunks)).toString('utf8');
  }

  test('a part whose every column fits is copied as it is: staging reads back as the part\'s own bytes', async () => {
    const { rows, result } = extractOf('fast', fastDocuments);
    const writer = new PartWriter(resources.store(), (n) => `copy-parts/fast/part-${n}.gz`, 200);
    for (const row of rows) await writer.write(row);
    const extract = result(await writer.finish());
    const parts = extract.tables.fast!.parts;
    assert.ok(parts.length >= 3, `${parts.length} parts`);

    const { staged, logs } = await stage('manual__fast', extract);
    assert.deepEqual(partsLoaded(logs), parts.map(() => 'copied'));
    assert.equal(staged.tables[0]!.rows, fastDocuments.length);
    assert.equal(staged.rejected, 0);
    // The first document has no note: its part closes when the second brings one.
    assert.deepEqual(parts.slice(0, 2).map((p) => [p.rows, p.columns!.length]), [[1, 5], [200, 6]]);
    for (const part of parts) {
      const written = await partText(part);
      const ids = written.split('\n').filter((line) => line !== '').map((line) => line.split('\t')[0]!);
      const names = part.columns!.map((c) => quoteIdent(c.name)).join(', ');
      const readBack = await copyOut(
        `COPY (SELECT ${names} FROM ${staged.tables[0]!.staging} WHERE source_id IN (${ids.map((id) => `'${id}'`).join(', ')}) ORDER BY substr(source_id, 2)::int) TO STDOUT`,
      );
      assert.equal(readBack, written, part.key);
    }
  });

  /**
   * The documents staged from COPY text parts and from one NDJSON part (version 1) in two runs:
   * the same rows, repairs and rejects (the records as JSON) from both; what each part's path was.
   */
  async function stageBothWays(collection: string, documents: readonly Record<string, unknown>[]) {
    const { rows, result } = extractOf(collection, documents);
    const writer = new PartWriter(resources.store(), (n) => `copy-parts/${collection}/part-${n}.gz`, 1000);
    for (const row of rows) await writer.write(row);
    const copyExtract = result(await writer.finish());

    const ndjson = gzipSync(rows.map((row) => JSON.stringify(row) + '\n').join(''));
    const ndjsonPart: PartInfo = { key: `copy-parts/${collection}/part-1.ndjson.gz`, rows: rows.length, bytes: ndjson.length, sha256: createHash('sha256').update(ndjson).digest('hex') };
    await putObject(resources.store(), ndjsonPart.key, ndjson);

    const viaCopy = await stage(`manual__${collection}_copy`, copyExtract);
    const viaNdjson = await stage(`manual__${collection}_ndjson`, result([ndjsonPart]));
    assert.equal(viaCopy.staged.tables[0]!.rows, viaNdjson.staged.tables[0]!.rows);
    assert.deepEqual(viaCopy.staged.tables[0]!.repaired, viaNdjson.staged.tables[0]!.repaired);
    const stagedText = (s: StageResult) => copyOut(`COPY (SELECT * FROM ${s.tables[0]!.staging} ORDER BY substr(source_id, 2)::int) TO STDOUT`);
    assert.equal(await stagedText(viaCopy.staged), await stagedText(viaNdjson.staged));
    const rejects = async (runId: string) =>
      (await warehouse.query(`SELECT line_number, source_id, reason, record FROM sluice_etl.load_rejects WHERE run_id = $1 ORDER BY line_number`, [runId])).rows;
    const copyRejects = await rejects(`manual__${collection}_copy`);
    const ndjsonRejects = await rejects(`manual__${collection}_ndjson`);
    assert.ok(copyRejects.length > 0);
    assert.equal(viaCopy.staged.rejected, copyRejects.length);
    assert.deepEqual(copyRejects.map(({ record: _r, ...rest }) => rest), ndjsonRejects.map(({ record: _r, ...rest }) => rest));
    assert.deepEqual(copyRejects.map((r) => JSON.parse(r.record)), ndjsonRejects.map((r) => JSON.parse(r.record)));
    return { copy: viaCopy, ndjson: viaNdjson, rejects: copyRejects };
  }

  test('a part with values to repair, reject or drop is coerced into what its NDJSON (version 1) part gives', async () => {
    const { copy, ndjson } = await stageBothWays('rough', roughDocuments);
    assert.deepEqual(partsLoaded(copy.logs), ['coerced']);
    assert.deepEqual(partsLoaded(ndjson.logs), ['coerced']);
    assert.ok(copy.staged.tables[0]!.repaired.truncated > 0 && copy.staged.tables[0]!.repaired.invalidDate > 0);
    assert.deepEqual(copy.staged.unknownFields, ['rough.nickname']);
  });

  test('the demo shop\'s customers, bad values planted, go through the byte encoder into what NDJSON gives', async () => {
    await warehouse.query(await readFile(path.join(REPO_ROOT, 'dags/warehouse/migrations/0001_shop_tables.sql'), 'utf8'));
    const options = { seed: 7, from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z'), badRecordRate: 0.03 };
    // One part (line numbers compare with the NDJSON part's), ids the helper can order by, and a
    // phone (NULL) in every document: COPY text cannot tell a missing field from NULL, so a
    // rejected record would show one the NDJSON record lacks. Everything else as the demo makes it.
    const documents = [...generateCustomers(1000, options)].map((doc, i) => ({ phone: null, ...doc, _id: `c${i}` }) as Record<string, unknown>);
    const { copy } = await stageBothWays('customers', documents);
    assert.deepEqual(partsLoaded(copy.logs), ['coerced']);
    const { repaired } = copy.staged.tables[0]!;
    assert.ok(repaired.invalidDate > 0 && repaired.truncated > 0, JSON.stringify(repaired));
  });

  test('a value the database refuses sends a copied part, and a coerced one, record by record, as it does an NDJSON part', async () => {
    const token = (i: number) => (i === 7 ? 'not-a-uuid' : `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    await warehouse.query('CREATE TABLE refused (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source_id text NOT NULL UNIQUE, token uuid, qty integer, etl_run_id text NOT NULL)');
    const fits = await stageBothWays('refused', Array.from({ length: 40 }, (_, i) => ({ _id: `c${i}`, token: token(i), qty: i })));
    assert.deepEqual(partsLoaded(fits.copy.logs), ['careful']);
    assert.deepEqual(fits.rejects.map((r) => [r.source_id, r.line_number]), [['c7', 8]]);
    assert.match(fits.rejects[0]!.reason, /the warehouse refused it: invalid input syntax for type uuid/);

    await warehouse.query('CREATE TABLE refused_rough (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source_id text NOT NULL UNIQUE, token uuid, qty integer, name varchar(3), etl_run_id text NOT NULL)');
    const documents = Array.from({ length: 40 }, (_, i) => ({ _id: `d${i}`, token: token(i), qty: i % 9 === 0 ? 'many' : i, name: i % 4 === 0 ? 'long name' : 'ok' }));
    const coerced = await stageBothWays('refused_rough', documents);
    assert.deepEqual(partsLoaded(coerced.copy.logs), ['careful']);
    assert.ok(coerced.copy.staged.tables[0]!.repaired.truncated > 0);
    assert.deepEqual(coerced.rejects.map((r) => r.source_id), ['d0', 'd7', 'd9', 'd18', 'd27', 'd36']);
  });
});
