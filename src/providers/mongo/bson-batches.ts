/**
 * A query's documents as BSON bytes, one server batch at a time, read with `find` and `getMore`
 * commands run directly. The driver's cursor parses every document it hands out, even with
 * `raw: true` (about as much work as flattening it); here a batch's documents are only cut out
 * of the reply.
 *
 * Each getMore is sent as soon as the batch before it arrives, so the server reads the next
 * batch while the caller works on this one instead of each waiting for the other: two batches in
 * memory at most. The commands share one explicit session, as a server's cursor requires of its
 * getMores; a cursor left open (the caller stopped, an error) is killed.
 */
import { deserialize, Long } from 'bson';
import type { ClientSession, Db, Document } from 'mongodb';

interface CursorReply {
  id: Long;
  documents: Uint8Array[];
}

/** The reply's batch as byte views into it, and the cursor id (0 once the server has no more). */
function parseCursor(reply: Document): CursorReply {
  const cursor: unknown = reply.cursor;
  if (!(cursor instanceof Uint8Array)) throw new Error('the server replied without a cursor');
  const parsed = deserialize(cursor, { promoteLongs: false, fieldsAsRaw: { firstBatch: true, nextBatch: true }, validation: { utf8: false } }) as {
    id?: unknown;
    firstBatch?: Uint8Array[];
    nextBatch?: Uint8Array[];
  };
  const documents = parsed.firstBatch ?? parsed.nextBatch;
  if (!Long.isLong(parsed.id) || !Array.isArray(documents)) throw new Error('the server replied with a cursor without an id or a batch');
  return { id: parsed.id, documents };
}

export async function* bsonBatches(db: Db, collection: string, filter: Document, batchSize: number, signal?: AbortSignal): AsyncGenerator<Uint8Array[]> {
  const session: ClientSession = db.client.startSession();
  const run = async (command: Document) => parseCursor(await db.command(command, { session, raw: true, signal }));
  let cursor: CursorReply | undefined;
  let next: Promise<CursorReply> | undefined;
  try {
    cursor = await run({ find: collection, filter, batchSize });
    for (;;) {
      next = cursor.id.isZero() ? undefined : run({ getMore: cursor.id, collection, batchSize });
      // Not awaited until the caller is done with this batch: a failure then is seen there.
      next?.catch(() => undefined);
      if (cursor.documents.length > 0) yield cursor.documents;
      if (!next) return;
      cursor = await next;
      next = undefined;
    }
  } finally {
    // Stopped with a getMore in flight: the cursor is the one it answers for, whatever it says.
    const pending = await next?.catch(() => undefined);
    const open = pending ?? cursor;
    if (open && !open.id.isZero()) await db.command({ killCursors: collection, cursors: [open.id] }, { session }).catch(() => undefined);
    await session.endSession().catch(() => undefined);
  }
}
