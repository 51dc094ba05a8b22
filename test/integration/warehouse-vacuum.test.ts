/** vacuumTables against a real PostgreSQL, one fresh database a test. */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { pino } from 'pino';
import { openWarehouse } from '../../src/providers/postgres/connection.ts';
import { WAREHOUSE_LOAD_LOCK } from '../../src/providers/postgres/locks.ts';
import { vacuumTables } from '../../src/providers/postgres/vacuum.ts';
import { dropDatabase } from '../../src/store/db.ts';

async function freshWarehouse(t: TestContext): Promise<pg.Pool> {
  const url = `postgres://postgres@127.0.0.1:5432/sluice_wh_${randomBytes(5).toString('hex')}`;
  const pool = await openWarehouse(url, { max: 4 });
  t.after(async () => {
    await pool.end();
    await dropDatabase(url);
  });
  return pool;
}

/** A logger whose messages land in `messages`; `onMessage` sees each one as it is logged. */
function capturingLogger(onMessage: (msg: string) => void = () => undefined): { log: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const write = (line: string) => {
    const { msg } = JSON.parse(line) as { msg: string };
    messages.push(msg);
    onMessage(msg);
  };
  return { log: pino({ level: 'info' }, { write }), messages };
}

// Autovacuum off, so the dead tuples are still there when the test vacuums.
async function createTable(pool: pg.Pool, name: string, rows: number): Promise<void> {
  await pool.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, padding text) WITH (autovacuum_enabled = false)`);
  await pool.query(`INSERT INTO ${name} SELECT i, repeat('x', 200) FROM generate_series(1, $1) i`, [rows]);
}

async function waitFor(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// The deleting backend reports its dead tuples to the statistics up to a second after committing.
async function waitForDeadTuples(pool: pg.Pool, table: string): Promise<void> {
  await waitFor(`dead tuples of ${table} to be counted`, async () => {
    const { rows } = await pool.query('SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = $1::regclass', [table]);
    return Number(rows[0]?.n_dead_tup ?? 0) > 0;
  });
}

describe('warehouse vacuum', () => {
  test('reports sizes and dead tuples before and after vacuuming, schema-qualified names included', async (t) => {
    const pool = await freshWarehouse(t);
    await pool.query('CREATE SCHEMA mart');
    await createTable(pool, 'orders', 20_000);
    await createTable(pool, 'mart.events', 1_000);
    await pool.query('DELETE FROM orders WHERE id > 2000');
    await pool.query('DELETE FROM mart.events WHERE id % 2 = 0');
    await waitForDeadTuples(pool, 'orders');
    await waitForDeadTuples(pool, 'mart.events');
    const { log, messages } = capturingLogger();

    const [orders, events] = await vacuumTables(pool, { tables: ['orders', 'mart.events'], log });

    assert.equal(orders?.table, 'orders');
    assert.equal(events?.table, 'mart.events');
    for (const report of [orders, events]) {
      assert.ok(report);
      assert.ok(report.bytesBefore > 0 && report.bytesAfter > 0, JSON.stringify(report));
      assert.ok(report.deadTuplesAfter < report.deadTuplesBefore, JSON.stringify(report));
      assert.equal(report.lockWaitMs, 0);
      assert.ok(report.durationMs >= 0);
    }
    assert.equal(orders?.deadTuplesBefore, 18_000);
    // 90% of the rows sat at the end of the heap, which VACUUM truncates.
    assert.ok((orders?.bytesAfter ?? 0) < (orders?.bytesBefore ?? 0), JSON.stringify(orders));
    assert.deepEqual(messages, ['vacuumed warehouse table', 'vacuumed warehouse table']);
  });

  test('a missing table or a name that is not one is an error naming it, before anything is vacuumed', async (t) => {
    const pool = await freshWarehouse(t);
    await createTable(pool, 'orders', 10);
    const { log, messages } = capturingLogger();

    await assert.rejects(vacuumTables(pool, { tables: ['orders', 'public.nope'], log }), {
      message: /^cannot vacuum table public\.nope: it does not exist in database sluice_wh_\w+; names are matched exactly/,
    });
    await assert.rejects(vacuumTables(pool, { tables: ['Orders'], log }), {
      message: /^cannot vacuum table Orders: .* \(looked up in the search_path\); names are matched exactly, case included/,
    });
    await assert.rejects(vacuumTables(pool, { tables: ['orders; DROP TABLE orders'], log }), {
      message: /^cannot vacuum "orders; DROP TABLE orders": not a table name/,
    });
    await pool.query('CREATE VIEW recent AS SELECT * FROM orders');
    await assert.rejects(vacuumTables(pool, { tables: ['recent'], log }), { message: /^cannot vacuum recent: it is a view/ });
    assert.deepEqual(messages, []);
  });

  test('waits for a promote holding the load lock in its transaction, and finishes only after it commits', async (t) => {
    const pool = await freshWarehouse(t);
    await createTable(pool, 'orders', 100);
    const promote = await pool.connect();
    try {
      await promote.query('BEGIN');
      await promote.query('SELECT pg_advisory_xact_lock($1)', [WAREHOUSE_LOAD_LOCK]);

      const events: string[] = [];
      const { log, messages } = capturingLogger();
      const vacuum = vacuumTables(pool, { tables: ['orders'], log }).then((reports) => {
        events.push('vacuumed');
        return reports;
      });
      await waitFor('vacuum to wait for the lock', async () => messages.includes('waiting for the warehouse load lock: a promote is running'));
      await waitFor('the lock request to show in pg_locks', async () => {
        const { rows } = await pool.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
        return rows.length === 1;
      });
      assert.equal(events.length, 0, "vacuum must not finish while the promote holds the lock");

      events.push('promote committed');
      await promote.query('COMMIT');
      const [report] = await vacuum;
      assert.deepEqual(events, ['promote committed', 'vacuumed']);
      assert.ok(report && report.lockWaitMs >= 0);
      assert.deepEqual(messages, ['waiting for the warehouse load lock: a promote is running', 'vacuumed warehouse table']);
    } finally {
      // Before the pool ends (t.after), which waits for every client to come back.
      promote.release();
    }
  });

  test('an aborted signal stops it between tables with an AbortError', async (t) => {
    const pool = await freshWarehouse(t);
    await createTable(pool, 'a', 10);
    await createTable(pool, 'b', 10);

    const before = new AbortController();
    before.abort();
    await assert.rejects(vacuumTables(pool, { tables: ['a'], log: capturingLogger().log, signal: before.signal }), {
      name: 'AbortError',
      message: 'vacuum aborted after 0 of 1 tables; not vacuumed: a',
    });

    const midway = new AbortController();
    const { log, messages } = capturingLogger((msg) => {
      if (msg === 'vacuumed warehouse table') midway.abort();
    });
    await assert.rejects(vacuumTables(pool, { tables: ['a', 'b'], log, signal: midway.signal }), {
      name: 'AbortError',
      message: 'vacuum aborted after 1 of 2 tables; not vacuumed: b',
    });
    assert.equal(messages.length, 1);
  });
});
