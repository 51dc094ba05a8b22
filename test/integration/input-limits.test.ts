/**
 * Input that used to get a 500 or tie the webserver up: deep or unstorable JSON, a backfill over
 * too many intervals, a dry run over a huge range. Each is a 400 (or a bounded answer) through
 * real HTTP, and the server still answers afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, MAX_CONF_BYTES } from '../../src/core/json-limits.ts';
import { DRY_RUN_PAGE_LIMIT } from '../../src/engine/backfill.ts';
import { MAX_BACKFILL_INTERVALS } from '../../src/engine/backfill-size.ts';
import { ApiFixture, client, dagSpec } from '../support/api-fixture.ts';

type ErrorBody = { error: { code: string; message: string } };
type Interval = { logicalDate: string; dataIntervalEnd: string; plan: string };
type DryRun = {
  dryRun: boolean;
  dagRunIds: string[];
  intervals: Interval[];
  totalEntries: number;
  planCounts: { create: number; reprocess: number; skip: number };
};

function assertBadRequest(reply: { status: number; body: unknown; text: string }, pattern: RegExp): string {
  assert.equal(reply.status, 400, `expected 400, got ${reply.status}: ${reply.text.slice(0, 500)}`);
  const { error } = reply.body as ErrorBody;
  assert.equal(error.code, 'bad_request');
  assert.match(error.message, pattern);
  return error.message;
}

/** {"a": {"a": … {"a": 1}}}, `levels` objects deep, as JSON text (no recursion to build it). */
function nestedObjects(levels: number): string {
  return '{"a":'.repeat(levels - 1) + '{"a":1}' + '}'.repeat(levels - 1);
}

