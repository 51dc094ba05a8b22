import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dag } from '../../../src/sdk/dag.ts';
import { DagDefinitionError } from '../../../src/sdk/errors.ts';
import type { DagOptions, TaskOptions } from '../../../src/sdk/options.ts';
import { defineNotifier } from '../../../src/sdk/callbacks.ts';

const noop = async () => {};

/** Asserts a DagDefinitionError whose whole message is `message` (a string) or matches it. */
function rejects(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof DagDefinitionError, `expected a DagDefinitionError, got ${String(error)}`);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

describe('DAG options', () => {
  it('defaults every option', () => {
    const { tasks, ...spec } = dag('plain').toSpec();
    assert.deepEqual(tasks, []);
    assert.deepEqual(spec, {
      dagId: 'plain',
      description: '',
      schedule: null,
      timezone: 'UTC',
      startDate: null,
      endDate: null,
      catchup: false,
      maxActiveRuns: 16,
      maxActiveTasks: 16,
      isPausedUponCreation: false,
      dagrunTimeoutMs: null,
      params: {},
      tags: [],
    });
  });

  it('accepts every option', () => {
    const options: Required<DagOptions> = {
      schedule: '0 3 * * *',
      startDate: '2026-01-01T00:00:00Z',
      endDate: new Date('2026-12-31T00:00:00Z'),
      timezone: 'Europe/Berlin',
      catchup: true,
      maxActiveRuns: 2,
      maxActiveTasks: 4,
      isPausedUponCreation: true,
      dagrunTimeout: '2h',
      params: { limit: 100, nested: { list: [1, 'a', null, true] } },
      tags: ['etl', 'orders'],
      description: 'Orders into the warehouse',
      defaultArgs: { retries: 1 },
      onSuccess: () => {},
      onFailure: [() => {}, () => {}],
    };
    const { tasks: _tasks, ...spec } = dag('full', options).toSpec();
    assert.deepEqual(spec, {
      dagId: 'full',
      description: 'Orders into the warehouse',
      schedule: '0 3 * * *',
      timezone: 'Europe/Berlin',
      startDate: '2026-01-01T00:00:00.000Z',
      endDate: '2026-12-31T00:00:00.000Z',
      catchup: true,
      maxActiveRuns: 2,
      maxActiveTasks: 4,
      isPausedUponCreation: true,
      dagrunTimeoutMs: 7_200_000,
      params: { limit: 100, nested: { list: [1, 'a', null, true] } },
      tags: ['etl', 'orders'],
      callbacks: ['success', 'failure'],
    });
  });

  it('accepts the presets, null and undefined as schedule', () => {
    for (const preset of ['@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@annually']) {
      assert.equal(dag('p', { schedule: preset, startDate: '2026-01-01' }).toSpec().schedule, preset);
    }
    assert.equal(dag('p', { schedule: null }).toSpec().schedule, null);
    assert.equal(dag('p', { schedule: undefined, endDate: undefined, dagrunTimeout: undefined }).toSpec().schedule, null);
  });

  it('reads a startDate without an offset in the DAG time zone', () => {
    assert.equal(dag('p', { schedule: '@daily', startDate: '2026-01-01', timezone: 'America/New_York' }).toSpec().startDate, '2026-01-01T05:00:00.000Z');
  });

  it('copies params, so later changes to the object do not leak in', () => {
    const params = { limit: 1 };
    const d = dag('p', { params });
    params.limit = 2;
    assert.deepEqual(d.toSpec().params, { limit: 1 });
  });

  describe('rejects, saying what, where and how to fix', () => {
    it('an unknown key, with a suggestion', () => {
      rejects(
        () => dag('orders', { shedule: '@daily' } as DagOptions),
        'DAG "orders": the options of dag(): unknown option "shedule"; did you mean "schedule"? Valid DAG options: schedule, startDate, endDate, timezone, catchup, maxActiveRuns, maxActiveTasks, isPausedUponCreation, dagrunTimeout, params, tags, description, defaultArgs, onSuccess, onFailure',
      );
      rejects(() => dag('orders', { start_date: '2026-01-01' } as DagOptions), /unknown option "start_date"; did you mean "startDate"\?/);
    });

    it('an unknown key without a near miss, listing the valid keys', () => {
      rejects(() => dag('orders', { owner: 'me' } as DagOptions), /^DAG "orders": the options of dag\(\): unknown option "owner"\. Valid DAG options: schedule, /);
    });

    it('options that are not an object', () => {
      rejects(() => dag('orders', '@daily' as DagOptions), 'DAG "orders": the options of dag() must be an object of DAG options; got "@daily"');
    });

    it('a bad cron', () => {
      rejects(
        () => dag('orders', { schedule: '0 25 * * *', startDate: '2026-01-01' }),
        /^DAG "orders": option "schedule": schedule "0 25 \* \* \*" is not a valid cron expression \(.*\); use 5 fields 'minute hour day-of-month month day-of-week' \(e\.g\. '0 3 \* \* \*' for 03:00 every day\) or one of @hourly, @daily, @weekly, @monthly, @yearly$/,
      );
      rejects(() => dag('orders', { schedule: '@fortnightly', startDate: '2026-01-01' }), /option "schedule": schedule "@fortnightly" is not a known preset/);
      rejects(() => dag('orders', { schedule: 5 as unknown as string }), /option "schedule" must be a cron string like '0 3 \* \* \*', a preset like '@daily', an array of assets like \[asset\('warehouse:\/\/public\/orders'\)\], or null/);
    });

    it('a bad time zone', () => {
      rejects(
        () => dag('orders', { timezone: 'Europe/Berlinn' }),
        `DAG "orders": option "timezone": "Europe/Berlinn" is not a known IANA time zone; use a name like 'UTC', 'Europe/Berlin' or 'America/New_York'`,
      );
    });

    it('a bad date', () => {
      rejects(
        () => dag('orders', { schedule: '@daily', startDate: '2026-02-30' }),
        `DAG "orders": option "startDate": "2026-02-30" is not a real date or time; use an ISO 8601 date like '2026-01-01', '2026-01-01T06:00' or '2026-01-01T06:00:00Z', or a Date`,
      );
      rejects(() => dag('orders', { endDate: 'next year' }), /^DAG "orders": option "endDate": "next year" is not a date; use an ISO 8601 date/);
      rejects(() => dag('orders', { startDate: new Date('x') }), /option "startDate": the Date is invalid/);
    });

    it('a schedule without a startDate', () => {
      rejects(
        () => dag('orders', { schedule: '@daily' }),
        `DAG "orders": it has schedule "@daily" but no startDate; add one, e.g. startDate: '2026-01-01T00:00:00Z' (the first run covers the first interval from it)`,
      );
    });

    it('an endDate before the startDate', () => {
      rejects(() => dag('orders', { startDate: '2026-02-01', endDate: '2026-01-01' }), /option "endDate" \(2026-01-01T00:00:00\.000Z\) is before startDate \(2026-02-01T00:00:00\.000Z\)/);
    });

    it('wrong types and ranges', () => {
      rejects(() => dag('orders', { catchup: 'yes' as unknown as boolean }), 'DAG "orders": option "catchup" must be true or false; got "yes"');
      rejects(() => dag('orders', { maxActiveRuns: 0 }), 'DAG "orders": option "maxActiveRuns" must be an integer >= 1; got 0');
      rejects(() => dag('orders', { maxActiveTasks: 2.5 }), 'DAG "orders": option "maxActiveTasks" must be an integer >= 1; got 2.5');
      rejects(() => dag('orders', { isPausedUponCreation: 1 as unknown as boolean }), /option "isPausedUponCreation" must be true or false; got 1/);
      rejects(() => dag('orders', { tags: 'etl' as unknown as string[] }), `DAG "orders": option "tags" must be an array of strings, like ['etl']; got "etl"`);
      rejects(() => dag('orders', { tags: ['ok', 3 as unknown as string] }), 'DAG "orders": option "tags"[1] must be a non-empty string; got 3');
      rejects(() => dag('orders', { description: 42 as unknown as string }), 'DAG "orders": option "description" must be a string; got 42');
      rejects(() => dag('orders', { params: [] as unknown as Record<string, unknown> }), 'DAG "orders": option "params" must be an object like { limit: 100 }; got an array');
      rejects(
        () => dag('orders', { params: { when: new Date(0) } }),
        /^DAG "orders": option "params": params\.when is Date 1970-01-01T00:00:00\.000Z, which JSON cannot hold; use strings, finite numbers/,
      );
      rejects(() => dag('orders', { dagrunTimeout: '0s' }), 'DAG "orders": option "dagrunTimeout" must be longer than 0; leave it out for no timeout');
      rejects(() => dag('orders', { dagrunTimeout: 'an hour' }), /option "dagrunTimeout": "an hour" is not a duration/);
    });

    it('a bad DAG id', () => {
      rejects(() => dag('orders daily'), `DAG "orders daily": the DAG id "orders daily" may only contain letters, digits, '_', '-' and '.'; rename it, e.g. "orders_daily"`);
      rejects(() => dag(''), /the DAG id is empty/);
      rejects(() => dag(42 as unknown as string), /the DAG id must be a string; got 42/);
    });
  });
});

