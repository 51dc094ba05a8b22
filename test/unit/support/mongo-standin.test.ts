/**
 * The MongoDB stand-in driven by the official driver over TCP, as the ETL code will drive it, plus
 * a few raw-socket checks of the wire protocol the driver never exercises (malformed messages,
 * OP_MSG checksums, the legacy OP_QUERY handshake, cursors of a dropped connection).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { deserialize, serialize } from 'bson';
// BSON classes from the driver: bson's ESM and CommonJS builds have distinct classes, and the
// driver (CommonJS) hands out its own, which instanceof must be checked against.
import { Binary, Decimal128, Double, Int32, Long, MongoBulkWriteError, MongoClient, MongoServerError, ObjectId, type Collection, type Document } from 'mongodb';
import { startMongoStandIn, type MongoStandIn } from '../../support/mongo-standin/server.ts';

const THROUGHPUT_DOCS = Number(process.env.MONGO_STANDIN_THROUGHPUT_DOCS ?? 20_000);

let standIn: MongoStandIn;
let client: MongoClient;
const logged: string[] = [];

before(async () => {
  standIn = await startMongoStandIn({ log: (m) => logged.push(m) });
  client = new MongoClient(standIn.url, { serverSelectionTimeoutMS: 2_000 });
  await client.connect();
});

after(async () => {
  await client.close();
  await standIn.close();
});

// Every assert.ok here has a message: without one, Node re-reads the source to describe the
// failure, and under tsx's transform that can hang instead of failing.

/** One request on a socket of its own: OP_MSG (or OP_QUERY) out, the reply's document back. */
function rawRequest(socket: net.Socket, message: Buffer): Promise<{ opCode: number; doc: Document }> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 4 || data.length < data.readInt32LE(0)) return;
      socket.off('data', onData);
      const opCode = data.readInt32LE(12);
      const docAt = opCode === 2013 ? 21 : 36; // OP_MSG: header+flags+kind; OP_REPLY: header+20
      resolve({ opCode, doc: deserialize(data.subarray(docAt)) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(message);
  });
}

