/**
 * A try's log in the metadata database: newline-separated JSON lines, appended in chunks of at
 * most MAX_CHUNK_BYTES, each knowing the byte range [start_offset, end_offset) it holds of its
 * try's log (migration 004). Readers take a bounded page from a byte offset, so neither the
 * database, the webserver nor the browser ever handles a whole large log at once.
 */
import pg from 'pg';
import { OCCUPYING_TASK_STATES, sqlList } from '../core/states.ts';
import { withTransaction, type Db, type Queryable, type Tx } from './db.ts';
import { tryKeyArrays, tryKeyString, type TryKey } from './task-instances.ts';

/** The most one task_logs row holds: a longer write is stored as several rows. */
export const MAX_CHUNK_BYTES = 1_048_576;
/** A page when the reader names no size; also the page in which whole logs are streamed. */
export const DEFAULT_PAGE_BYTES = MAX_CHUNK_BYTES;
/** The largest page a reader may ask for. */
export const MAX_PAGE_BYTES = 4 * 1_048_576;

/** Log text of one try to append: whole lines, in the order they were written. */
export interface LogChunk extends TryKey {
  chunk: string;
}

/**
 * The class id of the advisory locks that serialise appends to one try's log (two-key advisory
 * locks do not overlap the one-key locks used elsewhere). Any constant works.
 */
const TRY_LOG_LOCK_CLASS = 0x10c5;

/**
 * Appends each chunk to its try's log, in order. Given a transaction, inside it (a try's last
 * lines go in with its outcome); given the pool, in a transaction of its own. Offsets are assigned
 * here, after the end of what the try's log already holds; appends to one try wait for each other
 * on an advisory lock held to commit, so two writers can never claim the same bytes (the unique
 * index would refuse them anyway).
 */
export async function appendLogChunks(db: Db | Tx, chunks: LogChunk[]): Promise<void> {
  const rows = chunks.flatMap((c) => splitIntoChunks(c.chunk).map((piece) => ({ ...c, chunk: piece })));
  if (rows.length === 0) return;
  if (db instanceof pg.Pool) await withTransaction(db, (tx) => insertChunks(tx, rows));
  else await insertChunks(db, rows);
}

