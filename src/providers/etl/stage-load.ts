/**
 * stage_load_<collection>: the parts a manifest names, streamed from S3 into this run's staging
 * tables with COPY, several parts at once. Every value is coerced for its column on the way
 * (repairs counted); records that cannot be repaired go to `sluice_etl.load_rejects`, and past
 * the reject limit the task fails naming the first few. Source fields the warehouse lacks are
 * reported by name, or added as columns when schema evolution is on.
 */
import { createHash } from 'node:crypto';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type pg from 'pg';
import pgCopy from 'pg-copy-streams';
import type { TaskContext } from '../../sdk/context.ts';
import { FailTask } from '../../sdk/errors.ts';
import { withTransaction } from '../../store/db.ts';
import { recordAutoMigration } from '../postgres/migrations.ts';
import { WAREHOUSE_MIGRATIONS_LOCK } from '../postgres/locks.ts';
import { readStream, readText } from '../s3/objects.ts';
import { ensureBookkeeping } from './bookkeeping.ts';
import { resolveCollection, type CollectionConfig } from './collection.ts';
import { INDEX_COLUMN, PARENT_SOURCE_ID_COLUMN, quoteIdent, SOURCE_ID_COLUMN } from './column-names.ts';
import type { ObservedColumns, ObservedWidths } from './flatten.ts';
import { ETL_SCHEMA, STAGING_SCHEMA, stagingTable } from './layout.ts';
import { manifestParts, manifestTables, parseManifest, type Manifest, type PartInfo } from './manifest.ts';
import { copyTextFormat } from './copy-rows.ts';
import { planPart } from './part-fit.ts';
import { PartBytesEncoder } from './part-bytes.ts';
import { ndjsonFormat, PartEncoder, PartRowsTransform, rejectRecord, type ChunkEncoder, type LineFormat, type RejectedRecord } from './part-rows.ts';
import { addRepairs, noRepairs, Rejection, type RepairCounts, type WarehouseColumn } from './repair.ts';
import { runLimited } from './limited.ts';
import type { EtlResources } from './resources.ts';
import { etlResourcesOf } from './connections.ts';
import { compareSchema, evolutionStatements, typeForKinds } from './schema-drift.ts';
import { etlSettings, type EtlSettings } from './settings.ts';
import type { CommitResult } from './upload.ts';
import { describeTable, loadableColumns, sqlType } from './warehouse-tables.ts';

export interface StageLoadOptions extends Partial<EtlSettings> {
  collection: CollectionConfig;
  /** The upload task of the same collection, whose result names the manifest. */
  uploadTask: string;
  resources?: EtlResources;
}

export interface StagedTable {
  table: string;
  /** Schema-qualified, quoted. */
  staging: string;
  parent: boolean;
  /** Columns of the staging table that the warehouse table also has (promote copies these). */
  columns: string[];
  rows: number;
  rejected: number;
  repaired: RepairCounts;
}

export interface StageResult {
  collection: string;
  table: string;
  modifiedColumn: string;
  from: string | null;
  until: string;
  tables: StagedTable[];
  rejected: number;
  /** `table.column` of source fields with no warehouse column: not loaded. */
  unknownFields: string[];
  /** The additive changes schema evolution made to the warehouse in this try. */
  evolved: string[];
}

interface TablePlan {
  staged: StagedTable;
  /** Staging columns in COPY order, as coercers see them. */
  loadColumns: WarehouseColumn[];
  keyColumn: string;
}

/** A child staging table's link to its parent: the parent's source key, always present. */
const PARENT_KEY_COLUMN: WarehouseColumn = { name: PARENT_SOURCE_ID_COLUMN, dataType: 'text', maxLength: null, numericPrecision: null, numericScale: null, nullable: false };

// Postgres data exceptions (22xxx) and integrity violations (23xxx): a value the database refused.
const isDataError = (error: unknown) => /^2[23]/.test((error as { code?: string }).code ?? '');