function opMsg(command: Document, options: { checksum?: boolean } = {}): Buffer {
  const body = Buffer.from(serialize(command));
  const flags = options.checksum ? 1 : 0;
  const length = 16 + 4 + 1 + body.length + (options.checksum ? 4 : 0);
  const out = Buffer.alloc(length);
  out.writeInt32LE(length, 0);
  out.writeInt32LE(7, 4);
  out.writeInt32LE(0, 8);
  out.writeInt32LE(2013, 12);
  out.writeUInt32LE(flags, 16);
  out[20] = 0;
  body.copy(out, 21);
  if (options.checksum) out.writeUInt32LE(0xdeadbeef, length - 4); // not verified, only stripped
  return out;
}

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(standIn.port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('mongo stand-in: handshake and admin commands', () => {
  it('answers ping, hello and buildInfo as a standalone 7.0', async () => {
    const admin = client.db('admin');
    assert.deepEqual(await admin.command({ ping: 1 }), { ok: 1 });
    const hello = await admin.command({ hello: 1 });
    assert.equal(hello.isWritablePrimary, true);
    assert.equal(hello.maxWireVersion, 21);
    assert.equal(hello.maxBsonObjectSize, 16_777_216);
    assert.equal(hello.maxWriteBatchSize, 100_000);
    assert.equal(hello.logicalSessionTimeoutMinutes, 30);
    assert.ok(hello.localTime instanceof Date, 'localTime is a date');
    assert.equal(hello.setName, undefined);
    assert.equal((await admin.command({ buildInfo: 1 })).version, '7.0.0');
  });

  it('replies CommandNotFound to an unknown command', async () => {
    await assert.rejects(client.db('x').command({ frobnicate: 1 }), (error: unknown) => {
      assert.ok(error instanceof MongoServerError, String(error));
      assert.equal(error.code, 59);
      assert.equal(error.codeName, 'CommandNotFound');
      assert.equal(error.message, "no such command: 'frobnicate'");
      return true;
    });
  });

  it('speaks the legacy OP_QUERY handshake and tolerates an OP_MSG checksum', async () => {
    const socket = await connect();
    try {
      const query = Buffer.from(serialize({ isMaster: 1, helloOk: true }));
      const name = Buffer.from('admin.$cmd\0');
      const message = Buffer.alloc(16 + 4 + name.length + 8 + query.length);
      message.writeInt32LE(message.length, 0);
      message.writeInt32LE(1, 4);
      message.writeInt32LE(2004, 12);
      name.copy(message, 20);
      message.writeInt32LE(-1, 20 + name.length + 4);
      query.copy(message, 20 + name.length + 8);
      const reply = await rawRequest(socket, message);
      assert.equal(reply.opCode, 1);
      assert.equal(reply.doc.ismaster, true);
      assert.equal(reply.doc.helloOk, true);

      const ping = await rawRequest(socket, opMsg({ ping: 1, $db: 'admin' }, { checksum: true }));
      assert.equal(ping.opCode, 2013);
      assert.equal(ping.doc.ok, 1);
    } finally {
      socket.destroy();
    }
  });

  it('drops a connection that sends a malformed message, logs why, and keeps serving', async () => {
    const socket = await connect();
    const bad = Buffer.alloc(20);
    bad.writeInt32LE(20, 0);
    bad.writeInt32LE(2013, 12);
    bad.writeUInt32LE(0, 16); // an OP_MSG without any section
    socket.write(bad);
    await closed(socket);
    assert.ok(logged.some((line) => line.includes('OP_MSG')), logged.join('\n'));

    const garbage = await connect();
    garbage.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await closed(garbage);
    assert.deepEqual(await client.db('admin').command({ ping: 1 }), { ok: 1 });
  });
});

/** Documents with numeric ids (the driver's default typing wants ObjectIds). */
interface Numbered {
  _id: number;
  [field: string]: unknown;
}

interface Thing {
  _id: number;
  n?: number;
  tags?: string[];
  name?: string;
  meta?: { seen: boolean };
  kind?: string;
  created?: boolean;
  only?: string;
}

interface Order {
  _id: number;
  status?: string | null;
  qty?: number;
  tags?: string[];
  items?: { sku: string; n: number }[];
  customer?: { name: string; city: string };
}

describe('mongo stand-in: queries', () => {
  let orders: Collection<Order>;
  const ids = async (filter: Document): Promise<number[]> => (await orders.find(filter).toArray()).map((d) => d._id);

  before(async () => {
    orders = client.db('queries').collection<Order>('orders');
    await orders.insertMany([
      { _id: 1, status: 'new', qty: 5, tags: ['a', 'b'], items: [{ sku: 'x', n: 1 }, { sku: 'y', n: 2 }], customer: { name: 'Ann', city: 'Oslo' } },
      { _id: 2, status: 'paid', qty: 10, tags: ['b'], items: [{ sku: 'y', n: 5 }], customer: { name: 'Bob', city: 'Rome' } },
      { _id: 3, status: 'paid', qty: 15, tags: [], items: [], customer: { name: 'Cid', city: 'Oslo' } },
      { _id: 4, status: null, qty: 20 },
      { _id: 5, qty: 25, tags: ['c'] },
    ]);
  });

  it('matches equality, comparisons and sets, also on dotted paths into arrays', async () => {
    assert.deepEqual(await ids({ status: 'paid' }), [2, 3]);
    assert.deepEqual(await ids({ qty: { $eq: 10 } }), [2]);
    assert.deepEqual(await ids({ status: { $ne: 'paid' } }), [1, 4, 5]);
    assert.deepEqual(await ids({ qty: { $gt: 10, $lte: 20 } }), [3, 4]);
    assert.deepEqual(await ids({ qty: { $gte: 20 } }), [4, 5]);
    assert.deepEqual(await ids({ qty: { $lt: 10 } }), [1]);
    assert.deepEqual(await ids({ status: { $in: ['new', null] } }), [1, 4, 5]);
    assert.deepEqual(await ids({ status: { $nin: ['new', 'paid'] } }), [4, 5]);
    assert.deepEqual(await ids({ tags: 'b' }), [1, 2]);
    assert.deepEqual(await ids({ tags: ['b'] }), [2]);
    assert.deepEqual(await ids({ 'items.sku': 'y' }), [1, 2]);
    assert.deepEqual(await ids({ 'items.n': { $gt: 1 } }), [1, 2]);
    assert.deepEqual(await ids({ 'items.0.sku': 'x' }), [1]);
    assert.deepEqual(await ids({ 'customer.city': 'Oslo' }), [1, 3]);
    assert.deepEqual(await ids({ items: { $elemMatch: { sku: 'y', n: { $gte: 5 } } } }), [2]);
    assert.deepEqual(await ids({ tags: { $size: 0 } }), [3]);
    assert.deepEqual(await ids({ tags: { $all: ['a', 'b'] } }), [1]);
    // type bracketing: a number bound never matches strings
    assert.deepEqual(await ids({ status: { $gt: 0 } }), []);
  });

  it('treats null as missing, and $exists', async () => {
    assert.deepEqual(await ids({ status: null }), [4, 5]);
    assert.deepEqual(await ids({ status: { $exists: false } }), [5]);
    assert.deepEqual(await ids({ status: { $exists: true } }), [1, 2, 3, 4]);
    assert.deepEqual(await ids({ 'customer.name': { $exists: true } }), [1, 2, 3]);
  });

  it('combines with $and, $or, $nor, $not and matches $regex and $type', async () => {
    assert.deepEqual(await ids({ $and: [{ status: 'paid' }, { qty: { $gt: 10 } }] }), [3]);
    assert.deepEqual(await ids({ $or: [{ status: 'new' }, { qty: 25 }] }), [1, 5]);
    assert.deepEqual(await ids({ $nor: [{ status: 'paid' }, { qty: { $gte: 20 } }] }), [1]);
    assert.deepEqual(await ids({ qty: { $not: { $gt: 10 } } }), [1, 2]);
    assert.deepEqual(await ids({ 'customer.name': /^b/i }), [2]);
    assert.deepEqual(await ids({ 'customer.name': { $regex: 'n$', $options: '' } }), [1]);
    assert.deepEqual(await ids({ status: { $type: 'string' } }), [1, 2, 3]);
    assert.deepEqual(await ids({ status: { $type: 'null' } }), [4]);
  });

  it('sorts on one or more (dotted) fields, skips, limits and projects', async () => {
    const sorted = await orders.find({}, { sort: { status: -1, qty: 1 } }).toArray();
    assert.deepEqual(sorted.map((d) => d._id), [2, 3, 1, 4, 5]);
    const byCity = await orders.find({ customer: { $exists: true } }).sort({ 'customer.city': 1, _id: -1 }).toArray();
    assert.deepEqual(byCity.map((d) => d._id), [3, 1, 2]);
    const page = await orders.find({}).sort({ qty: -1 }).skip(1).limit(2).toArray();
    assert.deepEqual(page.map((d) => d._id), [4, 3]);
    assert.deepEqual(await orders.find({ _id: 2 }, { projection: { qty: 1 } }).toArray(), [{ _id: 2, qty: 10 }]);
    assert.deepEqual(await orders.find({ _id: 2 }, { projection: { _id: 0, status: 1, 'customer.city': 1 } }).toArray(), [{ status: 'paid', customer: { city: 'Rome' } }]);
    assert.deepEqual(await orders.find({ _id: 4 }, { projection: { qty: 0 } }).toArray(), [{ _id: 4, status: null }]);
  });

  it('counts, distinct values and aggregates', async () => {
    assert.equal(await orders.countDocuments({ status: 'paid' }), 2);
    assert.equal(await orders.countDocuments({}, { skip: 1, limit: 2 }), 2);
    assert.equal(await orders.estimatedDocumentCount(), 5);
    assert.deepEqual((await orders.distinct('status')).sort(), ['new', 'paid', null].sort());
    assert.deepEqual(await orders.distinct('items.sku'), ['x', 'y']);
    const grouped = await orders
      .aggregate([{ $match: { qty: { $gte: 5 } } }, { $group: { _id: '$status', total: { $sum: '$qty' }, n: { $sum: 1 } } }, { $sort: { total: -1 } }, { $limit: 2 }, { $project: { _id: 0, status: '$_id', total: 1 } }])
      .toArray();
    assert.deepEqual(grouped, [{ total: 45, status: null }, { total: 25, status: 'paid' }]);
  });
});

describe('mongo stand-in: writes', () => {
  it('updates with operators, upserts, and deletes', async () => {
    const c = client.db('writes').collection<Thing>('things');
    await c.insertMany([{ _id: 1, n: 1, tags: ['a'] }, { _id: 2, n: 2 }, { _id: 3, n: 3 }]);

    const set = await c.updateOne({ _id: 1 }, { $set: { name: 'one', 'meta.seen': true }, $inc: { n: 10 }, $push: { tags: 'b' } });
    assert.equal(set.matchedCount, 1);
    assert.equal(set.modifiedCount, 1);
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, n: 11, tags: ['a', 'b'], name: 'one', meta: { seen: true } });

    const same = await c.updateOne({ _id: 1 }, { $set: { name: 'one' } });
    assert.equal(same.modifiedCount, 0, 'setting a field to its value modifies nothing');

    const upsert = await c.updateOne({ _id: 9, kind: 'new' }, { $set: { n: 9 }, $setOnInsert: { created: true } }, { upsert: true });
    assert.equal(upsert.upsertedId, 9);
    assert.deepEqual(await c.findOne({ _id: 9 }), { _id: 9, kind: 'new', n: 9, created: true });
    const again = await c.updateOne({ _id: 9 }, { $set: { n: 10 }, $setOnInsert: { created: false } }, { upsert: true });
    assert.equal(again.upsertedCount, 0);
    assert.equal((await c.findOne({ _id: 9 }))?.created, true);

    const many = await c.updateMany({ n: { $lt: 5 } }, { $unset: { tags: '' }, $inc: { n: 100 } });
    assert.equal(many.matchedCount, 2);
    assert.deepEqual((await c.find({ n: { $gt: 100 } }).toArray()).map((d) => d._id), [2, 3]);

    const replaced = await c.replaceOne({ _id: 2 }, { only: 'this' });
    assert.equal(replaced.modifiedCount, 1);
    assert.deepEqual(await c.findOne({ _id: 2 }), { _id: 2, only: 'this' });

    await assert.rejects(c.updateOne({ _id: 3 }, { $set: { _id: 4 } }), (e: unknown) => e instanceof MongoServerError && e.code === 66);

    const modified = await c.findOneAndUpdate({ _id: 3 }, { $inc: { n: 1 } }, { returnDocument: 'after' });
    assert.equal(modified?.n, 104);

    assert.equal((await c.deleteOne({ n: { $gt: 0 } })).deletedCount, 1);
    assert.equal((await c.deleteMany({})).deletedCount, 3);
    assert.equal(await c.countDocuments(), 0);
  });

  it('rejects a duplicate _id with E11000, ordered and unordered', async () => {
    const c = client.db('writes').collection('dups');
    await c.insertOne({ _id: new ObjectId('65a000000000000000000001'), v: 1 });
    await assert.rejects(c.insertOne({ _id: new ObjectId('65a000000000000000000001'), v: 2 }), (e: unknown) => {
      assert.ok(e instanceof MongoServerError, String(e));
      assert.equal(e.code, 11000);
      assert.match(e.message, /^E11000 duplicate key error collection: writes\.dups index: _id_ dup key: \{ _id: ObjectId\('65a000000000000000000001'\) \}/);
      return true;
    });
    await assert.rejects(c.insertMany([{ _id: 7 }, { _id: 7 }, { _id: 8 }] as Document[], { ordered: false }), (e: unknown) => {
      assert.ok(e instanceof MongoBulkWriteError, String(e));
      assert.equal(e.code, 11000);
      assert.equal(e.insertedCount, 2);
      assert.deepEqual(e.writeErrors instanceof Array ? e.writeErrors.map((w) => w.index) : [e.writeErrors.index], [1]);
      return true;
    });
    // 1 and 1.0 are the same key, as in mongod
    await assert.rejects(c.insertOne({ _id: new Double(7) } as Document), (e: unknown) => e instanceof MongoServerError && e.code === 11000);
    assert.equal(await c.countDocuments(), 3);
  });

  it('lists, creates and drops collections, databases and indexes', async () => {
    const db = client.db('catalog');
    await db.createCollection('a');
    await db.collection('b').insertOne({ x: 1 });
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
    assert.deepEqual(names, ['a', 'b']);
    assert.deepEqual((await db.listCollections({ name: 'b' }).toArray()).map((c) => [c.name, c.type]), [['b', 'collection']]);
    await assert.rejects(db.createCollection('a'), (e: unknown) => e instanceof MongoServerError && e.code === 48);

    assert.equal(await db.collection('b').createIndex({ x: 1 }, { unique: true }), 'x_1');
    const indexes = await db.collection('b').listIndexes().toArray();
    assert.deepEqual(indexes.map((i) => i.name), ['_id_', 'x_1']);

    const dbs = await client.db('admin').admin().listDatabases();
    assert.ok(dbs.databases.some((d) => d.name === 'catalog'), 'catalog is listed');

    assert.equal(await db.collection('a').drop(), true);
    assert.deepEqual((await db.listCollections().toArray()).map((c) => c.name), ['b']);
    await db.collection('b').rename('c');
    assert.equal(await db.collection('c').countDocuments(), 1);
    assert.equal(await db.dropDatabase(), true);
    assert.deepEqual(await db.listCollections().toArray(), []);
  });
});

