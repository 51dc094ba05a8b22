/**
 * Task logs are bounded end to end: a try that logs 100 MB keeps its first SLUICE_TASK_LOG_LIMIT
 * bytes and a marker, stored in chunks of at most 1 MiB, read through the API a page at a time
 * by byte offset; and a try's log is complete as soon as its state is final. The tasks run in
 * child `sluice worker` processes; the API is read over HTTP; `sluice tasks logs` as a user runs it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Webserver } from '../../src/api/server.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { createDb, dropDatabase, ensureDatabase, withTransaction } from '../../src/store/db.ts';
import { appendLogChunks, MAX_CHUNK_BYTES, MAX_PAGE_BYTES, readLogPage } from '../../src/store/logs.ts';
import { migrate } from '../../src/store/migrate.ts';
import { sluice } from '../support/cli.ts';
import { Harness } from '../support/harness.ts';
import { migrateBefore } from '../support/store-db.ts';
import { startSluice, type SluiceProcess } from '../support/sluice-process.ts';

const SMALL_LIMIT = 256_000;
const DEFAULT_LIMIT = 20_000_000;

/** About 100 MB of log: 100,000 lines of about 1 KB, yielding now and then as real work would. */
const loudDag = (dagId: string, pool: string) => `
import { dag } from 'sluice';
const d = dag('${dagId}', {});
d.task('shout', { pool: '${pool}' }, async (ctx) => {
  const pad = 'x'.repeat(1000);
  for (let i = 0; i < 100_000; i++) {
    ctx.log.info({ i, pad }, 'line');
    if (i % 500 === 499) await new Promise((r) => setImmediate(r));
  }
  return 'done';
});
export default d;
`;

/**
 * Logs steadily (several MB a second, so the worker's periodic flush is busy when the try ends)
 * right up to its return, which comes at a random moment.
 */
const BURST = `
import { dag } from 'sluice';
const d = dag('burst', { maxActiveRuns: 16 });
d.task('talk', async (ctx) => {
  const until = Date.now() + 800 + Math.random() * 1500;
  const pad = 'y'.repeat(200);
  let n = 0;
  while (Date.now() < until) {
    for (let k = 0; k < 10; k++) ctx.log.info({ n: n++, pad }, 'talk');
    await new Promise((r) => setTimeout(r, 1));
  }
  ctx.log.info({ n }, 'last line');
  return n;
});
export default d;
`;

interface LogReply {
  status: number;
  text: string;
  offset: number;
  next: number;
  size: number;
  complete: string | null;
}