async function insertChunks(tx: Tx, rows: LogChunk[]): Promise<void> {
  // Sorted, so two transactions appending to the same tries cannot deadlock.
  await tx.query(
    `SELECT pg_advisory_xact_lock(${TRY_LOG_LOCK_CLASS}, h)
       FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS k ORDER BY 1) AS keys`,
    [rows.map((r) => tryKeyString(r))],
  );
  await tx.query(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[]) WITH ORDINALITY
         AS i(dag_id, run_id, task_id, map_index, try_number, chunk, n)
     ), placed AS (
       SELECT i.dag_id, i.run_id, i.task_id, i.map_index, i.try_number, i.chunk,
              COALESCE(last.end_offset, 0)
                + sum(octet_length(i.chunk)) OVER (PARTITION BY i.dag_id, i.run_id, i.task_id, i.map_index, i.try_number ORDER BY i.n)
                AS end_offset
         FROM input i
         LEFT JOIN LATERAL (
           SELECT t.end_offset FROM task_logs t
            WHERE t.dag_id = i.dag_id AND t.run_id = i.run_id AND t.task_id = i.task_id AND t.map_index = i.map_index
              AND t.try_number = i.try_number
            ORDER BY t.start_offset DESC LIMIT 1
         ) last ON true
     )
     INSERT INTO task_logs (dag_id, run_id, task_id, map_index, try_number, chunk, start_offset, end_offset)
     SELECT dag_id, run_id, task_id, map_index, try_number, chunk, end_offset - octet_length(chunk), end_offset FROM placed`,
    [...tryKeyArrays(rows), rows.map((r) => r.chunk)],
  );
}

/**
 * `text` as rows of at most `maxBytes`, each ending after a line where the lines allow it; a line
 * longer than a row is cut between two characters, never inside one.
 */
export function splitIntoChunks(text: string, maxBytes = MAX_CHUNK_BYTES): string[] {
  if (text === '') return [];
  // A UTF-16 code unit is at most 3 bytes of UTF-8: most writes need no byte count at all.
  if (text.length * 3 <= maxBytes) return [text];
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (bytes.length - start > maxBytes) {
    let end = bytes.lastIndexOf(0x0a, start + maxBytes - 1) + 1;
    if (end <= start) end = characterStartAtOrBefore(bytes, start + maxBytes);
    pieces.push(bytes.toString('utf8', start, end));
    start = end;
  }
  pieces.push(bytes.toString('utf8', start));
  return pieces;
}

/** UTF-8 continuation bytes are 10xxxxxx; any other byte starts a character. */
const isContinuation = (byte: number | undefined) => byte !== undefined && (byte & 0xc0) === 0x80;

function characterStartAtOrBefore(bytes: Buffer, at: number): number {
  while (at > 0 && isContinuation(bytes[at])) at--;
  return at;
}

function characterStartAtOrAfter(bytes: Buffer, at: number): number {
  while (at < bytes.length && isContinuation(bytes[at])) at++;
  return at;
}

export interface LogExtent {
  /** Bytes in the try's log so far: where the next line will start. */
  size: number;
  /**
   * The try is over (ended, failed as lost, cleared, or never ran as this try number), so its
   * log will not grow: a try's last lines are stored in the same transaction as its outcome.
   */
  complete: boolean;
}

/** How long a try's log is, and whether it is final; one statement, so the two agree. */
export async function logExtent(db: Queryable, key: TryKey): Promise<LogExtent> {
  const { rows } = await db.query<{ size: number; complete: boolean }>(
    `SELECT COALESCE((SELECT end_offset FROM task_logs
                       WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 AND map_index = $5 AND try_number = $4
                       ORDER BY start_offset DESC LIMIT 1), 0) AS size,
            NOT EXISTS (SELECT 1 FROM task_instances
                         WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 AND map_index = $5 AND try_number = $4
                           AND state IN (${sqlList(OCCUPYING_TASK_STATES)})) AS complete`,
    [key.dagId, key.runId, key.taskId, key.tryNumber, key.mapIndex],
  );
  return rows[0]!;
}

export interface LogPage {
  /** Raw log text (JSON lines) from `offset` to `next`. */
  text: string;
  /** Byte offset where `text` starts: the one asked for, moved to the start of a character, or the end. */
  offset: number;
  /** Byte offset where `text` ends: the offset to ask for next. */
  next: number;
  /** Bytes in the log (the `size` given, or read now). */
  size: number;
}

/**
 * At most `limit` bytes of a try's log from byte `offset`. A page that stops before `size` ends
 * after its last whole line; only a line longer than `limit` is cut (between characters), and
 * the next page goes on from there. An offset at or past the end gives an empty page at the end.
 * `size` bounds the page to what the caller saw with the try's state (logExtent).
 */
export async function readLogPage(
  db: Queryable,
  key: TryKey,
  { offset, limit, size }: { offset: number; limit: number; size?: number },
): Promise<LogPage> {
  const end = size ?? (await logExtent(db, key)).size;
  if (offset >= end) return { text: '', offset: end, next: end, size: end };
  const upper = Math.min(offset + limit, end);
  // The chunk holding `offset` and those after it up to `upper`: at most limit + 2 MiB of text.
  const { rows } = await db.query<{ start_offset: number; chunk: string }>(
    `SELECT start_offset, chunk FROM task_logs
      WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 AND map_index = $7 AND try_number = $4 AND start_offset < $6
        AND start_offset >= COALESCE((SELECT max(start_offset) FROM task_logs
                                       WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 AND map_index = $7
                                         AND try_number = $4 AND start_offset <= $5), 0)
      ORDER BY start_offset`,
    [key.dagId, key.runId, key.taskId, key.tryNumber, offset, upper, key.mapIndex],
  );
  // Removed meanwhile (retention): nothing to read here any more.
  if (rows.length === 0) return { text: '', offset, next: offset, size: end };
  const base = rows[0]!.start_offset;
  const bytes = Buffer.concat(rows.map((r) => Buffer.from(r.chunk, 'utf8')));
  const from = characterStartAtOrAfter(bytes, Math.max(0, offset - base));
  let to = Math.min(upper - base, bytes.length);
  if (base + to < end) {
    // (A negative start would make lastIndexOf search from the end.)
    const newline = to > 0 ? bytes.lastIndexOf(0x0a, to - 1) : -1;
    to = newline >= from ? newline + 1 : characterStartAtOrBefore(bytes, to);
    // A limit smaller than the one character at `from`: that character still goes out.
    if (to <= from) to = characterStartAtOrAfter(bytes, from + 1);
  }
  to = Math.max(from, to);
  return { text: bytes.toString('utf8', from, to), offset: base + from, next: base + to, size: end };
}

/** The pages of a try's log from byte 0 up to `size`, each at most `pageBytes`. */
export async function* readLogPages(
  db: Queryable,
  key: TryKey,
  { size, pageBytes = DEFAULT_PAGE_BYTES }: { size: number; pageBytes?: number },
): AsyncGenerator<LogPage> {
  let offset = 0;
  while (offset < size) {
    const page = await readLogPage(db, key, { offset, limit: pageBytes, size });
    if (page.next <= offset) return; // removed while being read
    yield page;
    offset = page.next;
  }
}

/**
 * The whole stored log of one try, for tests and tools that know it is small (a try's log is at
 * most SLUICE_TASK_LOG_LIMIT); the API and the CLI read it a page at a time instead.
 */
export async function readLog(
  db: Queryable,
  dagId: string,
  runId: string,
  taskId: string,
  tryNumber: number,
  mapIndex = -1,
): Promise<string> {
  const key = { dagId, runId, taskId, mapIndex, tryNumber };
  const { size } = await logExtent(db, key);
  const pages: string[] = [];
  for await (const page of readLogPages(db, key, { size })) pages.push(page.text);
  return pages.join('');
}