describe('task options', () => {
  it('defaults every option as the contract shows', () => {
    const d = dag('t');
    d.task('a', noop);
    const { taskId: _id, upstream: _u, downstream: _d, ...options } = d.toSpec().tasks[0] ?? assert.fail('no task');
    assert.deepEqual(options, {
      retries: 0,
      retryDelayMs: 30_000,
      retryExponentialBackoff: false,
      maxRetryDelayMs: 3_600_000,
      executionTimeoutMs: null,
      memoryLimitBytes: null,
      pool: 'default_pool',
      poolSlots: 1,
      queue: 'default',
      priorityWeight: 1,
      triggerRule: 'all_success',
    });
  });

  it('accepts every option, and a task overrides the DAG defaultArgs key by key', () => {
    const all: Required<TaskOptions> = {
      retries: 3,
      retryDelay: '5s',
      retryExponentialBackoff: true,
      maxRetryDelay: 60_000,
      executionTimeout: '10m',
      memoryLimit: '512MB',
      pool: 'db',
      poolSlots: 2,
      queue: 'heavy',
      priorityWeight: -5,
      triggerRule: 'none_failed_min_one_success',
      onSuccess: noop,
      onFailure: [noop],
      onRetry: noop,
    };
    const d = dag('t', { defaultArgs: all });
    d.task('inherits', noop);
    d.task('overrides', { retries: 0, pool: 'other', triggerRule: 'always', executionTimeout: null, onRetry: null }, noop);
    const [inherits, overrides] = d.toSpec().tasks;
    const expected = {
      retries: 3,
      retryDelayMs: 5_000,
      retryExponentialBackoff: true,
      maxRetryDelayMs: 60_000,
      executionTimeoutMs: 600_000,
      memoryLimitBytes: 512_000_000,
      pool: 'db',
      poolSlots: 2,
      queue: 'heavy',
      priorityWeight: -5,
      triggerRule: 'none_failed_min_one_success',
      callbacks: ['success', 'failure', 'retry'],
    };
    assert.deepEqual({ ...inherits, taskId: '', upstream: [], downstream: [] }, { taskId: '', upstream: [], downstream: [], ...expected });
    assert.deepEqual(
      { ...overrides, taskId: '', upstream: [], downstream: [] },
      { taskId: '', upstream: [], downstream: [], ...expected, retries: 0, pool: 'other', triggerRule: 'always', executionTimeoutMs: null, callbacks: ['success', 'failure'] },
    );
  });

  it('memoryLimit takes a size or bytes, at least 64MB, and null for none', () => {
    const d = dag('t', { defaultArgs: { memoryLimit: '1GiB' } });
    assert.equal(d.task('a', noop).options.memoryLimitBytes, 1_073_741_824);
    assert.equal(d.task('b', { memoryLimit: 200_000_000 }, noop).options.memoryLimitBytes, 200_000_000);
    assert.equal(d.task('c', { memoryLimit: null }, noop).options.memoryLimitBytes, null);
    assert.throws(() => d.task('d', { memoryLimit: '10MB' }, noop), /option "memoryLimit" of task "d" must be at least 64MB/);
    assert.throws(() => d.task('e', { memoryLimit: 'lots' }, noop), /"lots" is not a size/);
    assert.throws(() => d.task('f', { memoryLimit: true } as never, noop), /must be a size like '512MB'/);
  });

  it('accepts every trigger rule', () => {
    const d = dag('t');
    for (const rule of ['all_success', 'all_failed', 'all_done', 'all_skipped', 'one_success', 'one_failed', 'one_done', 'none_failed', 'none_failed_min_one_success', 'none_skipped', 'always'] as const) {
      assert.equal(d.task(rule, { triggerRule: rule }, noop).options.triggerRule, rule);
    }
  });

  describe('rejects, naming the DAG, the task and the option', () => {
    it('an unknown key, with a suggestion', () => {
      rejects(
        () => dag('orders').task('load', { retrys: 3 } as TaskOptions, noop),
        'DAG "orders": the options of task "load": unknown option "retrys"; did you mean "retries"? Valid task options: retries, retryDelay, retryExponentialBackoff, maxRetryDelay, executionTimeout, memoryLimit, pool, poolSlots, queue, priorityWeight, triggerRule, onSuccess, onFailure, onRetry, expand, maxMapLength, outlets',
      );
      rejects(() => dag('orders', { defaultArgs: { retry_delay: '5s' } as TaskOptions }), /^DAG "orders": defaultArgs: unknown option "retry_delay"; did you mean "retryDelay"\?/);
    });

    it('a bad duration', () => {
      rejects(
        () => dag('orders').task('load', { retryDelay: '5 minutes' }, noop),
        `DAG "orders": option "retryDelay" of task "load": "5 minutes" is not a duration; use a number of milliseconds or a string like '250ms', '10s', '5m', '2h', '1d'`,
      );
      rejects(() => dag('orders', { defaultArgs: { maxRetryDelay: -1 } }), /^DAG "orders": option "defaultArgs\.maxRetryDelay": -1 is negative/);
      rejects(() => dag('orders').task('load', { executionTimeout: 0 }, noop), /option "executionTimeout" of task "load" must be longer than 0/);
    });

    it('negative retries', () => {
      rejects(() => dag('orders').task('load', { retries: -1 }, noop), 'DAG "orders": option "retries" of task "load" must be an integer >= 0; got -1');
      rejects(() => dag('orders', { defaultArgs: { retries: 1.5 } }), 'DAG "orders": option "defaultArgs.retries" must be an integer >= 0; got 1.5');
    });

    it('a bad trigger rule, with a suggestion', () => {
      rejects(
        () => dag('orders').task('load', { triggerRule: 'all_sucess' as TaskOptions['triggerRule'] }, noop),
        'DAG "orders": option "triggerRule" of task "load": "all_sucess" is not a trigger rule. Did you mean "all_success"? Use one of all_success, all_failed, all_done, all_skipped, one_success, one_failed, one_done, none_failed, none_failed_min_one_success, none_skipped, always',
      );
      rejects(() => dag('orders').task('load', { triggerRule: 'whenever' as TaskOptions['triggerRule'] }, noop), /"whenever" is not a trigger rule\. Use one of all_success/);
    });

    it('wrong types and ranges', () => {
      rejects(() => dag('o').task('t', { poolSlots: 0 }, noop), 'DAG "o": option "poolSlots" of task "t" must be an integer >= 1; got 0');
      rejects(() => dag('o').task('t', { pool: '' }, noop), 'DAG "o": option "pool" of task "t" must be a non-empty string; got ""');
      rejects(() => dag('o').task('t', { queue: 7 as unknown as string }, noop), 'DAG "o": option "queue" of task "t" must be a non-empty string; got 7');
      rejects(() => dag('o').task('t', { priorityWeight: 1.5 }, noop), 'DAG "o": option "priorityWeight" of task "t" must be an integer; got 1.5');
      rejects(() => dag('o').task('t', { retryExponentialBackoff: 'no' as unknown as boolean }, noop), /option "retryExponentialBackoff" of task "t" must be true or false/);
      rejects(() => dag('o').task('t', { retries: null as unknown as number }, noop), 'DAG "o": option "retries" of task "t" must be an integer >= 0; got null');
    });
  });
});