describe('mongo stand-in: secondary indexes', () => {
  it('reads a range through a single-field index in its order, and keeps it current through writes', async () => {
    const db = client.db('indexes');
    const c = db.collection<{ _id: number; n: number }>('ranged');
    await c.insertMany(Array.from({ length: 30 }, (_, i) => ({ _id: i, n: 29 - i })));
    await c.createIndex({ n: 1 });
    const byN = async (filter: Document): Promise<number[]> => (await c.find(filter).toArray()).map((d) => d.n);
    assert.deepEqual(await byN({ n: { $gte: 5, $lt: 9 } }), [5, 6, 7, 8], 'index order, not natural order');

    // Every matched document moves up the index while the update runs: each is changed once.
    const moved = await c.updateMany({ n: { $gte: 20 } }, { $inc: { n: 100 } });
    assert.equal(moved.modifiedCount, 10);
    assert.deepEqual(await byN({ n: { $gte: 20 } }), [120, 121, 122, 123, 124, 125, 126, 127, 128, 129]);
    await c.updateOne({ _id: 0 }, { $set: { n: 7.5 } });
    assert.deepEqual(await byN({ $and: [{ n: { $gt: 7 } }, { n: { $lt: 9 } }] }), [7.5, 8]);
    assert.equal((await c.deleteMany({ n: { $lt: 3 } })).deletedCount, 3);
    assert.deepEqual(await byN({ n: { $lte: 4 } }), [3, 4]);
    assert.equal(await c.countDocuments({ n: { $gte: 100 } }), 9);
    assert.deepEqual(await c.distinct('n', { n: { $gt: 126 } }), [127, 128]);
    const summed = await c.aggregate<{ total: number }>([{ $match: { n: { $gte: 10, $lt: 13 } } }, { $group: { _id: null, total: { $sum: '$n' } } }]).toArray();
    assert.equal(summed[0]?.total, 33);

    await db.renameCollection('ranged', 'renamed');
    const renamed = db.collection<{ _id: number; n: number }>('renamed');
    // Natural order would be 7.5, 8, 7, 6, 5.
    assert.deepEqual((await renamed.find({ n: { $gte: 5, $lt: 9 } }).toArray()).map((d) => d.n), [5, 6, 7, 7.5, 8], 'the index moves with the collection');
  });

  it('reads a descending index backwards, and scans in natural order once the index is dropped', async () => {
    const c = client.db('indexes').collection<{ _id: number; at: Date }>('dated');
    const t0 = Date.UTC(2026, 0, 1);
    const minutes = (m: number): Date => new Date(t0 + m * 60_000);
    await c.insertMany(Array.from({ length: 10 }, (_, i) => ({ _id: i, at: minutes((i * 3) % 10) })));
    await c.createIndex({ at: -1 }, { name: 'at_desc' });
    const window = { at: { $gte: minutes(2), $lt: minutes(7) } };
    assert.deepEqual((await c.find(window).toArray()).map((d) => d._id), [2, 5, 8, 1, 4]);
    await c.dropIndex('at_desc');
    assert.deepEqual((await c.find(window).toArray()).map((d) => d._id), [1, 2, 4, 5, 8]);
  });
});

