/**
 * Users and roles in the UI, in real headless Chromium against a webserver with SLUICE_API_TOKENS:
 * the header names the user and role; a viewer sees no trigger, backfill, clear, mark or pause
 * controls; an operator does, and what they change shows in the DAG's audit log, by name.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startWebserver } from '../../src/api/server.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { browserUnavailable, collectPageErrors } from '../support/browser.ts';
import { uiSuite } from '../support/ui-suite.ts';

const skip = browserUnavailable();

describe('users and roles in the UI', { skip }, () => {
  const ui = uiSuite(
    { 'roles.ts': `import { dag } from 'sluice';\nconst d = dag('ui_roles');\nd.task('only', async () => 1);\nexport default d;\n` },
    ['ui_roles'],
  );
  const { h } = ui;

  /** What the signed-in tabs reported after signing in (the 401 that asks for the token is expected). */
  const errors: string[] = [];

  /** A tab of its own (its own session storage), signed in with `token`. */
  async function signedIn(url: string, token: string, role: string): Promise<Page> {
    const context = await ui.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const tab = await context.newPage();
    await tab.goto(`${url}/`);
    await tab.locator('input[name="token"]').fill(token);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.locator(`header [data-role="${role}"]`).waitFor();
    const reported = collectPageErrors(tab);
    tab.on('close', () => errors.push(...reported));
    return tab;
  }

  test('a viewer sees no trigger, clear, mark or pause controls; an operator does, and the audit log names them', async () => {
    const run = await triggerDagRun(h.db, 'ui_roles', { actor: 'ci' });
    const server = await startWebserver(
      {
        services: h.services,
        redis: h.redis,
        config: {
          ...h.config,
          apiTokens: [
            { name: 'dash', token: 'tok-dash', role: 'viewer' },
            { name: 'ci', token: 'tok-ci', role: 'operator' },
          ],
        },
      },
      { host: '127.0.0.1', port: 0 },
    );
    try {
      const viewer = await signedIn(server.url, 'tok-dash', 'viewer');
      assert.equal((await viewer.locator('header .who').innerText()).trim(), 'dash · viewer');
      const row = viewer.locator('tr[data-dag-id="ui_roles"]');
      await row.waitFor();
      assert.equal(await row.getByRole('button', { name: 'Trigger ui_roles' }).count(), 0);
      assert.equal(await row.getByRole('switch').count(), 0);
      assert.equal(await row.getByRole('img', { name: 'ui_roles is active' }).count(), 1, 'the state shows, as a picture');

      await viewer.goto(`${server.url}/dags/ui_roles/runs/${encodeURIComponent(run.runId)}`);
      await viewer.locator('tr[data-task-id="only"]').waitFor();
      for (const name of [/Trigger/, /Backfill/, /Clear/, /Mark/]) assert.equal(await viewer.getByRole('button', { name }).count(), 0, String(name));

      await viewer.goto(`${server.url}/dags/ui_roles/audit`);
      const entry = viewer.locator('tr[data-audit-action="trigger"]');
      await entry.waitFor();
      assert.equal(await entry.getAttribute('data-actor'), 'ci');
      assert.equal(await viewer.getByRole('button', { name: /Trigger/ }).count(), 0);

      const operator = await signedIn(server.url, 'tok-ci', 'operator');
      await operator.goto(`${server.url}/dags/ui_roles/runs/${encodeURIComponent(run.runId)}`);
      await operator.getByRole('button', { name: 'Clear run…' }).waitFor();
      assert.equal(await operator.getByRole('button', { name: 'Mark only failed' }).count(), 1);
      await operator.goto(`${server.url}/dags/ui_roles/audit`);
      await operator.getByRole('button', { name: /Trigger/ }).waitFor();
      await operator.getByRole('switch').click();
      const paused = operator.locator('tr[data-audit-action="pause"]');
      await paused.waitFor();
      assert.equal(await paused.getAttribute('data-actor'), 'ci');
      await operator.goto(`${server.url}/pools`);
      await operator.locator('tr[data-pool="default_pool"]').waitFor();
      assert.equal(await operator.getByLabel('Slots of default_pool').count(), 0, 'only an admin edits pools');
      await viewer.context().close();
      await operator.context().close();
      assert.deepEqual(errors, []);
    } finally {
      await server.close();
    }
  });
});
