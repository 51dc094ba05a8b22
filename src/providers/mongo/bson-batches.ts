/**
 * A query's documents as BSON bytes, one server batch at a time.
 *
 * Where every command reaches the server that holds the cursor (a standalone, a replica set read
 * from its primary, one mongos), they are read with `find` and `getMore` commands run directly:
 * the driver's cursor parses every document it hands out, even with `raw: true` (as much work as
 * flattening it), while here a batch's documents are only cut out of the reply. Elsewhere (reads
 * from secondaries, several mongos, a load balancer) only the driver's cursor knows which server
 * to ask again, so it is used, raw.
 *
 * Either way each getMore is sent as soon as the batch before it arrives, so the server reads the
 * next batch while the caller works on this one instead of each waiting for the other: two
 * batches in memory at most.
 */
import { deserialize, Long } from 'bson';
import type { ClientSession, Db, Document, FindCursor, MongoClient } from 'mongodb';

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

/**
 * Whether a command run by hand reaches the server of the cursor it continues: the driver picks a
 * server per command, which is the cursor's only when reads go to a primary and a deployment has
 * one place for cursors (not several mongos, not a load balancer). Asks the server once.
 */
export async function commandsReachCursors(client: MongoClient): Promise<boolean> {
  const options = client.options;
  if (options.loadBalanced || options.readPreference.mode !== 'primary') return false;
  if (options.hosts.length === 1 && !options.srvHost) return true;
  const hello = await client.db('admin').command({ hello: 1 });
  return hello.msg !== 'isdbgrid';
}

/** The documents of `find` and `getMore` run by hand, in one explicit session (a server's cursor wants its getMores in the session of its find). */
export async function* commandBatches(db: Db, collection: string, filter: Document, batchSize: number, signal?: AbortSignal): AsyncGenerator<Uint8Array[]> {
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

/** The driver's cursor, raw: each document's bytes (typed as a Document by the driver). */
export async function* cursorBatches(cursor: FindCursor): AsyncGenerator<Uint8Array[]> {
  let more = cursor.hasNext();
  try {
    while (await more) {
      const batch = cursor.readBufferedDocuments() as unknown[] as Uint8Array[];
      more = cursor.hasNext();
      yield batch;
    }
  } finally {
    // Stopped early: the getMore in flight ends before the caller closes the cursor (closed
    // under it, the server's cursor would be left open).
    await more.catch(() => undefined);
  }
}
