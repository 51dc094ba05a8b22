/**
 * d.sensor: its options (checked, with defaults), its spec, and the function it wraps the check
 * in: "not yet" is a RescheduleTask in reschedule mode and a wait inside the try in poke mode;
 * a timeout since the try's first check fails (FailTask) or skips (softFail); exponentialBackoff
 * doubles the wait. `sluice dags test` runs a sensor's checks until it passes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dag } from '../../../src/sdk/dag.ts';
import type { TaskContext } from '../../../src/sdk/context.ts';
import { isFailTask, isRescheduleTask, isSkipTask, RescheduleTask } from '../../../src/sdk/errors.ts';
import { MAX_BACKOFF_MS, pokeWaitMs } from '../../../src/sdk/sensor.ts';
import type { SensorSpec } from '../../../src/core/spec.ts';
import { runDagLocally } from '../../../workers/local-run.ts';
import { rejects } from '../../support/dag-asserts.ts';
import { taskContext } from '../../support/task-context.ts';
import { envSecrets } from '../../support/env-secrets.ts';

const ctx = (over: Partial<TaskContext> = {}): TaskContext => taskContext({ tryStartDate: new Date(), ...over });

async function thrown(promise: unknown): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the sensor to throw');
}

describe('d.sensor', () => {
  it('has defaults, and its settings are in the spec (absent for other tasks)', () => {
    const d = dag('d');
    d.sensor('wait', async () => true);
    d.sensor('fast', { pokeInterval: '5s', timeout: '10m', mode: 'poke', softFail: true, exponentialBackoff: true, retries: 2 }, async () => true);
    d.task('plain', async () => 1);
    const spec = d.toSpec();
    const byId = Object.fromEntries(spec.tasks.map((t) => [t.taskId, t]));
    assert.deepEqual(byId.wait!.sensor, { mode: 'reschedule', pokeIntervalMs: 60_000, timeoutMs: 7 * 24 * 3600_000, softFail: false, exponentialBackoff: false });
    assert.deepEqual(byId.fast!.sensor, { mode: 'poke', pokeIntervalMs: 5000, timeoutMs: 600_000, softFail: true, exponentialBackoff: true });
    assert.equal(byId.fast!.retries, 2, 'task options apply to a sensor');
    assert.equal('sensor' in byId.plain!, false);
  });

  it('refuses bad options, naming the option and the fix', () => {
    rejects(() => dag('d').sensor('s', { mode: 'wait' as never }, async () => true), /option "mode" of sensor "s" must be 'reschedule' .* or 'poke'/);
    rejects(() => dag('d').sensor('s', { pokeInterval: '0s' }, async () => true), /option "pokeInterval" of sensor "s" must be longer than 0/);
    rejects(() => dag('d').sensor('s', { timeout: 'soon' }, async () => true), /option "timeout" of sensor "s".*is not a duration/);
    rejects(() => dag('d').sensor('s', { softFail: 'yes' as never }, async () => true), /option "softFail" of sensor "s"/);
    rejects(() => dag('d').sensor('s', { pokeInterval: '1s' } as never, undefined as never), /task "s" has no function; write d\.sensor\('s'/);
    rejects(() => dag('d').task('t', { pokeInterval: '1s' } as never, async () => 1), /pokeInterval/);
  });

  it('works in groups, with the group prefix', () => {
    const d = dag('d');
    const s = d.group('g').sensor('wait', { pokeInterval: '1s' }, async () => 'x');
    assert.equal(s.taskId, 'g.wait');
    assert.equal(d.toSpec().tasks[0]!.sensor!.pokeIntervalMs, 1000);
  });

  it('returns the check\'s answer when done; a falsy one reschedules by pokeInterval', async () => {
    const d = dag('d');
    const answers: unknown[] = [false, null, undefined, 0, '', { key: 'k' }];
    const s = d.sensor('s', { pokeInterval: '30s' }, async () => answers.shift());
    for (let i = 0; i < 5; i++) {
      const error = await thrown(s.fn(ctx({ rescheduleCount: i })));
      assert.ok(isRescheduleTask(error), String(error));
      assert.equal((error as RescheduleTask).delayMs, 30_000);
      assert.match((error as Error).message, new RegExp(`not yet \\(check ${i + 1}\\); checking again in 30s`));
    }
    assert.deepEqual(await s.fn(ctx()), { key: 'k' });
  });

  it('times out since the try\'s first check: fails without retries, or is skipped with softFail; never waits past the timeout', async () => {
    const d = dag('d');
    const hard = d.sensor('hard', { pokeInterval: '1m', timeout: '10m' }, async () => false);
    const soft = d.sensor('soft', { pokeInterval: '1m', timeout: '10m', softFail: true }, async () => false);
    const old = new Date(Date.now() - 11 * 60_000);
    const failed = await thrown(hard.fn(ctx({ tryStartDate: old })));
    assert.ok(isFailTask(failed));
    assert.match((failed as Error).message, /sensor "hard" timed out: its check did not pass in 11m.* \(timeout 10m/);
    assert.ok(isSkipTask(await thrown(soft.fn(ctx({ tryStartDate: old })))));
    const nearEnd = await thrown(hard.fn(ctx({ tryStartDate: new Date(Date.now() - 9.5 * 60_000) })));
    assert.ok(isRescheduleTask(nearEnd));
    assert.ok((nearEnd as RescheduleTask).delayMs <= 30_000, 'the last wait ends at the timeout');
  });

  it('doubles the wait with exponentialBackoff, up to an hour', () => {
    const sensor: SensorSpec = { mode: 'reschedule', pokeIntervalMs: 1000, timeoutMs: 1e9, softFail: false, exponentialBackoff: true };
    assert.deepEqual([0, 1, 2, 3].map((n) => pokeWaitMs(sensor, n)), [1000, 2000, 4000, 8000]);
    assert.equal(pokeWaitMs(sensor, 30), MAX_BACKOFF_MS);
    assert.equal(pokeWaitMs({ ...sensor, exponentialBackoff: false }, 5), 1000);
  });

  it('pokes inside one try in poke mode, and stops when the try is stopped', async () => {
    const d = dag('d');
    let calls = 0;
    const s = d.sensor('s', { mode: 'poke', pokeInterval: 5 }, async () => ++calls >= 3 && 'ok');
    assert.equal(await s.fn(ctx()), 'ok');
    assert.equal(calls, 3);
    const stop = new AbortController();
    const never = d.sensor('never', { mode: 'poke', pokeInterval: '1h' }, async () => false);
    const running = never.fn(ctx({ signal: stop.signal }));
    stop.abort(new Error('stopped'));
    assert.match(String(await thrown(running)), /stopped/);
  });

  it('runs its checks in `sluice dags test` until it passes, as one try', async () => {
    const d = dag('local_sensor');
    let checks = 0;
    d.sensor('wait', { pokeInterval: '1s' }, async (c) => {
      checks++;
      return c.rescheduleCount >= 2 && { checks: c.rescheduleCount + 1 };
    });
    const result = await runDagLocally(d, d.toSpec(), {
      runId: 'manual__test',
      logicalDate: new Date(0),
      dataIntervalStart: new Date(0),
      dataIntervalEnd: new Date(0),
      conf: {},
      secrets: envSecrets(),
      onLog: () => undefined,
      sleep: async () => undefined,
    });
    assert.equal(result.state, 'success');
    assert.deepEqual(result.tasks[0]!.xcom, { checks: 3 });
    assert.equal(result.tasks[0]!.tries, 1);
    assert.equal(checks, 3);
  });
});