describe('input limits at the API edge', () => {
  const fx = new ApiFixture();
  let api: ReturnType<typeof client>;

  before(async () => {
    await fx.setUp();
    await fx.addDag(dagSpec('daily', ['a']));
    await fx.addDag(dagSpec('every_minute', ['a'], [], { schedule: '* * * * *' }));
    api = client((await fx.start()).url);
  });
  after(() => fx.tearDown());

  const trigger = (raw: string) => api('POST', '/api/v1/dags/daily/dagRuns', { raw });
  const runCount = async () => Number((await fx.db.query<{ n: string }>('SELECT count(*) AS n FROM dag_runs')).rows[0]!.n);

  test('a conf nested 20,000 levels is a 400 naming where it gets too deep', async () => {
    const message = assertBadRequest(await trigger(`{"conf": ${nestedObjects(20_000)}}`), new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`));
    assert.match(message, /at conf\.a\.a\.a/);
    assert.ok(message.length < 1000, `a short message, not the whole path: ${message.length} characters`);
    // The same for arrays, and for a backfill's dagRunConf.
    assertBadRequest(await trigger(`{"conf": {"list": ${'['.repeat(20_000)}${']'.repeat(20_000)}}}`), /nested deeper than 64 levels at conf\.list\[0\]\[0\]/);
    assertBadRequest(
      await api('POST', '/api/v1/backfills', {
        raw: `{"dagId": "daily", "fromDate": "2026-01-01", "toDate": "2026-01-02", "dagRunConf": ${nestedObjects(20_000)}}`,
      }),
      /nested deeper than 64 levels at dagRunConf\.a/,
    );
    assert.equal(await runCount(), 0);
  });

  test('a conf exactly at the depth limit is stored and given back', async () => {
    // The body is one level: conf may nest one fewer.
    const reply = await trigger(`{"logicalDate": "2026-02-01T00:00:00Z", "conf": ${nestedObjects(MAX_JSON_DEPTH - 1)}}`);
    assert.equal(reply.status, 201, reply.text.slice(0, 500));
    assertBadRequest(await trigger(`{"logicalDate": "2026-02-02T00:00:00Z", "conf": ${nestedObjects(MAX_JSON_DEPTH)}}`), /nested deeper than 64 levels/);
  });

  test('NUL in a conf value is a 400 naming the path of the value', async () => {
    assertBadRequest(
      await api('POST', '/api/v1/dags/daily/dagRuns', { json: { conf: { rows: [{ name: 'ab\u0000c' }] } } }),
      /field "conf\.rows\[0\]\.name": it contains a NUL character \(\\u0000\)/,
    );
  });

  test('a lone surrogate in a conf value, or in a key, is a 400 naming the path', async () => {
    assertBadRequest(
      await api('POST', '/api/v1/dags/daily/dagRuns', { json: { conf: { emoji: '\ud83d' } } }),
      /field "conf\.emoji": it contains a lone UTF-16 surrogate/,
    );
    const message = assertBadRequest(
      await api('POST', '/api/v1/dags/daily/dagRuns', { json: { conf: { nested: { ['key\udc00']: 1 } } } }),
      /a key in field "conf\.nested" \("key\\udc00"\): it contains a lone UTF-16 surrogate/,
    );
    // The bad key is shown escaped, so the message itself is clean text.
    assert.doesNotMatch(message, /\udc00/);
    assertBadRequest(
      await api('POST', '/api/v1/backfills', { json: { dagId: 'daily', fromDate: '2026-01-01', toDate: '2026-01-02', dagRunConf: { x: '\u0000' } } }),
      /field "dagRunConf\.x": it contains a NUL/,
    );
    assert.equal(await runCount(), 1, 'only the run at the depth limit');
  });

  test('NUL in any other text of a body or a query string is a 400, not a database error', async () => {
    assertBadRequest(
      await api('POST', '/api/v1/backfills', { json: { dagId: 'dai\u0000ly', fromDate: '2026-01-01', toDate: '2026-01-02' } }),
      /field "dagId": it contains a NUL/,
    );
    assertBadRequest(await api('GET', '/api/v1/backfills?dagId=a%00b'), /query parameter "dagId": it contains a NUL/);
    assertBadRequest(await api('GET', '/api/v1/dags?search=%00'), /query parameter "search": it contains a NUL/);
    assertBadRequest(await api('GET', '/api/v1/dags?tags=a&tags=b%00'), /query parameter "tags\[1\]": it contains a NUL/);
  });

  test('a conf larger than the size limit is a 400 saying how big it is', async () => {
    const big = { blob: 'x'.repeat(MAX_CONF_BYTES) };
    assertBadRequest(
      await api('POST', '/api/v1/dags/daily/dagRuns', { json: { conf: big } }),
      /field "conf" is 65,547 bytes as JSON; at most 65,536 \(64 KiB\)/,
    );
    assertBadRequest(
      await api('POST', '/api/v1/backfills', { json: { dagId: 'daily', fromDate: '2026-01-01', toDate: '2026-01-02', dagRunConf: big } }),
      /field "dagRunConf" is 65,547 bytes as JSON/,
    );
  });

  test('a long dagId in a backfill body is a 400 like a long id in a path', async () => {
    assertBadRequest(
      await api('POST', '/api/v1/backfills', { json: { dagId: 'd'.repeat(100_000), fromDate: '2026-01-01', toDate: '2026-01-02' } }),
      /field "dagId" must be at most 250 characters/,
    );
  });

  test('a clear naming a long run id or task id, or too many task ids, is a 400 (not echoed back in a 404)', async () => {
    const clear = (json: object) => api('POST', '/api/v1/dags/daily/clearTaskInstances', { json });
    assertBadRequest(await clear({ dagRunId: 'r'.repeat(100_000) }), /field "dagRunId" must be at most 250 characters/);
    assertBadRequest(await clear({ dagRunId: 'run', taskIds: ['t'.repeat(100_000)] }), /field "taskIds\[0\]" must be at most 250 characters/);
    assertBadRequest(
      await clear({ dagRunId: 'run', taskIds: Array.from({ length: 10_001 }, (_, i) => `t${i}`) }),
      /field "taskIds" must name at most 10,000 task ids/,
    );
  });

  test(`a backfill over more than ${MAX_BACKFILL_INTERVALS} intervals is a 400 with the count and where to split, and creates nothing`, async () => {
    const body = { dagId: 'every_minute', fromDate: '2026-01-01T00:00:00Z', toDate: '2026-12-31T00:00:00Z' };
    const message = assertBadRequest(await api('POST', '/api/v1/backfills', { json: body }), /524,161 intervals/);
    assert.match(message, /at most 100,000/);
    // The 100,000th interval starts 99,999 minutes (69 days, 10:39) after the first.
    assert.match(message, /2026-03-11T10:39:00\.000Z/);
    assert.match(message, /2026-03-11T10:40:00\.000Z/);
    assertBadRequest(await api('POST', '/api/v1/backfills', { json: { ...body, dryRun: true } }), /524,161 intervals/);
    // A range too long to count to the end still gets an answer: at least how many, and where to split.
    const ages = await api('POST', '/api/v1/backfills', { json: { ...body, fromDate: '2000-01-01', toDate: '9999-12-31' } });
    assertBadRequest(ages, /more than 100,000 intervals/);
    assert.equal(await runCount(), 1);
    assert.equal(Number((await fx.db.query<{ n: string }>('SELECT count(*) AS n FROM backfills')).rows[0]!.n), 0);
  });

  test('a dry run over two months of a per-minute schedule answers one page and the total', async () => {
    const body = { dagId: 'every_minute', fromDate: '2026-01-01T00:00:00Z', toDate: '2026-03-01T00:00:00Z', dryRun: true };
    const total = 59 * 1440 + 1;
    const first = await api<DryRun>('POST', '/api/v1/backfills', { json: body });
    assert.equal(first.status, 200, first.text.slice(0, 500));
    assert.equal(first.body.dryRun, true);
    assert.deepEqual(first.body.dagRunIds, []);
    assert.equal(first.body.totalEntries, total);
    assert.deepEqual(first.body.planCounts, { create: total, reprocess: 0, skip: 0 });
    assert.equal(first.body.intervals.length, DRY_RUN_PAGE_LIMIT);
    assert.equal(first.body.intervals[0]!.logicalDate, '2026-01-01T00:00:00.000Z');
    assert.ok(first.text.length < 500_000, `a bounded answer, not ${first.text.length} bytes`);

    const last = await api<DryRun>('POST', `/api/v1/backfills?offset=${total - 2}&limit=10`, { json: body });
    assert.equal(last.status, 200, last.text.slice(0, 500));
    assert.equal(last.body.totalEntries, total);
    assert.deepEqual(last.body.intervals.map((i) => i.logicalDate), ['2026-02-28T23:59:00.000Z', '2026-03-01T00:00:00.000Z']);

    assertBadRequest(await api('POST', '/api/v1/backfills?limit=5000', { json: body }), /query parameter "limit" must be an integer from 1 to 1000/);
    assertBadRequest(await api('POST', '/api/v1/backfills?limit=5', { json: { ...body, dryRun: false } }), /only a dry run .*limit/);
  });

  test('the server still answers after all of that', async () => {
    const health = await api('GET', '/api/v1/dags/daily');
    assert.equal(health.status, 200, health.text);
    const run = await api('POST', '/api/v1/dags/daily/dagRuns', { json: { conf: { ok: 'fine ✓ 🙂' } } });
    assert.equal(run.status, 201, run.text);
    assert.deepEqual(run.body.conf, { ok: 'fine ✓ 🙂' });
  });
});
