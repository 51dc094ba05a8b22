import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { outcomeOfTry } from '../../src/core/try-outcome.ts';
import { planFor } from '../../src/engine/backfill.ts';
import { jobIdFor, queueNameForPool } from '../../src/queue/jobs.ts';
import { formatLine, formatLog } from '../../src/log-format.ts';
import { dateFlag, intFlag, jsonObjectFlag, parse, UsageError } from '../../src/cli/args.ts';
import { loadConfig } from '../../src/config.ts';
import { heapGrowthFlag } from '../../workers/heap.ts';

const policy = { retryDelayMs: 1000, retryExponentialBackoff: true, maxRetryDelayMs: 3000 };
const now = new Date('2026-01-01T00:00:00Z');

describe('outcomeOfTry: the one place that decides on retries', () => {
  test('a failure with tries left is up for retry after the backoff delay, capped', () => {
    const fail = { kind: 'failed', error: 'x', retryable: true } as const;
    assert.deepEqual(outcomeOfTry(policy, 1, 4, fail, now), { state: 'up_for_retry', error: 'x', nextTryAt: new Date(now.getTime() + 1000) });
    assert.equal(outcomeOfTry(policy, 2, 4, fail, now).nextTryAt!.getTime() - now.getTime(), 2000);
    assert.equal(outcomeOfTry(policy, 3, 4, fail, now).nextTryAt!.getTime() - now.getTime(), 3000);
    assert.deepEqual(outcomeOfTry(policy, 4, 4, fail, now), { state: 'failed', error: 'x', nextTryAt: null });
  });
  test('FailTask (not retryable) fails at once; success and skip are final', () => {
    assert.equal(outcomeOfTry(policy, 1, 9, { kind: 'failed', error: 'no', retryable: false }, now).state, 'failed');
    assert.equal(outcomeOfTry(policy, 1, 9, { kind: 'success' }, now).state, 'success');
    assert.deepEqual(outcomeOfTry(policy, 1, 9, { kind: 'skipped', reason: 'weekend' }, now), { state: 'skipped', error: 'weekend', nextTryAt: null });
  });
});

describe('backfill reprocess behaviours', () => {
  const table: [string | undefined, 'none' | 'failed' | 'completed', string][] = [
    [undefined, 'none', 'create'], [undefined, 'completed', 'create'],
    ['success', 'none', 'skip'], ['failed', 'none', 'skip'],
    ['success', 'failed', 'skip'], ['failed', 'failed', 'reprocess'],
    ['success', 'completed', 'reprocess'], ['failed', 'completed', 'reprocess'],
    ['queued', 'completed', 'skip'], ['running', 'completed', 'skip'], ['running', 'failed', 'skip'],
  ];
  for (const [existing, behaviour, plan] of table) {
    test(`${existing ?? 'no run'} with ${behaviour} → ${plan}`, () => assert.equal(planFor(existing, behaviour), plan));
  }
});

describe('job ids and queue names', () => {
  test('are deterministic, distinct per try, and free of ":" (BullMQ forbids it)', () => {
    const m = { dagId: 'd', runId: 'manual__2026-01-01T00:00:00.000Z', taskId: 't.1', tryNumber: 2 };
    assert.equal(jobIdFor(m), jobIdFor({ ...m }));
    assert.notEqual(jobIdFor(m), jobIdFor({ ...m, tryNumber: 3 }));
    assert.ok(!jobIdFor(m).includes(':'));
    assert.ok(!queueNameForPool('a:b').includes(':'));
  });
});

describe('task log formatting', () => {
  test('turns pino lines into readable text with fields and stacks', () => {
    const line = JSON.stringify({ level: 30, time: '2026-01-01T00:00:00.000Z', msg: 'loading', rows: 42, table: 'orders x' });
    assert.equal(formatLine(line), '2026-01-01T00:00:00.000Z INFO loading rows=42 table="orders x"');
    const err = JSON.stringify({ level: 50, time: 0, msg: 'failed', err: { message: 'boom', stack: 'Error: boom\n    at f (x.ts:1:1)' } });
    assert.match(formatLine(err), /ERROR failed\n {4}Error: boom\n {4}at f/);
    assert.equal(formatLog('not json\n\n'), 'not json\n');
  });
});

