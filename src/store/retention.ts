/**
 * Retention for the metadata store: removes the task logs and XCom values of finished runs that
 * ended before a cut-off. The runs, task instances and tries stay (they are the UI's history);
 * only their bulky payloads go. Each DELETE removes at most `batchSize` rows and commits on its
 * own, so the prune never holds locks for long nor builds one huge transaction.
 */
import { FINISHED_RUN_STATES, sqlList } from '../core/states.ts';
import type { Db } from './db.ts';

export interface PruneMetadataOptions {
  /** Runs that finished (success or failed) with an end_date before this lose their logs and XComs. */
  olderThan: Date;
  /** Rows per DELETE statement. Default 5,000. */
  batchSize?: number;
  /** Checked between statements; a batch already sent finishes (and stays deleted). */
  signal?: AbortSignal;
  /** Count what would be removed, remove nothing. */
  dryRun?: boolean;
}

export interface PruneMetadataResult {
  /** task_logs rows (chunks of a try's log, not lines) removed, or that would be. */
  logs: number;
  /** xcoms rows removed, or that would be. */
  xcoms: number;
  /** Bytes of log text (UTF-8, uncompressed) in the removed chunks. */
  logBytes: number;
}

const DEFAULT_BATCH_SIZE = 5_000;
/**
 * Runs handed to the DELETEs at a time. The walk finds them; the DELETEs then take up to
 * `batchSize` rows at a time among them until none are left.
 */
const RUN_PAGE_SIZE = 500;

/** A table whose rows belong to a run and go with the run's retention. */
interface PrunedTable {
  name: 'task_logs' | 'xcoms';
  /** Bytes of one row's payload; octet_length reads a TOASTed value's size from its header. */
  bytes: string;
}

const TASK_LOGS: PrunedTable = { name: 'task_logs', bytes: 'octet_length(t.chunk)' };
const XCOMS: PrunedTable = { name: 'xcoms', bytes: '0' };

interface RunKey {
  dagId: string;
  runId: string;
}

interface Tally {
  rows: number;
  bytes: number;
}

/**
 * Removes (or with `dryRun` counts) the task_logs and xcoms rows of runs in state success or
 * failed whose end_date is before `olderThan`. Queued and running runs are never touched, however
 * old: each DELETE re-checks the run's state and share-locks it, so a run cleared (sent back to
 * queued) while the prune runs keeps what it has.
 */
export async function pruneMetadata(db: Db, options: PruneMetadataOptions): Promise<PruneMetadataResult> {
  const cutoff = checkedCutoff(options.olderThan);
  const batchSize = checkedBatchSize(options.batchSize ?? DEFAULT_BATCH_SIZE);
  const prune = { cutoff, batchSize, signal: options.signal, dryRun: options.dryRun === true };
  const logs = await pruneTable(db, TASK_LOGS, prune);
  const xcoms = await pruneTable(db, XCOMS, prune);
  return { logs: logs.rows, xcoms: xcoms.rows, logBytes: logs.bytes };
}

function checkedCutoff(olderThan: Date): Date {
  if (!(olderThan instanceof Date) || Number.isNaN(olderThan.getTime())) {
    throw new RangeError(`pruneMetadata: olderThan must be a valid Date (got ${String(olderThan)}), e.g. new Date(Date.now() - 30 * 86_400_000)`);
  }
  return olderThan;
}

function checkedBatchSize(batchSize: number): number {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`pruneMetadata: batchSize must be a whole number of rows ≥ 1 (got ${batchSize}); leave it out for ${DEFAULT_BATCH_SIZE}`);
  }
  return batchSize;
}

interface Prune {
  cutoff: Date;
  batchSize: number;
  signal: AbortSignal | undefined;
  dryRun: boolean;
}

/** Walks the runs that still have rows in `table`, a page at a time, and prunes the expired ones. */
async function pruneTable(db: Db, table: PrunedTable, prune: Prune): Promise<Tally> {
  const total: Tally = { rows: 0, bytes: 0 };
  // Below every real key: dag and run ids are never empty.
  let after: RunKey = { dagId: '', runId: '' };
  for (;;) {
    prune.signal?.throwIfAborted();
    const { expired, last } = await nextExpiredRuns(db, table, after, prune.cutoff);
    if (expired.length > 0) {
      const tally = prune.dryRun ? await countRows(db, table, expired, prune.cutoff) : await deleteRows(db, table, expired, prune);
      total.rows += tally.rows;
      total.bytes += tally.bytes;
    }
    if (!last) return total;
    after = last;
  }
}