describe('task logs are bounded, paged by offset, and complete once a try is final', () => {
  const h = new Harness({
    dags: {
      'loud_small.ts': loudDag('loud_small', 'small_limit'),
      'loud_default.ts': loudDag('loud_default', 'default_limit'),
      'burst.ts': BURST,
    },
  });
  const workers: SluiceProcess[] = [];
  let server: Webserver;

  /** A `sluice worker` child process for these pools, with extra environment. */
  function startChildWorker(pools: string, env: Record<string, string> = {}): void {
    workers.push(startSluice(['worker', '--concurrency', '8', '--pools', pools], { ...h.childEnv(), ...env }, { stderr: 'inherit' }));
  }

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    startChildWorker('small_limit', { SLUICE_TASK_LOG_LIMIT: '256KB' });
    startChildWorker('default_limit,default_pool');
    for (const dagId of ['loud_small', 'loud_default', 'burst']) await h.waitForDag(dagId);
    server = await h.startWebserver();
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await h.tearDown();
  });

  const logPath = (dagId: string, runId: string, taskId: string, tryNumber = 1) =>
    `/api/v1/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}/taskInstances/${taskId}/logs/${tryNumber}`;

  async function getLog(pathname: string, query = ''): Promise<LogReply> {
    const res = await fetch(server.url + pathname + query);
    return {
      status: res.status,
      text: await res.text(),
      offset: Number(res.headers.get('x-log-offset')),
      next: Number(res.headers.get('x-log-next-offset')),
      size: Number(res.headers.get('x-log-size')),
      complete: res.headers.get('x-log-complete'),
    };
  }

  /** Every page from offset 0 until the reply says the text ends, each asked for with `limit`. */
  async function readInPages(pathname: string, limit?: number): Promise<{ pages: LogReply[]; text: string }> {
    const pages: LogReply[] = [];
    let offset = 0;
    for (;;) {
      const page = await getLog(pathname, `?offset=${offset}${limit ? `&limit=${limit}` : ''}`);
      assert.equal(page.status, 200, page.text);
      assert.equal(page.offset, offset);
      pages.push(page);
      if (page.next >= page.size) break;
      assert.ok(page.next > offset, `page at ${offset} moved on (next ${page.next})`);
      offset = page.next;
    }
    return { pages, text: pages.map((p) => p.text).join('') };
  }

  async function storedChunks(dagId: string, runId: string) {
    const { rows } = await h.db.query<{ start_offset: number; end_offset: number; bytes: number }>(
      `SELECT start_offset, end_offset, octet_length(chunk) AS bytes FROM task_logs
        WHERE dag_id = $1 AND run_id = $2 ORDER BY start_offset`,
      [dagId, runId],
    );
    return rows;
  }

  /** The stored chunks tile the log: each starts where the one before ended, and holds what its offsets say. */
  function assertContiguous(rows: { start_offset: number; end_offset: number; bytes: number }[]): number {
    let at = 0;
    for (const row of rows) {
      assert.equal(row.start_offset, at);
      assert.equal(row.end_offset - row.start_offset, row.bytes);
      at = row.end_offset;
    }
    return at;
  }

  async function runLoud(dagId: string): Promise<string> {
    const run = await triggerDagRun(h.db, dagId, {});
    const ended = await h.waitForRunEnd(dagId, run.runId, 120_000);
    assert.equal(ended.state, 'success');
    return run.runId;
  }

  /**
   * The one run of loud_small the tests that read its log share: 100 MB of logging is some seconds
   * of a worker's CPU, and what they check of the stored log is the same for any finished run.
   */
  let loudSmall: Promise<string> | undefined;
  const loudSmallRun = () => (loudSmall ??= runLoud('loud_small'));

  const markerLines = (text: string) => text.split('\n').filter((l) => /WARN .*SLUICE_TASK_LOG_LIMIT/.test(l));

  test('a try logging 100 MB under a 256 KB limit keeps its first lines and says where and why it was cut', async () => {
    const runId = await loudSmallRun();
    const rows = await storedChunks('loud_small', runId);
    const size = assertContiguous(rows);
    assert.ok(size > SMALL_LIMIT - 2_000 && size < SMALL_LIMIT + 2_000, `${size} bytes stored for a ${SMALL_LIMIT}-byte limit`);

    const pathname = logPath('loud_small', runId, 'shout');
    const whole = await getLog(pathname);
    assert.equal(whole.status, 200);
    assert.equal(whole.complete, 'true');
    assert.equal(whole.offset, 0);
    assert.equal(whole.next, size);
    assert.equal(whole.size, size);
    const lines = whole.text.split('\n').filter((l) => l !== '');
    const kept = lines.filter((l) => / INFO line i=/.test(l));
    assert.ok(kept.length > 200, `${kept.length} lines kept`);
    kept.forEach((l, i) => assert.match(l, new RegExp(` INFO line i=${i} pad=`)));
    const markers = markerLines(whole.text);
    assert.equal(markers.length, 2, whole.text.slice(-2_000));
    assert.deepEqual(lines.slice(-2), markers, 'the markers end the log');
    assert.match(markers[0]!, /cut at 256 KB/);
    assert.match(markers[0]!, /raise SLUICE_TASK_LOG_LIMIT/i);
    assert.match(markers[1]!, new RegExp(`droppedLines=${100_000 - kept.length} `));
    assert.match(markers[1]!, /droppedBytes=\d{8,9}\b/);

    const paged = await readInPages(pathname, 64_000);
    assert.ok(paged.pages.length >= 4, `${paged.pages.length} pages of at most 64,000 bytes`);
    assert.equal(paged.text, whole.text, 'the pages put together are the whole log');
    for (const page of paged.pages) assert.ok(page.next - page.offset <= 64_000);

    const cli = await sluice(['tasks', 'logs', 'loud_small', runId, 'shout'], h.childEnv());
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.stdout, whole.text, '`sluice tasks logs` prints the whole log');
    const cliJson = await sluice(['tasks', 'logs', 'loud_small', runId, 'shout', '--json'], h.childEnv());
    assert.equal(cliJson.code, 0, cliJson.stderr);
    assert.deepEqual(JSON.parse(cliJson.stdout), { tryNumber: 1, content: whole.text });
  });

  test('a try logging 100 MB under the default limit keeps 20 MB, stored in chunks of at most 1 MiB, read in pages', async () => {
    const runId = await runLoud('loud_default');
    const rows = await storedChunks('loud_default', runId);
    const size = assertContiguous(rows);
    assert.ok(size > DEFAULT_LIMIT - 2_000 && size < DEFAULT_LIMIT + 2_000, `${size} bytes stored for the default limit`);
    const largest = Math.max(...rows.map((r) => r.bytes));
    assert.ok(largest <= MAX_CHUNK_BYTES, `the largest chunk is ${largest} bytes`);
    assert.ok(rows.length >= Math.ceil(DEFAULT_LIMIT / MAX_CHUNK_BYTES), `${rows.length} chunks`);

    const pathname = logPath('loud_default', runId, 'shout');
    const paged = await readInPages(pathname);
    for (const page of paged.pages) assert.ok(page.next - page.offset <= MAX_CHUNK_BYTES, 'a page without a limit is at most 1 MiB');
    assert.equal(paged.pages.at(-1)!.next, size);
    assert.equal(paged.pages.at(-1)!.complete, 'true');
    const markers = markerLines(paged.text);
    assert.equal(markers.length, 2);
    assert.match(markers[0]!, /cut at 20 MB/);

    const whole = await getLog(pathname);
    assert.equal(whole.text.length, paged.text.length);
    assert.ok(whole.text === paged.text, 'the pages put together are the whole log');
  });

  test('an offset at or past the end gives an empty page that says where the log ends', async () => {
    const runId = await loudSmallRun();
    const pathname = logPath('loud_small', runId, 'shout');
    const { size } = await getLog(pathname, '?offset=0&limit=1');
    assert.ok(size > 0);
    for (const offset of [size, size + 1, size * 10]) {
      const page = await getLog(pathname, `?offset=${offset}`);
      assert.equal(page.status, 200);
      assert.equal(page.text, '');
      assert.equal(page.next, size);
      assert.equal(page.size, size);
      assert.equal(page.complete, 'true');
    }
  });

  test('a bad offset or limit is a 400 that says what to send', async () => {
    const runId = await loudSmallRun();
    const pathname = logPath('loud_small', runId, 'shout');
    const cases: [string, RegExp][] = [
      ['?offset=abc', /query parameter "offset" must be an integer >= 0/],
      ['?offset=-1', /query parameter "offset"/],
      ['?offset=1.5', /query parameter "offset"/],
      ['?limit=0', /query parameter "limit" must be an integer from 1 to 4194304/],
      [`?limit=${MAX_PAGE_BYTES + 1}`, /query parameter "limit"/],
      ['?offset=0&tail=1', /unknown query parameter "tail"/],
    ];
    for (const [query, message] of cases) {
      const res = await fetch(server.url + pathname + query);
      assert.equal(res.status, 400, query);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'bad_request');
      assert.match(body.error.message, message, query);
    }
  });

  test('the log is complete as soon as the try is final, even when the try logs right up to its return', async () => {
    for (let round = 0; round < 3; round++) {
      const runs = await Promise.all(
        Array.from({ length: 8 }, (_, i) => triggerDagRun(h.db, 'burst', { logicalDate: new Date(Date.UTC(2026, 0, 1, round, i)) })),
      );
      await Promise.all(
        runs.map(async (run) => {
          const tiPath = `/api/v1/dags/burst/dagRuns/${encodeURIComponent(run.runId)}/taskInstances/talk`;
          // Read the log the moment the API first shows the try as final: no waiting in between.
          for (;;) {
            const ti = (await (await fetch(server.url + tiPath)).json()) as { state: string };
            if (ti.state === 'success' || ti.state === 'failed') break;
            await new Promise((r) => setTimeout(r, 5));
          }
          const log = await getLog(logPath('burst', run.runId, 'talk'));
          assert.equal(log.complete, 'true');
          const lines = log.text.split('\n').filter((l) => l !== '');
          const last = /INFO last line n=(\d+)$/.exec(lines.at(-1) ?? '');
          assert.ok(last, `the log ends with its last line (run ${run.runId}): ${lines.at(-1)}`);
          const n = Number(last[1]);
          assert.equal(lines.length, n + 1, `run ${run.runId}: ${n} lines before the last one`);
          lines.slice(0, -1).forEach((l, i) => {
            if (!l.includes(` INFO talk n=${i} `)) assert.fail(`run ${run.runId}: line ${i} is "${l.slice(0, 80)}"`);
          });
        }),
      );
    }
  });
});

