import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../support/harness.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';

// Upstream pairs by outcome: s = success, f = failed, k = skipped. Where the order of the two
// outcomes decides (all_success with a failure and a skip: the first one seen wins, as in
// Airflow), the second upstream is a '2' task that ends well after the '1' tasks, so the
// expected state does not depend on which of two tries that end at once is recorded first.
const PAIRS = { sf: ['s1', 'f1'], sk: ['s1', 'k1'], fk: ['f1', 'k2'], ss: ['s1', 's2'], kk: ['k1', 'k2'], ff: ['f1', 'f2'] } as const;
type Pair = keyof typeof PAIRS;

// What each rule does with each pair, written out by hand from Airflow's semantics
// (S = the task ran and succeeded, K = skipped, U = upstream_failed).
const EXPECTED: Record<string, Record<Pair, 'S' | 'K' | 'U'>> = {
  all_success: { sf: 'U', sk: 'K', fk: 'U', ss: 'S', kk: 'K', ff: 'U' },
  all_failed: { sf: 'K', sk: 'K', fk: 'K', ss: 'K', kk: 'K', ff: 'S' },
  all_done: { sf: 'S', sk: 'S', fk: 'S', ss: 'S', kk: 'S', ff: 'S' },
  all_skipped: { sf: 'K', sk: 'K', fk: 'K', ss: 'K', kk: 'S', ff: 'K' },
  one_success: { sf: 'S', sk: 'S', fk: 'U', ss: 'S', kk: 'K', ff: 'U' },
  one_failed: { sf: 'S', sk: 'K', fk: 'S', ss: 'K', kk: 'K', ff: 'S' },
  one_done: { sf: 'S', sk: 'S', fk: 'S', ss: 'S', kk: 'K', ff: 'S' },
  none_failed: { sf: 'U', sk: 'S', fk: 'U', ss: 'S', kk: 'S', ff: 'U' },
  none_failed_min_one_success: { sf: 'U', sk: 'S', fk: 'U', ss: 'S', kk: 'K', ff: 'U' },
  none_skipped: { sf: 'S', sk: 'K', fk: 'K', ss: 'S', kk: 'K', ff: 'S' },
  always: { sf: 'S', sk: 'S', fk: 'S', ss: 'S', kk: 'S', ff: 'S' },
};
const STATE = { S: 'success', K: 'skipped', U: 'upstream_failed' } as const;

const DAG = `
import { dag, SkipTask } from 'sluice';
const d = dag('every_rule', { maxActiveTasks: 64 });
const up = {
  s1: d.task('s1', async () => 1),
  s2: d.task('s2', async () => { await new Promise((r) => setTimeout(r, 300)); return 2; }),
  f1: d.task('f1', async () => { throw new Error('f1 fails'); }),
  f2: d.task('f2', async () => { await new Promise((r) => setTimeout(r, 300)); throw new Error('f2 fails'); }),
  k1: d.task('k1', async () => { throw new SkipTask('k1 skips'); }),
  k2: d.task('k2', async () => { await new Promise((r) => setTimeout(r, 300)); throw new SkipTask('k2 skips'); }),
};
const pairs = ${JSON.stringify(PAIRS)};
for (const rule of ${JSON.stringify(Object.keys(EXPECTED))}) {
  for (const [name, [a, b]] of Object.entries(pairs)) {
    d.task(rule + '.' + name, { triggerRule: rule as never }, async () => 'ran').after([up[a], up[b]]);
  }
}
export default d;
`;

describe('every trigger rule through the real engine (counts kept by the database trigger)', () => {
  const h = new Harness({ dags: { 'every_rule.ts': DAG } });

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.startWorker({ concurrency: 16 });
    await h.waitForDag('every_rule');
  });
  after(() => h.tearDown());

  test('each rule × each pair of upstream outcomes ends in the state Airflow gives', async () => {
    const run = await triggerDagRun(h.db, 'every_rule', {});
    await h.waitForRunEnd('every_rule', run.runId, 30_000);
    const states = await h.taskStates('every_rule', run.runId);
    const wrong: string[] = [];
    for (const [rule, byPair] of Object.entries(EXPECTED)) {
      for (const [pair, expected] of Object.entries(byPair)) {
        const actual = states[`${rule}.${pair}`];
        if (actual !== STATE[expected]) wrong.push(`${rule} with ${pair}: ${actual}, expected ${STATE[expected]}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