describe('mongo stand-in: cursors', () => {
  const cursorDocs = 25_000;

  it('returns every document of a 25,000-document cursor once, in order, batch by batch', async () => {
    const c = client.db('cursors').collection<Numbered>('many');
    const docs = Array.from({ length: cursorDocs }, (_, i) => ({ _id: i, at: new Date(Date.UTC(2026, 0, 1) + i * 1000), pad: 'p'.repeat(100) }));
    for (let i = 0; i < docs.length; i += 5_000) await c.insertMany(docs.slice(i, i + 5_000));
    let expected = 0;
    for await (const doc of c.find({ at: { $gte: new Date(Date.UTC(2026, 0, 1)) } }, { batchSize: 1_000 })) {
      assert.equal(doc._id, expected++);
    }
    assert.equal(expected, cursorDocs);
    await until(() => standIn.openCursors === 0, 'the exhausted cursor to close');
  });

  it('surfaces an injected getMore failure in the middle of a read as a driver error', async () => {
    const c = client.db('cursors').collection<Numbered>('many');
    standIn.failNext('getMore', { code: 6, message: 'simulated network error' });
    let read = 0;
    await assert.rejects(
      (async () => {
        for await (const _doc of c.find({}, { batchSize: 500 })) read++;
      })(),
      (e: unknown) => e instanceof MongoServerError && e.code === 6 && e.message === 'simulated network error',
    );
    assert.equal(read, 500, 'the first batch arrives before getMore fails');
  });

  it('fails a find (retried once by the driver) and can drop the connection instead', async () => {
    const c = client.db('cursors').collection<Numbered>('many');
    standIn.failNext('find', { code: 6, message: 'simulated network error' });
    assert.equal((await c.findOne({ _id: 3 }))?._id, 3, 'a retryable error is retried once');
    standIn.failNext('find', { code: 6, message: 'simulated network error' }, 2);
    await assert.rejects(c.findOne({ _id: 3 }), (e: unknown) => e instanceof MongoServerError && e.code === 6);
    const noRetry = new MongoClient(standIn.url, { retryReads: false, serverSelectionTimeoutMS: 1_000 });
    try {
      standIn.failNext('find', { code: 6, message: 'gone', closeConnection: true });
      await assert.rejects(noRetry.db('cursors').collection<Numbered>('many').findOne({}), /closed|connection/i);
      assert.equal((await noRetry.db('cursors').collection<Numbered>('many').findOne({ _id: 4 }))?._id, 4);
    } finally {
      await noRetry.close();
    }
  });

  it('closes the cursors of a connection that goes away', async () => {
    const socket = await connect();
    const reply = await rawRequest(socket, opMsg({ find: 'many', filter: {}, batchSize: 10, $db: 'cursors' }));
    assert.equal(reply.doc.cursor.firstBatch.length, 10);
    assert.notEqual(reply.doc.cursor.id, 0);
    assert.ok(standIn.openCursors >= 1, 'the cursor is open');
    socket.destroy();
    await until(() => standIn.openCursors === 0, 'the cursor of the closed connection to go');
  });
});

