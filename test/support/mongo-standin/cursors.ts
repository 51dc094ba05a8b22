/**
 * Server-side cursors: a lazy sequence of rows and how far it has been read. Each batch pulls
 * only what it returns (plus one row, to know whether anything is left), so reading a million
 * documents costs the same per getMore from the first batch to the last.
 */
import { CommandError } from './errors.ts';
import { cursorReplyBody } from './raw-bson.ts';
import { rowBytes, type Row } from './rows.ts';

/** mongod's defaults: 101 documents in a first batch, 16 MiB of documents in any batch. */
export const DEFAULT_FIRST_BATCH = 101;
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** Like mongod's cursorTimeoutMillis: an idle cursor is closed after ten minutes. */
export const CURSOR_IDLE_MS = 10 * 60 * 1000;

interface OpenCursor {
  id: bigint;
  ns: string;
  rows: Iterator<Row>;
  /** A row taken from `rows` that did not fit in the last batch, or that shows more is coming. */
  pending: Buffer | undefined;
  /** Which connection opened it: its cursors go when it closes. */
  owner: number;
  lastUsed: number;
}

export interface CursorRequest {
  ns: string;
  rows: Iterable<Row>;
  owner: number;
  batchSize?: number;
  singleBatch?: boolean;
}

export class CursorRegistry {
  private readonly cursors = new Map<bigint, OpenCursor>();
  private nextId = BigInt(Math.floor(Math.random() * 2 ** 40)) * 1000n + 1n;
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  get size(): number {
    return this.cursors.size;
  }

  /** Runs the first batch; the reply body of find/aggregate/list*, cursor id 0 when done. */
  open(request: CursorRequest): Buffer {
    const iterator = request.rows[Symbol.iterator]();
    const cursor: OpenCursor = { id: 0n, ns: request.ns, rows: iterator, pending: undefined, owner: request.owner, lastUsed: Date.now() };
    const batch = this.fill(cursor, request.batchSize ?? DEFAULT_FIRST_BATCH);
    if (batch.more && !request.singleBatch) {
      cursor.id = this.nextId++;
      this.cursors.set(cursor.id, cursor);
    } else {
      iterator.return?.();
    }
    return cursorReplyBody('firstBatch', batch.docs, cursor.id, request.ns);
  }

  getMore(id: bigint, ns: string, batchSize: number | undefined): Buffer {
    const cursor = this.cursors.get(id);
    if (!cursor) throw new CommandError(43, `cursor id ${id} not found`);
    if (cursor.ns !== ns) throw new CommandError(13, `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`);
    cursor.lastUsed = Date.now();
    let batch: { docs: Buffer[]; more: boolean };
    try {
      batch = this.fill(cursor, batchSize && batchSize > 0 ? batchSize : Infinity);
    } catch (error) {
      this.kill(id);
      throw error;
    }
    if (!batch.more) this.kill(id);
    return cursorReplyBody('nextBatch', batch.docs, batch.more ? id : 0n, cursor.ns);
  }

  /** True when the cursor existed. */
  kill(id: bigint): boolean {
    const cursor = this.cursors.get(id);
    if (!cursor) return false;
    this.cursors.delete(id);
    cursor.rows.return?.();
    return true;
  }

  killOwnedBy(owner: number): void {
    for (const cursor of [...this.cursors.values()]) if (cursor.owner === owner) this.kill(cursor.id);
  }

  closeAll(): void {
    for (const id of [...this.cursors.keys()]) this.kill(id);
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const cutoff = Date.now() - CURSOR_IDLE_MS;
    for (const cursor of [...this.cursors.values()]) if (cursor.lastUsed < cutoff) this.kill(cursor.id);
  }

  /** Up to `maxDocs` documents and 16 MiB (but at least one document), and whether more remain. */
  private fill(cursor: OpenCursor, maxDocs: number): { docs: Buffer[]; more: boolean } {
    const docs: Buffer[] = [];
    let bytes = 0;
    for (;;) {
      let next = cursor.pending;
      cursor.pending = undefined;
      if (next === undefined) {
        const step = cursor.rows.next();
        if (step.done) return { docs, more: false };
        next = rowBytes(step.value);
      }
      if (docs.length >= maxDocs || (docs.length > 0 && bytes + next.length > MAX_BATCH_BYTES)) {
        cursor.pending = next;
        return { docs, more: true };
      }
      docs.push(next);
      bytes += next.length;
    }
  }
}
