/**
 * The pools page, in real headless Chromium against a real webserver, scheduler and worker: each
 * pool with its slots, occupied and queued slots, following the tasks live; a pool resized in
 * place admits the tasks waiting for it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { setPool } from '../../src/store/pools.ts';
import { browserUnavailable, screenshot } from '../support/browser.ts';
import { uiSuite } from '../support/ui-suite.ts';

const skip = browserUnavailable();

describe('the pools page', { skip }, () => {
  const ui = uiSuite(
    (h) => ({
      'narrow.ts': `import { existsSync } from 'node:fs';
import { dag } from 'sluice';
const d = dag('ui_pools');
for (const id of ['a', 'b', 'c']) d.task(id, { pool: 'narrow' }, async () => { while (!existsSync(${JSON.stringify(path.join(h.dagsFolder, 'go.flag'))})) await new Promise((r) => setTimeout(r, 50)); });
export default d;
`,
    }),
    ['ui_pools'],
  );
  const { h } = ui;

  test('shows occupied and queued slots as the tasks run, and a resize admits the waiting ones', async () => {
    await setPool(h.db, 'narrow', 1, 'one at a time');
    const run = await triggerDagRun(h.db, 'ui_pools', {});
    await ui.page.goto(`${ui.server.url}/pools`);
    const row = ui.page.locator('tr[data-pool="narrow"]');
    await row.filter({ hasText: '1 / 1' }).waitFor({ timeout: 15_000 });
    assert.equal((await row.locator('td').nth(3).innerText()).trim(), '2', 'two tasks wait for room');
    assert.match(await row.innerText(), /one at a time/);
    assert.equal(await ui.page.locator('tr[data-pool="default_pool"]').count(), 1);
    await screenshot(ui.page, 'pools');

    const slots = ui.page.getByLabel('Slots of narrow');
    await slots.fill('3');
    await row.getByRole('button', { name: 'Set' }).click();
    await row.filter({ hasText: '3 / 3' }).waitFor({ timeout: 15_000 });
    assert.equal((await row.locator('td').nth(3).innerText()).trim(), '0');
    await h.writeDag('go.flag', '');
    assert.equal((await h.waitForRunEnd('ui_pools', run.runId)).state, 'success');
    await row.filter({ hasText: '0 / 3' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(ui.pageErrors, []);
  });
});