export async function stageLoad(ctx: TaskContext, options: StageLoadOptions): Promise<StageResult> {
  const begun = Date.now();
  const collection = resolveCollection(options.collection);
  const settings = etlSettings(options);
  const maxRejects = typeof ctx.params.maxRejects === 'number' ? ctx.params.maxRejects : settings.maxRejects;
  const resources = options.resources ?? (await etlResourcesOf(ctx, ['store', 'warehouse']));
  const pool = await resources.warehouse();
  await ensureBookkeeping(pool);

  const manifest = await readManifest(ctx, options.uploadTask, resources);
  if (manifest.collection !== collection.collection) {
    throw new FailTask(`the manifest of "${options.uploadTask}" is for collection "${manifest.collection}", not "${collection.collection}"; check the DAG's wiring`);
  }

  const evolved: string[] = [];
  const unknownFields: string[] = [];
  const plans = new Map<string, TablePlan>();
  for (const table of manifestTables(manifest)) {
    const parent = table === manifest.table;
    const { columns: observed, widths } = manifest.tables[table]!;
    let columns = await describeTable(pool, settings.warehouseSchema, table);
    if (settings.schemaEvolution) {
      const changes = await evolve(pool, settings.warehouseSchema, table, parent ? null : manifest.table, { observed, widths }, columns, ctx);
      if (changes.length > 0) {
        evolved.push(...changes);
        columns = await describeTable(pool, settings.warehouseSchema, table);
      }
    }
    if (!columns) {
      if (parent) {
        throw new FailTask(
          `the warehouse has no table ${settings.warehouseSchema}.${table} for collection "${collection.collection}": ` +
            'add a migration that creates it, or turn on schema evolution (ETL_SCHEMA_EVOLUTION=1)',
        );
      }
      unknownFields.push(`${table} (no such child table: ${Object.keys(observed).filter((c) => c !== PARENT_SOURCE_ID_COLUMN && c !== INDEX_COLUMN).join(', ') || 'values'})`);
      continue;
    }
    const loadable = loadableColumns(columns);
    const known = new Set(loadable.map((column) => column.name));
    for (const name of Object.keys(observed)) {
      if (!known.has(name) && name !== PARENT_SOURCE_ID_COLUMN) unknownFields.push(`${table}.${name}`);
    }
    const keyColumn = parent ? SOURCE_ID_COLUMN : PARENT_SOURCE_ID_COLUMN;
    const loadColumns: WarehouseColumn[] = parent
      ? loadable
      : [PARENT_KEY_COLUMN, ...loadable];
    if (parent && !known.has(SOURCE_ID_COLUMN)) {
      throw new FailTask(`warehouse table ${settings.warehouseSchema}.${table} has no ${SOURCE_ID_COLUMN} column: every parent table needs one (text, unique) to hold the source key`);
    }
    if (!parent && !known.has(INDEX_COLUMN)) {
      throw new FailTask(`warehouse child table ${settings.warehouseSchema}.${table} has no ${INDEX_COLUMN} column: child tables need parent_id, idx and their value columns`);
    }
    const staging = stagingTable(ctx, table);
    await createStagingTable(pool, staging, loadColumns, ctx);
    plans.set(table, {
      staged: { table, staging, parent, columns: loadable.map((c) => c.name), rows: 0, rejected: 0, repaired: noRepairs() },
      loadColumns,
      keyColumn,
    });
  }
  if (unknownFields.length > 0) {
    ctx.log.warn(
      { unknownFields },
      `${unknownFields.length} source field(s) have no warehouse column and were not loaded; add them with a migration, or turn on schema evolution (ETL_SCHEMA_EVOLUTION=1)`,
    );
  }

  await pool.query(`DELETE FROM ${ETL_SCHEMA}.load_rejects WHERE dag_id = $1 AND run_id = $2 AND collection = $3`, [ctx.dagId, ctx.runId, collection.collection]);
  const rejects = new RejectLog(pool, ctx, collection.collection, maxRejects);
  const abort = new AbortController();
  const stop = () => abort.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', stop, { once: true });
  const parts = manifestParts(manifest).filter(({ table }) => plans.has(table));
  const started = Date.now();
  // What the parts wait for (bookkeeping, manifest, staging tables): apart from the parts' own time in the log.
  ctx.log.info({ parts: parts.length, setupSeconds: (started - begun) / 1000 }, 'loading parts');
  let loadedParts = 0;
  const paths: Record<LoadPath, number> = { copied: 0, coerced: 0, careful: 0 };
  // Statistics for promote's plans. A table's are gathered as soon as its last part is in (the
  // manifest lists a table's parts together), while the next table's parts load beside it: ANALYZE
  // of a 400,000-row orders staging table takes 0.3 s, which at the end would be 0.3 s of nothing else.
  const partsLeft = new Map([...plans.keys()].map((table) => [table, parts.filter((item) => item.table === table).length]));
  const analyze = (table: string) => pool.query(`ANALYZE ${plans.get(table)!.staged.staging}`);
  try {
    await runLimited(parts, settings.loadConcurrency, async ({ table, part }) => {
      const plan = plans.get(table)!;
      const partRejects: RejectedRecord[] = [];
      const { rows, path } = await loadPart(pool, resources, plan, part, partRejects, abort.signal, ctx);
      plan.staged.rows += rows;
      plan.staged.rejected += partRejects.length;
      await rejects.add(table, part.key, partRejects);
      loadedParts++;
      paths[path]++;
      ctx.log.info({ table, part: part.key, rows, rejected: partRejects.length, path, done: `${loadedParts}/${parts.length}` }, 'part loaded');
      partsLeft.set(table, partsLeft.get(table)! - 1);
      if (partsLeft.get(table) === 0) await analyze(table);
    }, abort);
  } finally {
    ctx.signal.removeEventListener('abort', stop);
  }
  // Tables of no parts: no lane got to them.
  for (const table of plans.keys()) if (!parts.some((item) => item.table === table)) await analyze(table);

  const tables = [...plans.values()].map((plan) => plan.staged);
  const rows = tables.reduce((sum, t) => sum + t.rows, 0);
  const seconds = (Date.now() - started) / 1000;
  ctx.log.info(
    {
      rows,
      seconds,
      rowsPerSecond: seconds > 0 ? Math.round(rows / seconds) : rows,
      rejected: rejects.total,
      repaired: Object.fromEntries(tables.map((t) => [t.table, t.repaired])),
      parts: paths,
    },
    'staged',
  );
  return {
    collection: collection.collection,
    table: collection.table,
    modifiedColumn: collection.modifiedColumn,
    from: manifest.from,
    until: manifest.until,
    tables,
    rejected: rejects.total,
    unknownFields,
    evolved,
  };
}

