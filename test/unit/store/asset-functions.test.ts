/**
 * The SQL that queues asset events wakes the schedulers on the channel they LISTEN on: the name is
 * written out in the SQL file (a function file has no placeholder for it), so a rename of
 * WAKE_CHANNEL must reach it, or events would wait for the scheduler's next loop.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { WAKE_CHANNEL } from '../../../src/engine/services.ts';

describe('asset_events_enqueue.sql', () => {
  it("notifies the schedulers' channel", async () => {
    const sql = await readFile(new URL('../../../src/store/functions/asset_events_enqueue.sql', import.meta.url), 'utf8');
    const channels = [...sql.matchAll(/pg_notify\('([^']+)'/g)].map((m) => m[1]);
    assert.deepEqual(channels, [WAKE_CHANNEL]);
  });
});
