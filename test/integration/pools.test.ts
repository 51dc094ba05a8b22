/**
 * Pools through the REST API and the CLI, with a real scheduler, worker and webserver: a pool's
 * occupied and queued slots are what its tasks hold and wait for; a pool made larger admits its
 * waiting tasks at once; default_pool cannot be deleted; bad input is refused with the reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Pool, PoolList } from '../../src/api/schemas/pools.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { sluice } from '../support/cli.ts';
import { Harness } from '../support/harness.ts';

/** Three tasks of pool narrow, each running until the flag file exists. */
const narrowDag = (flag: string) => `
import { existsSync } from 'node:fs';
import { dag } from 'sluice';
const d = dag('narrow_pool');
const waitForFlag = async () => { while (!existsSync(${JSON.stringify(flag)})) await new Promise((r) => setTimeout(r, 50)); };
for (const id of ['a', 'b', 'c']) d.task(id, { pool: 'narrow' }, async () => { await waitForFlag(); return id; });
export default d;
`;

describe('pools', () => {
  const h = new Harness();
  let base: string;

  before(async () => {
    await h.setUp();
    await h.writeDag('narrow.ts', narrowDag(path.join(h.dagsFolder, 'go.flag')));
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('narrow_pool');
    base = `${(await h.startWebserver()).url}/api/v1/pools`;
  });
  after(() => h.tearDown());

  // Every request that changes something says Content-Type: application/json, a DELETE too
  // (README, "Security": how Sluice tells its callers from other sites' pages).
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const pool = async (name: string) => (await (await call('GET', `/${name}`)).json()) as Pool;

  test('a pool holds back what does not fit, counted as queued; made larger, it admits them at once', async () => {
    const one = await call('PATCH', '/narrow', { slots: 1, description: 'one at a time' });
    assert.equal(one.status, 200, 'the DAG named it, so it exists at the default size');
    const run = await triggerDagRun(h.db, 'narrow_pool', {});
    await h.waitFor('one task to run and two to wait for room', async () => {
      const p = await pool('narrow');
      return p.occupiedSlots === 1 && p.queuedSlots === 2 ? true : undefined;
    });
    assert.deepEqual(await pool('narrow'), { name: 'narrow', slots: 1, occupiedSlots: 1, queuedSlots: 2, description: 'one at a time' });
    assert.equal((await call('PATCH', '/narrow', { slots: 3 })).status, 200);
    await h.waitFor('all three to run', async () => ((await pool('narrow')).occupiedSlots === 3 ? true : undefined));
    assert.equal((await pool('narrow')).queuedSlots, 0);
    await h.writeDag('go.flag', '');
    assert.equal((await h.waitForRunEnd('narrow_pool', run.runId)).state, 'success');
    const after = await pool('narrow');
    assert.deepEqual([after.slots, after.occupiedSlots, after.queuedSlots, after.description], [3, 0, 0, 'one at a time']);
  });

  test('create, read, list, delete; default_pool stays', async () => {
    const created = await call('POST', '', { name: 'reports', slots: 4, description: 'BI exports' });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), '/api/v1/pools/reports');
    assert.deepEqual(await created.json(), { name: 'reports', slots: 4, occupiedSlots: 0, queuedSlots: 0, description: 'BI exports' });
    const again = await call('POST', '', { name: 'reports', slots: 5 });
    assert.equal(again.status, 409);
    assert.match(((await again.json()) as { error: { message: string } }).error.message, /exists already; change its size with PATCH/);
    const list = (await (await call('GET', '')).json()) as PoolList;
    assert.deepEqual(list.pools.map((p) => p.name), ['default_pool', 'narrow', 'reports']);
    assert.equal(list.totalEntries, 3);
    const deleted = await call('DELETE', '/reports');
    assert.equal(deleted.status, 204);
    assert.equal(await deleted.text(), '');
    assert.equal((await call('GET', '/reports')).status, 404);
    assert.equal((await call('DELETE', '/reports')).status, 404);
    const keep = await call('DELETE', '/default_pool');
    assert.equal(keep.status, 409);
    assert.match(((await keep.json()) as { error: { message: string } }).error.message, /"default_pool" cannot be deleted/);
  });

  test('refuses bad input, saying what is wrong', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', '', { name: 'x', slots: -1 }, /must be 0 or more/],
      ['POST', '', { name: 'x', slots: 1.5 }, /whole number of slots/],
      ['POST', '', { name: 'has space', slots: 1 }, /letters, digits/],
      ['POST', '', { name: 'x', slots: 1, size: 2 }, /size/],
      ['PATCH', '/narrow', {}, /name what to change/],
      ['PATCH', '/narrow', { slots: 'many' }, /whole number of slots/],
    ];
    for (const [method, path, body, message] of cases) {
      const reply = await call(method, path, body);
      assert.equal(reply.status, 400, `${method} ${JSON.stringify(body)}`);
      assert.match(JSON.stringify(await reply.json()), message);
    }
    assert.equal((await call('PATCH', '/nowhere', { slots: 1 })).status, 404);
  });

  test('the CLI sets, lists and deletes pools', async () => {
    const env = h.childEnv();
    const set = await sluice(['pools', 'set', 'etl', '--slots', '2', '--description', 'loads'], env);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /pool etl: 2 slots \(0 occupied, 0 queued for\)/);
    assert.equal((await sluice(['pools', 'set', 'etl', '--slots', '6'], env)).code, 0);
    const list = await sluice(['pools', 'list', '--json'], env);
    const pools = (JSON.parse(list.stdout) as PoolList).pools;
    assert.deepEqual(pools.find((p) => p.name === 'etl'), { name: 'etl', slots: 6, occupiedSlots: 0, queuedSlots: 0, description: 'loads' });
    assert.equal((await sluice(['pools', 'delete', 'etl'], env)).code, 0);
    const missing = await sluice(['pools', 'set', 'etl'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /needs --slots N/);
    const keep = await sluice(['pools', 'delete', 'default_pool'], env);
    assert.equal(keep.code, 2);
    assert.match(keep.stderr, /cannot be deleted/);
  });
});