async function readManifest(ctx: TaskContext, uploadTask: string, resources: EtlResources): Promise<Manifest> {
  const commit = await ctx.xcom<CommitResult>(uploadTask);
  if (!commit?.manifestKey) {
    throw new FailTask(`task "${uploadTask}" left no manifest in this run; clear it (and its extract) so that they run before this load`);
  }
  const text = await readText(resources.store(), commit.manifestKey);
  if (text === undefined) {
    throw new FailTask(`manifest ${commit.manifestKey} is gone from S3 (cleaned up?); clear "${uploadTask}" and its extract to write it again`);
  }
  return parseManifest(text, commit.manifestKey);
}

async function createStagingTable(pool: pg.Pool, staging: string, columns: readonly WarehouseColumn[], ctx: TaskContext): Promise<void> {
  // Unlogged and constraint-free: staging is rebuilt by every try, so crash safety buys nothing here.
  const definition = columns.map((column) => `${quoteIdent(column.name)} ${sqlType(column)}`).join(', ');
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${STAGING_SCHEMA}`);
  await pool.query(`DROP TABLE IF EXISTS ${staging}`);
  await pool.query(`CREATE UNLOGGED TABLE ${staging} (${definition})`);
  await pool.query(
    `INSERT INTO ${ETL_SCHEMA}.staging_tables (name, dag_id, run_id) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET created_at = now()`,
    [staging, ctx.dagId, ctx.runId],
  );
}

/**
 * How a part was loaded: `copied`, its bytes as they are; `coerced`, its values coerced on the
 * way; `careful`, record by record after the database refused a value.
 */
type LoadPath = 'copied' | 'coerced' | 'careful';

/**
 * Loads one part in its own transaction, committed only when its checksum matches the manifest.
 * A COPY text part whose every column fits the staging table (part-fit.ts) goes to COPY as it is,
 * with its own column list: no JavaScript touches its rows. Any other part has its values
 * coerced on the way (PartRowsTransform): a COPY text part on its bytes, only the lines with a
 * value that needs it decoded (part-bytes.ts); an NDJSON part (manifests of version 1) line by line.
 *
 * The part's GET is answered before the COPY starts: a COPY ends only with its data or an
 * explicit failure, so a GET that failed (or was aborted because another part failed) once the
 * COPY was under way left the COPY waiting for ever, with the ROLLBACK queued behind it, and the
 * try hung until its execution timeout holding the staging table's locks. For the same reason
 * any failure after the COPY started drops the connection (`release(error)`) instead of rolling
 * back on it: the backend then aborts the transaction and releases its locks whatever state the
 * COPY was left in, and the pool opens a fresh connection for the next part.
 */
async function loadPart(
  pool: pg.Pool,
  resources: EtlResources,
  plan: TablePlan,
  part: PartInfo,
  rejects: RejectedRecord[],
  signal: AbortSignal,
  ctx: TaskContext,
): Promise<{ rows: number; path: LoadPath }> {
  const { format, copyColumns, encoder } = partReading(plan, part, (reject) => rejects.push(reject));
  const names = copyColumns.map(quoteIdent).join(', ');
  const body = await readStream(resources.store(), part.key, signal);
  let client: pg.PoolClient;
  try {
    signal.throwIfAborted();
    client = await pool.connect();
  } catch (error) {
    body.destroy();
    throw error;
  }
  let failure: Error | undefined;
  try {
    await client.query('BEGIN');
    const rows = encoder && new PartRowsTransform(encoder);
    const hash = createHash('sha256');
    const copy = client.query(pgCopy.from(`COPY ${plan.staged.staging} (${names}) FROM STDIN`));
    // The pipeline reports the COPY's errors; this keeps a late one (the connection dropped in
    // `finally`) from being an unhandled 'error' event that would crash the worker.
    copy.on('error', () => undefined);
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    try {
      await (rows ? pipeline(body, hashing(hash), gunzip, rows, copy, { signal }) : pipeline(body, hashing(hash), gunzip, copy, { signal }));
    } catch (error) {
      if (!isDataError(error)) throw error;
      // The database refused a value: the COPY is over and the connection usable.
      await client.query('ROLLBACK');
      ctx.log.warn({ part: part.key, error: (error as Error).message }, 'COPY refused a value; loading this part record by record to reject only the bad ones');
      rejects.length = 0;
      return { rows: await loadPartCarefully(client, resources, plan, part, format, rejects, signal), path: 'careful' };
    }
    checkChecksum(part, hash.digest('hex'));
    await client.query('COMMIT');
    if (!rows) return { rows: copy.rowCount, path: 'copied' };
    addRepairs(plan.staged.repaired, rows.repairs);
    return { rows: rows.rows, path: 'coerced' };
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    body.destroy();
    throw error;
  } finally {
    client.release(failure);
  }
}

/**
 * How a part is read: COPY text when the manifest lists the part's columns, NDJSON (version 1)
 * when not; the encoder its bytes go through to COPY (none: they go as they are), and COPY's
 * column list for them. A COPY text part that does not fit as a whole is encoded on its bytes
 * (part-bytes.ts), with the part's own field order, unless none of its fields is loaded.
 */
function partReading(
  plan: TablePlan,
  part: PartInfo,
  onReject: (reject: RejectedRecord) => void,
): { format: LineFormat; copyColumns: string[]; encoder: ChunkEncoder | undefined } {
  const stagingColumns = plan.loadColumns.map((column) => column.name);
  const lines = (format: LineFormat) => new PartEncoder(plan.loadColumns, plan.keyColumn, onReject, format);
  if (!part.columns) {
    const format = ndjsonFormat(plan.loadColumns, plan.keyColumn);
    return { format, copyColumns: stagingColumns, encoder: lines(format) };
  }
  const partPlan = planPart(part.columns, plan.loadColumns);
  const format = copyTextFormat(part.columns, plan.loadColumns, partPlan, plan.keyColumn);
  if (partPlan.fast) return { format, copyColumns: part.columns.map((column) => column.name), encoder: undefined };
  const copyColumns = PartBytesEncoder.copyColumns(plan.loadColumns, partPlan);
  if (copyColumns.length === 0) return { format, copyColumns: stagingColumns, encoder: lines(format) };
  return { format, copyColumns, encoder: new PartBytesEncoder(part.columns, plan.loadColumns, partPlan, plan.keyColumn, onReject) };
}

/** The slow path for a part the database refused: each record on its own, refused ones rejected with the database's reason. */
async function loadPartCarefully(
  client: pg.PoolClient,
  resources: EtlResources,
  plan: TablePlan,
  part: PartInfo,
  format: LineFormat,
  rejects: RejectedRecord[],
  signal: AbortSignal,
): Promise<number> {
  const lines = await readPartLines(resources, part, signal);
  const names = plan.loadColumns.map((c) => quoteIdent(c.name)).join(', ');
  const insert = `INSERT INTO ${plan.staged.staging} (${names}) VALUES (${plan.loadColumns.map((_, i) => `$${i + 1}`).join(', ')})`;
  const repairs = noRepairs();
  let rows = 0;
  await client.query('BEGIN');
  for (const [index, line] of lines.entries()) {
    signal.throwIfAborted();
    if (line === '' && !format.emptyLineIsRecord) continue;
    const own = noRepairs();
    try {
      const values = format.encoder(own).values(line);
      await client.query('SAVEPOINT record');
      try {
        await client.query(insert, values);
        await client.query('RELEASE SAVEPOINT record');
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT record');
        if (!isDataError(error)) throw error;
        throw new Rejection(`the warehouse refused it: ${(error as Error).message}`);
      }
      addRepairs(repairs, own);
      rows++;
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      rejects.push({ lineNumber: index + 1, sourceId: format.sourceId(line), reason: error.message, record: rejectRecord(format.record(line)) });
    }
  }
  await client.query('COMMIT');
  addRepairs(plan.staged.repaired, repairs);
  return rows;
}

/** A part's lines, checksum verified (the slow path only: a whole part in memory). */
async function readPartLines(resources: EtlResources, part: PartInfo, signal: AbortSignal): Promise<string[]> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  const collect = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  await pipeline(await readStream(resources.store(), part.key, signal), hashing(hash), createGunzip(), collect, { signal });
  checkChecksum(part, hash.digest('hex'));
  const lines = Buffer.concat(chunks).toString('utf8').split('\n');
  // Every line ends with a newline: what follows the last one is no line.
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function hashing(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

function checkChecksum(part: PartInfo, actual: string): void {
  if (actual !== part.sha256) {
    throw new Error(`part ${part.key} does not match its manifest (sha256 ${actual}, expected ${part.sha256}): the object changed after the extract; clear the extract and upload tasks to write it again`);
  }
}

/** Rejected records, written to the rejects table part by part, and the limit that fails the task. */
class RejectLog {
  total = 0;
  readonly #first: string[] = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly ctx: TaskContext,
    private readonly collection: string,
    private readonly limit: number,
  ) {}

  async add(table: string, partKey: string, rejects: readonly RejectedRecord[]): Promise<void> {
    if (rejects.length === 0) return;
    this.total += rejects.length;
    for (const reject of rejects.slice(0, 5 - this.#first.length)) {
      this.#first.push(`${table} line ${reject.lineNumber}${reject.sourceId ? ` (source_id ${reject.sourceId})` : ''}: ${reject.reason}`);
    }
    await this.pool.query(
      `INSERT INTO ${ETL_SCHEMA}.load_rejects (dag_id, run_id, collection, table_name, part_key, line_number, source_id, reason, record)
       SELECT $1, $2, $3, $4, $5, * FROM unnest($6::int[], $7::text[], $8::text[], $9::text[])`,
      [
        this.ctx.dagId,
        this.ctx.runId,
        this.collection,
        table,
        partKey,
        rejects.map((r) => r.lineNumber),
        rejects.map((r) => r.sourceId),
        rejects.map((r) => r.reason),
        rejects.map((r) => r.record),
      ],
    );
    this.ctx.log.warn({ table, part: partKey, rejected: rejects.length, first: rejects[0]!.reason }, 'records rejected');
    if (this.total > this.limit) {
      throw new FailTask(
        `${this.collection}: ${this.total} records could not be loaded, more than the limit of ${this.limit} ` +
          `(raise it with ETL_MAX_REJECTS or the run's conf {"maxRejects": N}). First: ${this.#first.join('; ')}. ` +
          `All of them are in ${ETL_SCHEMA}.load_rejects (dag_id '${this.ctx.dagId}', run_id '${this.ctx.runId}')`,
      );
    }
  }
}

