/**
 * The CLI's side of the input limits: a --conf that could not be stored is bad input (exit 2,
 * one line saying where), and a backfill dry run prints a page of its dates with the total.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiFixture, dagSpec } from '../support/api-fixture.ts';
import { sluice, type CliResult } from '../support/cli.ts';

function assertUsageError(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 2, `exit 2, got ${result.code}: ${result.stderr}`);
  assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr.slice(0, 500)}`);
  assert.match(result.stderr, pattern);
}

describe('the CLI refuses unstorable --conf and pages dry runs', () => {
  const fx = new ApiFixture();
  let env: NodeJS.ProcessEnv;

  before(async () => {
    await fx.setUp();
    await fx.addDag(dagSpec('every_minute', ['a'], [], { schedule: '* * * * *' }));
    env = {
      ...process.env,
      SLUICE_DATABASE_URL: fx.config.databaseUrl,
      SLUICE_REDIS_URL: fx.config.redisUrl,
      SLUICE_QUEUE_PREFIX: fx.config.queuePrefix,
      SLUICE_LOG_LEVEL: 'warn',
    };
  });
  after(() => fx.tearDown());

  const runCount = async () => Number((await fx.db.query<{ n: string }>('SELECT count(*) AS n FROM dag_runs')).rows[0]!.n);

  test('a --conf nested 20,000 levels deep, or holding NUL or a lone surrogate, exits 2 naming where', async () => {
    const deep = `{"a": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    // Independent refusals, a process each: run side by side, then checked in order.
    const cases: [string[], RegExp][] = [
      [['dags', 'trigger', 'every_minute', '--conf', deep], /--conf is nested deeper than 64 levels at a\[0\]\[0\]/],
      // JSON escapes, as a user would type them: the parsed conf holds the characters themselves.
      [['dags', 'trigger', 'every_minute', '--conf', '{"name": "a\\u0000b"}'], /--conf at "name": it contains a NUL character/],
      [['dags', 'trigger', 'every_minute', '--conf', '{"list": ["ok", "\\ud800"]}'], /--conf at "list\[1\]": it contains a lone UTF-16 surrogate/],
      [
        ['dags', 'backfill', 'every_minute', '--from', '2026-01-01', '--to', '2026-01-02', '--conf', '{"k\\udfff": 1}'],
        /a key of --conf \("k\\udfff"\): it contains a lone UTF-16 surrogate/,
      ],
      [['dags', 'trigger', 'every_minute', '--conf', JSON.stringify({ blob: 'x'.repeat(70_000) })], /--conf is 70,011 bytes as JSON; at most 65,536/],
    ];
    const results = await Promise.all(cases.map(([args]) => sluice(args, env)));
    cases.forEach(([, pattern], i) => assertUsageError(results[i]!, pattern));
    assert.equal(await runCount(), 0);
  });

  test('a dry run prints one page of dates and the total, and --offset/--limit show the rest', async () => {
    const range = ['--from', '2026-01-01T00:00:00Z', '--to', '2026-03-01T00:00:00Z', '--dry-run'];
    const first = await sluice(['dags', 'backfill', 'every_minute', ...range], env);
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.trim().split('\n');
    assert.equal(lines.length, 2 + 1000 + 1, 'header, rule, 1,000 dates, summary');
    assert.match(lines[2]!, /^2026-01-01T00:00:00\.000Z/);
    assert.equal(lines.at(-1), '84,961 intervals: 84,961 new, 0 re-run, 0 skipped; showing 1 to 1,000 (see others with --offset N and --limit N)');

    const last = await sluice(['dags', 'backfill', 'every_minute', ...range, '--offset', '84959', '--limit', '5'], env);
    assert.equal(last.code, 0, last.stderr);
    const tail = last.stdout.trim().split('\n');
    assert.deepEqual(tail.slice(2, -1).map((l) => l.split(/\s+/)[0]), ['2026-02-28T23:59:00.000Z', '2026-03-01T00:00:00.000Z']);
    assert.match(tail.at(-1)!, /showing 84,960 to 84,961/);

    const json = await sluice(['dags', 'backfill', 'every_minute', ...range, '--limit', '3', '--json'], env);
    const body = JSON.parse(json.stdout) as { intervals: unknown[]; totalEntries: number; planCounts: Record<string, number> };
    assert.deepEqual([body.intervals.length, body.totalEntries, body.planCounts.create], [3, 84_961, 84_961]);

    assertUsageError(await sluice(['dags', 'backfill', 'every_minute', '--from', '2026-01-01', '--to', '2026-01-02', '--limit', '5'], env), /--limit and --offset page the dates of a --dry-run/);
  });

  test('a backfill over more than 100,000 intervals exits 2 with the count and creates nothing', async () => {
    const result = await sluice(['dags', 'backfill', 'every_minute', '--from', '2026-01-01', '--to', '2026-12-31'], env);
    assertUsageError(result, /holds 524,161 intervals .* at most 100,000/);
    assert.equal(await runCount(), 0);
  });
});