/**
 * The next runs, in key order after `after`, that have rows in `table` and are expired. It walks
 * the distinct (dag_id, run_id) of the table's index one index descent per run (a loose index
 * scan), so its cost follows the runs that still have rows, which retention keeps few, not the
 * whole run history in dag_runs nor the rows of each run. `last` is where the walk stopped, or
 * undefined when it reached the end.
 */
async function nextExpiredRuns(
  db: Db,
  table: PrunedTable,
  after: RunKey,
  cutoff: Date,
): Promise<{ expired: RunKey[]; last: RunKey | undefined }> {
  const { rows } = await db.query<{ dag_id: string; run_id: string }>(
    `WITH RECURSIVE walk AS (
       (SELECT t.dag_id, t.run_id FROM ${table.name} t
         WHERE (t.dag_id, t.run_id) > ($1, $2) ORDER BY t.dag_id, t.run_id LIMIT 1)
       UNION ALL
       SELECT n.dag_id, n.run_id FROM walk w CROSS JOIN LATERAL (
         SELECT t.dag_id, t.run_id FROM ${table.name} t
          WHERE (t.dag_id, t.run_id) > (w.dag_id, w.run_id) ORDER BY t.dag_id, t.run_id LIMIT 1) n
     )
     SELECT w.dag_id, w.run_id FROM walk w
       JOIN dag_runs r ON r.dag_id = w.dag_id AND r.run_id = w.run_id
      WHERE r.state IN (${sqlList(FINISHED_RUN_STATES)}) AND r.end_date < $3
      LIMIT $4`,
    [after.dagId, after.runId, cutoff, RUN_PAGE_SIZE],
  );
  const expired = rows.map((r) => ({ dagId: r.dag_id, runId: r.run_id }));
  // A short page means the walk ran off the end of the index (it is evaluated lazily, so a full
  // page stops it right at the page's last run).
  return { expired, last: expired.length === RUN_PAGE_SIZE ? expired[expired.length - 1] : undefined };
}

/** The rows of `table` that belong to these runs while they are still expired (the same test as the walk's). */
function expiredRowsOf(table: PrunedTable): string {
  return `FROM ${table.name} t
    JOIN dag_runs r ON r.dag_id = t.dag_id AND r.run_id = t.run_id
   WHERE (t.dag_id, t.run_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     AND r.state IN (${sqlList(FINISHED_RUN_STATES)}) AND r.end_date < $3`;
}

async function countRows(db: Db, table: PrunedTable, runs: RunKey[], cutoff: Date): Promise<Tally> {
  const { rows } = await db.query<{ rows: number; bytes: number }>(
    `SELECT count(*)::int AS rows, COALESCE(sum(${table.bytes}), 0)::bigint AS bytes ${expiredRowsOf(table)}`,
    [runs.map((r) => r.dagId), runs.map((r) => r.runId), cutoff],
  );
  return rows[0] ?? { rows: 0, bytes: 0 };
}

/**
 * Deletes these runs' rows, `batchSize` per statement, until none are left. Rows are addressed by
 * ctid so one statement shape serves both tables (xcoms has a three-column key) and the DELETE is
 * always a TID scan; FOR SHARE OF r makes a concurrent "clear" of the run wait for this short
 * statement, or, if it came first, makes this statement see the run as queued and skip it.
 */
async function deleteRows(db: Db, table: PrunedTable, runs: RunKey[], prune: Prune): Promise<Tally> {
  const total: Tally = { rows: 0, bytes: 0 };
  const params = [runs.map((r) => r.dagId), runs.map((r) => r.runId), prune.cutoff, prune.batchSize];
  for (;;) {
    prune.signal?.throwIfAborted();
    const { rows } = await db.query<{ rows: number; bytes: number }>(
      `WITH gone AS (
         DELETE FROM ${table.name} t
          WHERE t.ctid = ANY (ARRAY(SELECT t.ctid ${expiredRowsOf(table)} LIMIT $4 FOR SHARE OF r))
         RETURNING ${table.bytes} AS bytes
       )
       SELECT count(*)::int AS rows, COALESCE(sum(bytes), 0)::bigint AS bytes FROM gone`,
      params,
    );
    const batch = rows[0] ?? { rows: 0, bytes: 0 };
    total.rows += batch.rows;
    total.bytes += batch.bytes;
    if (batch.rows < prune.batchSize) return total;
  }
}