describe('callback options', () => {
  const notifier = defineNotifier({ kind: 'webhook', describe: 'webhook → hooks.example.com' }, async () => {});
  const one = () => {};
  const two = async () => {};

  it('keeps the functions on the DAG and its tasks, and records in the spec only which events have them', () => {
    const d = dag('cb', { onSuccess: one, onFailure: [notifier, two] });
    const t = d.task('t', { onSuccess: notifier, onFailure: [one], onRetry: two }, noop);
    assert.deepEqual(d.options.callbacks, { onSuccess: [one], onFailure: [notifier, two] });
    assert.deepEqual(t.callbacks, { onSuccess: [notifier], onFailure: [one], onRetry: [two] });
    const spec = d.toSpec();
    assert.deepEqual(spec.callbacks, ['success', 'failure']);
    assert.deepEqual(spec.tasks[0]!.callbacks, ['success', 'failure', 'retry']);
    assert.ok(!JSON.stringify(spec).includes('function'), 'the spec holds no function');
    // The settings stored in the spec hold no callback.
    assert.ok(!('onFailure' in t.options));
  });

  it('leaves `callbacks` out of the spec of a DAG and a task without any, so their versions do not change', () => {
    const d = dag('plain', { onSuccess: [], onFailure: null });
    d.task('t', { onRetry: [] }, noop);
    const spec = d.toSpec();
    assert.ok(!('callbacks' in spec));
    assert.ok(!('callbacks' in spec.tasks[0]!));
  });

  it('takes them from defaultArgs, a group over the DAG, a task over its group; null or [] drops an inherited one', () => {
    const d = dag('cb', { defaultArgs: { onFailure: one, onRetry: one } });
    const g = d.group('g', { defaultArgs: { onRetry: two, onSuccess: notifier } });
    const inherits = d.task('inherits', noop);
    const inGroup = g.task('in_group', noop);
    const own = g.task('own', { onRetry: [notifier, one], onFailure: null }, noop);
    assert.deepEqual(inherits.callbacks, { onFailure: [one], onRetry: [one] });
    assert.deepEqual(inGroup.callbacks, { onSuccess: [notifier], onFailure: [one], onRetry: [two] });
    assert.deepEqual(own.callbacks, { onSuccess: [notifier], onRetry: [notifier, one] });
    const kinds = Object.fromEntries(d.toSpec().tasks.map((t) => [t.taskId, t.callbacks]));
    assert.deepEqual(kinds, { inherits: ['failure', 'retry'], 'g.in_group': ['success', 'failure', 'retry'], 'g.own': ['success', 'retry'] });
  });

  it('refuses a value that is not a function, a notifier or an array of them, naming the DAG, the option and where', () => {
    rejects(() => dag('o', { onFailure: '#alerts' as never }), 'DAG "o": option "onFailure": expected a function, a notifier or an array of them; got a string ("#alerts")');
    rejects(() => dag('o').task('t', { onRetry: [one, 3] as never }, noop), 'DAG "o": option "onRetry" of task "t"[1]: expected a function or a notifier; got a number (3)');
    rejects(() => dag('o', { defaultArgs: { onSuccess: {} as never } }), /^DAG "o": option "defaultArgs\.onSuccess": expected a function/);
    rejects(() => dag('o').group('g', { defaultArgs: { onFailure: true as never } }), /^DAG "o": option "defaultArgs\.onFailure" of group "g": expected a function/);
    // A URL is never echoed: it is most likely a webhook's secret.
    rejects(() => dag('o', { onFailure: 'https://hooks.slack.com/services/T0/B0/secret' as never }), /a string holding a URL; pass it to a notifier/);
  });

  it('has no onRetry for a DAG (a run has no tries) and suggests the right name for a misspelt one', () => {
    rejects(() => dag('o', { onRetry: one } as never), /unknown option "onRetry"/);
    rejects(() => dag('o').task('t', { onFailur: one } as never, noop), /unknown option "onFailur"; did you mean "onFailure"\?/);
  });
});