describe('mongo stand-in: fidelity', () => {
  it('returns every BSON type as stored: Int32 stays Int32, Double stays Double', async () => {
    const c = client.db('fidelity').collection('types');
    const oid = new ObjectId();
    const when = new Date('2026-03-04T05:06:07.089Z');
    const original = {
      _id: oid,
      int: new Int32(7),
      double: new Double(7),
      long: Long.fromString('9007199254740993'),
      decimal: Decimal128.fromString('12345.6789'),
      when,
      nothing: null,
      yes: true,
      bin: new Binary(Buffer.from([1, 2, 3]), 0),
      nested: { deeper: { list: [1, 'two', { three: 3 }] } },
    };
    await c.insertOne(original);

    const raw = await c.findOne({ _id: oid }, { promoteValues: false, promoteLongs: false });
    assert.ok(raw, 'found');
    assert.ok(raw.int instanceof Int32, 'int is an Int32');
    assert.ok(raw.double instanceof Double, 'double is a Double');
    assert.ok(raw.long instanceof Long && raw.long.toString() === '9007199254740993', 'long is the Long');
    assert.equal(serialize(raw).toString(), serialize(original).toString(), 'byte for byte what was sent');

    const promoted = await c.findOne({ when: { $gte: when } });
    assert.ok(promoted, 'found');
    assert.equal(promoted.int, 7);
    assert.equal(promoted.double, 7);
    assert.ok(promoted._id instanceof ObjectId && promoted._id.equals(oid), '_id is the ObjectId');
    assert.ok(promoted.when instanceof Date && promoted.when.getTime() === when.getTime(), 'when is the Date');
    assert.ok(promoted.decimal instanceof Decimal128 && promoted.decimal.toString() === '12345.6789', 'decimal is the Decimal128');
    assert.equal(promoted.nothing, null);
    assert.deepEqual(promoted.nested, { deeper: { list: [1, 'two', { three: 3 }] } });
    assert.deepEqual(Buffer.from((promoted.bin as Binary).buffer), Buffer.from([1, 2, 3]));

    // numbers of different BSON types compare as numbers
    assert.equal(await c.countDocuments({ long: { $gt: 9007199254740992 } }), 1);
    assert.equal(await c.countDocuments({ int: 7.0, double: new Int32(7), decimal: { $gt: 12345 } }), 1);
  });

  it('keeps a stored document with invalid UTF-8 as is: readable with enableUtf8Validation: false', async () => {
    const bytes = Buffer.from(serialize({ _id: 1, name: 'fo?o' }));
    bytes[bytes.indexOf('fo?o') + 2] = 0xff;
    standIn.insertRaw('fidelity', 'utf8', bytes);

    const lax = new MongoClient(standIn.url, { enableUtf8Validation: false, serverSelectionTimeoutMS: 1_000 });
    try {
      assert.deepEqual(await lax.db('fidelity').collection<Numbered>('utf8').findOne({ _id: 1 }), { _id: 1, name: 'fo\uFFFDo' });
      const rawBytes = await lax.db('fidelity').collection<Numbered>('utf8').findOne({ _id: 1 }, { raw: true });
      assert.deepEqual(Buffer.from(rawBytes as unknown as Uint8Array), bytes, 'the reply carries the stored bytes unchanged');
    } finally {
      await lax.close();
    }
    await assert.rejects(client.db('fidelity').collection<Numbered>('utf8').findOne({ _id: 1 }), /UTF-8|utf8/i);
  });
});