/**
 * Additive changes for one table, applied in one transaction and recorded as auto migrations:
 * new columns, wider types, or a missing child table. Serialized with every other migration.
 */
async function evolve(
  pool: pg.Pool,
  schema: string,
  table: string,
  parentTable: string | null,
  source: { observed: ObservedColumns; widths?: ObservedWidths },
  columns: WarehouseColumn[] | undefined,
  ctx: TaskContext,
): Promise<string[]> {
  const { observed, widths } = source;
  const qualified = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  let statements: string[];
  if (!columns) {
    if (parentTable === null) return [];
    const valueColumns = Object.entries(observed)
      .filter(([name]) => name !== PARENT_SOURCE_ID_COLUMN && name !== INDEX_COLUMN)
      .map(([name, kinds]) => `, ${quoteIdent(name)} ${typeForKinds(kinds)}`)
      .join('');
    statements = [
      `CREATE TABLE IF NOT EXISTS ${qualified} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ` +
        `parent_id bigint NOT NULL REFERENCES ${quoteIdent(schema)}.${quoteIdent(parentTable)} (id) ON DELETE CASCADE, ` +
        `idx integer NOT NULL${valueColumns}, UNIQUE (parent_id, idx))`,
    ];
  } else {
    statements = evolutionStatements(qualified, compareSchema(observed, loadableColumns(columns).concat(
      parentTable === null ? [] : [PARENT_KEY_COLUMN],
    ), widths));
  }
  if (statements.length === 0) return [];
  const changedMeanwhile = await withTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [WAREHOUSE_MIGRATIONS_LOCK]);
    // Another run may have made the same change while we waited for the lock.
    const now = await describeTable(tx, schema, table);
    if (now && columns && columnsSignature(now) !== columnsSignature(columns)) return now;
    await recordAutoMigration(tx, { name: `evolve_${table}`, sql: statements.join(';\n'), schema: ETL_SCHEMA, appliedBy: `${ctx.dagId}/${ctx.runId}/${ctx.taskId}` });
    return undefined;
  });
  if (changedMeanwhile) return evolve(pool, schema, table, parentTable, source, changedMeanwhile, ctx);
  ctx.log.warn({ table, statements }, 'schema evolution changed the warehouse');
  return statements;
}

/** A table's columns with their types and widths: what a concurrent evolution may have changed. */
function columnsSignature(columns: readonly WarehouseColumn[]): string {
  return columns.map((c) => `${c.name} ${c.dataType} ${c.maxLength ?? ''} ${c.numericPrecision ?? ''} ${c.numericScale ?? ''}`).sort().join(',');
}