describe('reading a stored log a page at a time', () => {
  const h = new Harness();
  const key = { dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1, tryNumber: 1 };

  before(() => h.setUp());
  after(() => h.tearDown());

  /** Appends `text` to the try's log as one write, as a worker's flush does. */
  async function append(text: string, tryNumber = 1): Promise<void> {
    await withTransaction(h.db, async (tx) => {
      await tx.query('SET LOCAL session_replication_role = replica'); // no dag_runs row needed
      await appendLogChunks(tx, [{ ...key, tryNumber, chunk: text }]);
    });
  }

  test('a long write is stored in chunks of at most 1 MiB, cut after a line where it can be', async () => {
    const line = `${'a'.repeat(999)}\n`;
    await append(line.repeat(3_000), 2);
    const { rows } = await h.db.query<{ chunk: string }>(
      `SELECT chunk FROM task_logs WHERE try_number = 2 ORDER BY start_offset`,
    );
    assert.equal(rows.length, 3);
    for (const row of rows) {
      assert.ok(Buffer.byteLength(row.chunk) <= MAX_CHUNK_BYTES);
      assert.ok(row.chunk.endsWith('\n'), 'each chunk ends after a line');
    }
    assert.equal(rows.map((r) => r.chunk).join(''), line.repeat(3_000));
  });

  test('a line longer than a chunk is cut between characters, never inside one', async () => {
    const long = `${'é'.repeat(700_000)}\n`; // 1.4 MB of two-byte characters
    await append(long, 3);
    const { rows } = await h.db.query<{ chunk: string }>(`SELECT chunk FROM task_logs WHERE try_number = 3 ORDER BY start_offset`);
    assert.equal(rows.length, 2);
    assert.equal(rows.map((r) => r.chunk).join(''), long);
    const page = await readLogPage(h.db, { ...key, tryNumber: 3 }, { offset: 0, limit: 100_001 });
    assert.equal(page.next, 100_000, 'a page inside a long line ends at the last whole character');
    assert.equal(page.text, 'é'.repeat(50_000));
  });

  test('pages end after a whole line, start where asked (moved past a split character), and tile the log', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i} ${'ü'.repeat(i)}\n`);
    const text = lines.join('');
    // Several writes, as several flushes make.
    await append(lines.slice(0, 20).join(''), 4);
    await append(lines.slice(20, 21).join(''), 4);
    await append(lines.slice(21).join(''), 4);
    const tryKey = { ...key, tryNumber: 4 };
    const size = Buffer.byteLength(text);

    let offset = 0;
    let joined = '';
    while (offset < size) {
      const page = await readLogPage(h.db, tryKey, { offset, limit: 150 });
      assert.equal(page.offset, offset);
      assert.ok(page.next > offset && page.next - offset <= 150);
      assert.ok(page.text.endsWith('\n'), `page at ${offset} ends after a line: ${JSON.stringify(page.text)}`);
      assert.equal(page.size, size);
      joined += page.text;
      offset = page.next;
    }
    assert.equal(joined, text);

    const whole = await readLogPage(h.db, tryKey, { offset: 0, limit: MAX_PAGE_BYTES });
    assert.equal(whole.text, text);
    assert.equal(whole.next, size);

    // Byte 1 of "ü" (two bytes) is inside the character: the page starts after it.
    const at = Buffer.byteLength(lines.slice(0, 5).join('')) + 'line 5 '.length + 1;
    const inside = await readLogPage(h.db, tryKey, { offset: at, limit: 1_000 });
    assert.equal(inside.offset, at + 1);
    assert.ok(inside.text.startsWith('üüüü\nline 6 '), JSON.stringify(inside.text.slice(0, 20)));

    const past = await readLogPage(h.db, tryKey, { offset: size + 5, limit: 1_000 });
    assert.deepEqual(past, { text: '', offset: size, next: size, size });
    const none = await readLogPage(h.db, { ...key, tryNumber: 9 }, { offset: 0, limit: 1_000 });
    assert.deepEqual(none, { text: '', offset: 0, next: 0, size: 0 });
  });
});

describe('migration 004 re-cuts logs stored before chunking', () => {
  const url = `postgres://postgres@127.0.0.1:5432/sluice_logs_legacy_${process.pid}`;
  const db = createDb(url, 2);

  after(async () => {
    await db.end();
    await dropDatabase(url);
  });

  test('old rows get byte offsets, rows over 1 MiB become chunks of at most 1 MiB, and the text stays the same', async () => {
    await ensureDatabase(url);
    const files = await migrateBefore(db, 4);
    const lines = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => `{"level":30,"msg":"old ${from + i}","pad":"${'p'.repeat(300)}"}\n`).join('');
    const hugeLine = `{"level":30,"msg":"${'h'.repeat(1_500_000)}"}\n`;
    const legacy = [lines(0, 10), lines(10, 10_000), '', lines(10_010, 5), hugeLine, lines(10_015, 3)];
    const client = await db.connect();
    try {
      await client.query(`INSERT INTO dag_runs (dag_id, run_id, run_type, state, logical_date, data_interval_start, data_interval_end, version_hash)
        VALUES ('d', 'r', 'manual', 'success', now(), now(), now(), 'v')`);
      for (const chunk of legacy) {
        await client.query(`INSERT INTO task_logs (dag_id, run_id, task_id, try_number, chunk) VALUES ('d', 'r', 't', 1, $1)`, [chunk]);
      }
      await client.query(`INSERT INTO task_logs (dag_id, run_id, task_id, try_number, chunk) VALUES ('d', 'r', 't', 2, 'second try\n')`);
    } finally {
      client.release();
    }

    assert.deepEqual(await migrate(db), files.filter((f) => f.version >= 4).map((f) => f.name));

    const { rows } = await db.query<{ try_number: number; start_offset: number; end_offset: number; chunk: string }>(
      `SELECT try_number, start_offset, end_offset, chunk FROM task_logs ORDER BY try_number, start_offset`,
    );
    const first = rows.filter((r) => r.try_number === 1);
    assert.equal(first.map((r) => r.chunk).join(''), legacy.join(''), 'the same text, in the same order');
    let at = 0;
    for (const row of first) {
      assert.equal(row.start_offset, at);
      assert.equal(row.end_offset - row.start_offset, Buffer.byteLength(row.chunk));
      assert.ok(Buffer.byteLength(row.chunk) <= MAX_CHUNK_BYTES, `a chunk of ${Buffer.byteLength(row.chunk)} bytes`);
      assert.ok(row.chunk !== '');
      at = row.end_offset;
    }
    assert.ok(first.length >= 6, `${first.length} chunks`);
    assert.deepEqual(
      rows.filter((r) => r.try_number === 2).map((r) => [r.start_offset, r.end_offset]),
      [[0, 11]],
    );
  });
});