describe('mongo stand-in: lifecycle and throughput', () => {
  it('makes a connected client fail, not hang, when the server closes', async () => {
    const doomed = await startMongoStandIn({ log: () => {} });
    const c = new MongoClient(doomed.url, { serverSelectionTimeoutMS: 300, connectTimeoutMS: 300 });
    try {
      await c.db('admin').command({ ping: 1 });
      await doomed.close();
      const started = Date.now();
      await assert.rejects(c.db('x').collection('y').findOne({}));
      assert.ok(Date.now() - started < 5_000, 'fails within the selection timeout');
    } finally {
      await c.close();
    }
  });

  it('inserts and reads ~400-byte documents at a useful rate', async (t) => {
    const c = client.db('throughput').collection('orders');
    const base = Date.UTC(2026, 0, 1);
    const doc = (i: number): Document => ({
      orderId: `ORD-${String(i).padStart(9, '0')}`,
      customer: { name: `Customer ${i % 5000}`, email: `customer${i % 5000}@example.com`, tier: i % 3 ? 'silver' : 'gold' },
      items: [{ sku: `SKU-${i % 100}`, qty: (i % 7) + 1, price: 9.99 }, { sku: `SKU-${(i + 1) % 100}`, qty: 1, price: 19.5 }],
      total: 29.49 + (i % 100),
      status: ['new', 'paid', 'shipped', 'delivered'][i % 4],
      notes: 'x'.repeat(60),
      createdAt: new Date(base + i * 1000),
      updatedAt: new Date(base + i * 1000),
    });
    let started = performance.now();
    for (let i = 0; i < THROUGHPUT_DOCS; i += 10_000) {
      await c.insertMany(Array.from({ length: Math.min(10_000, THROUGHPUT_DOCS - i) }, (_, j) => doc(i + j)));
    }
    const insertSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    let read = 0;
    const range = { $gte: new Date(base), $lt: new Date(base + THROUGHPUT_DOCS * 1000) };
    for await (const _doc of c.find({ updatedAt: range }, { batchSize: 5_000 })) read++;
    const readSeconds = (performance.now() - started) / 1000;
    assert.equal(read, THROUGHPUT_DOCS);
    t.diagnostic(`${THROUGHPUT_DOCS} docs of ~400 bytes, driver and stand-in in one process: insert ${Math.round(THROUGHPUT_DOCS / insertSeconds)}/s, read ${Math.round(THROUGHPUT_DOCS / readSeconds)}/s`);
    await c.drop();
  });
});