describe('CLI flag parsing', () => {
  test('unknown flags, missing and extra arguments are usage errors naming them', () => {
    assert.throws(() => parse(['--nope'], {}, [], 'dags list'), (e: Error) => e instanceof UsageError && /--nope/.test(e.message));
    assert.throws(() => parse([], {}, ['dag'], 'dags show'), /missing <dag>/);
    assert.throws(() => parse(['a', 'b'], {}, ['dag'], 'dags show'), /unexpected argument "b"/);
    assert.equal(parse(['x', '--json'], {}, ['dag'], 'dags show').json, true);
  });
  test('numbers, dates and JSON objects are checked', () => {
    assert.equal(intFlag('4', '--n', 1, 9), 4);
    assert.equal(intFlag(undefined, '--n', 1, 9), 9);
    assert.throws(() => intFlag('0', '--n', 1, 9), /at least 1/);
    assert.throws(() => intFlag('2.5', '--n', 1, 9), /whole number/);
    assert.equal(dateFlag('2026-01-02', '--from').toISOString(), '2026-01-02T00:00:00.000Z');
    assert.equal(dateFlag('2026-01-02T03:04:05', '--from').toISOString(), '2026-01-02T03:04:05.000Z');
    assert.equal(dateFlag('2026-01-02T03:04:05+02:00', '--from').toISOString(), '2026-01-02T01:04:05.000Z');
    assert.throws(() => dateFlag('yesterday', '--from'), /ISO 8601/);
    assert.throws(() => dateFlag('2026-13-45', '--from'), /not a real date/);
    assert.deepEqual(jsonObjectFlag('{"a":1}', '--conf'), { a: 1 });
    assert.throws(() => jsonObjectFlag('[1]', '--conf'), /JSON object/);
    assert.throws(() => jsonObjectFlag('{', '--conf'), /not valid JSON/);
  });
});

describe('configuration', () => {
  test('defaults follow the contract', () => {
    const c = loadConfig({});
    assert.equal(c.databaseUrl, 'postgres://postgres@127.0.0.1:5432/sluice');
    assert.equal(c.redisUrl, 'redis://127.0.0.1:6379/0');
    assert.equal(c.queuePrefix, 'sluice');
    assert.equal(c.dagsFolder, './dags');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.apiToken, undefined);
    assert.equal(c.taskHeartbeatTimeoutMs, 30_000);
    assert.equal(c.dagRescanIntervalMs, 5_000);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.workerHeapGrowthPercent, 30);
    assert.equal(loadConfig({ SLUICE_WORKER_HEAP_GROWTH_PERCENT: '0' }).workerHeapGrowthPercent, 0);
    assert.equal(heapGrowthFlag(30), '--heap-growing-percent=30');
    assert.equal(heapGrowthFlag(0), undefined, "0 leaves the heap to V8's own sizing");
  });
  test('bad values are rejected with the variable named', () => {
    assert.throws(() => loadConfig({ SLUICE_PORT: 'http' }), /SLUICE_PORT/);
    assert.throws(() => loadConfig({ SLUICE_TASK_HEARTBEAT_TIMEOUT: 'soon' }), /SLUICE_TASK_HEARTBEAT_TIMEOUT/);
    assert.throws(() => loadConfig({ SLUICE_LOG_LEVEL: 'loud' }), /SLUICE_LOG_LEVEL/);
    assert.throws(() => loadConfig({ SLUICE_QUEUE_PREFIX: 'a:b' }), /SLUICE_QUEUE_PREFIX/);
    for (const bad of ['-5', '30%', '1000', 'lots']) {
      assert.throws(() => loadConfig({ SLUICE_WORKER_HEAP_GROWTH_PERCENT: bad }), /SLUICE_WORKER_HEAP_GROWTH_PERCENT must be a whole number from 0 to 300/);
    }
  });
});
