/**
 * The connections and variables pages, in real headless Chromium against a real webserver: each
 * lists what is stored, adds, edits and deletes through its dialogs, and never shows a password
 * or a secret value (nor has one in the page at all); `g c` and `g v` lead to them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import type { Webserver } from '../../src/api/server.ts';
import { requireConnection } from '../../src/engine/connections.ts';
import { SecretBox } from '../../src/engine/secret-box.ts';
import { taskSecrets } from '../../src/engine/task-secrets.ts';
import { browserUnavailable, collectPageErrors, launchBrowser, screenshot } from '../support/browser.ts';
import { Harness } from '../support/harness.ts';

const skip = browserUnavailable();
const PW = 'ui-Pa55word-9';
const TOKEN = 'ui-token-value-123';

describe('the connections and variables pages', { skip }, () => {
  // No scheduler or worker: these pages only read and change what the API stores.
  const h = new Harness({ env: { SLUICE_SECRET_KEY: randomBytes(32).toString('hex') } });
  let server: Webserver;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  const box = () => new SecretBox(h.config.secretKeys);

  before(async () => {
    await h.setUp();
    server = await h.startWebserver();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    pageErrors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await h.tearDown();
  });

  const dialog = () => page.locator('dialog[open]');

  test('a connection is added, edited and deleted; its password is never in the page', async () => {
    await page.goto(`${server.url}/`);
    await page.keyboard.press('g');
    await page.keyboard.press('c');
    await page.getByRole('heading', { name: 'Connections' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/connections');

    await page.getByRole('button', { name: 'Add connection' }).click();
    await dialog().getByLabel('Connection id').fill('warehouse');
    await dialog().getByLabel('Type').fill('postgres');
    await dialog().getByLabel('Host').fill('db.example.com');
    await dialog().getByLabel('Port').fill('5432');
    await dialog().getByLabel('Login').fill('etl');
    await dialog().getByLabel('Password').fill(PW);
    await dialog().getByLabel('Schema').fill('dw');
    await dialog().getByLabel('Extra').fill('{"sslmode": "require"}');
    await dialog().getByRole('button', { name: 'Save' }).click();
    const row = page.locator('tr[data-connection="warehouse"]');
    await row.waitFor();
    assert.deepEqual((await row.locator('td').allInnerTexts()).slice(0, 8).map((t) => t.trim()), ['warehouse', 'postgres', 'db.example.com', '5432', 'etl', '***', 'dw', '{"sslmode":"require"}']);
    await screenshot(page, 'connections');

    // Edited without typing a password: the stored one is kept.
    await row.getByRole('button', { name: 'Edit' }).click();
    assert.equal(await dialog().getByLabel('Password').inputValue(), '');
    await dialog().getByLabel('Host').fill('db2.example.com');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await row.filter({ hasText: 'db2.example.com' }).waitFor();
    const stored = await taskSecrets(() => h.db, box(), {}).connection('warehouse');
    assert.equal(stored?.password, PW);
    assert.equal(stored?.host, 'db2.example.com');
    assert.equal((await page.content()).includes(PW), false);

    // A refusal shows the API's message in the dialog, which stays open.
    await page.getByRole('button', { name: 'Add connection' }).click();
    await dialog().getByLabel('Connection id').fill('warehouse');
    await dialog().getByLabel('Type').fill('postgres');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().getByText(/connection "warehouse" exists already/).waitFor();
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    // The browser reports the refused request itself; that one is expected, and nothing else.
    assert.deepEqual(pageErrors.splice(0), ['console: Failed to load resource: the server responded with a status of 409 (Conflict)']);

    await row.getByRole('button', { name: 'Delete' }).click();
    await dialog().getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    await assert.rejects(requireConnection(h.db, box(), 'warehouse'), /there is no connection "warehouse"/);
    assert.deepEqual(pageErrors, []);
  });

  test('a secret variable shows as ***, keeps its value when edited without one, and is deleted', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('v');
    await page.getByRole('heading', { name: 'Variables' }).waitFor();
    for (const [key, value] of [['report_api_token', TOKEN], ['batch_size', '500']] as const) {
      await page.getByRole('button', { name: 'Add variable' }).click();
      await dialog().getByLabel('Key').fill(key);
      await dialog().getByLabel('Value').fill(value);
      await dialog().getByRole('button', { name: 'Save' }).click();
      await page.locator(`tr[data-variable="${key}"]`).waitFor();
    }
    const secret = page.locator('tr[data-variable="report_api_token"]');
    assert.equal((await secret.locator('td').nth(1).innerText()).trim(), '***');
    assert.equal((await page.locator('tr[data-variable="batch_size"] td').nth(1).innerText()).trim(), '500');
    await screenshot(page, 'variables');

    await secret.getByRole('button', { name: 'Edit' }).click();
    assert.equal(await dialog().getByLabel('Value').inputValue(), '');
    await dialog().getByLabel('Description').fill('for the reports API');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await secret.filter({ hasText: 'for the reports API' }).waitFor();
    assert.deepEqual(await taskSecrets(() => h.db, box(), {}).variable('report_api_token'), { value: TOKEN, secret: true });
    assert.equal((await page.content()).includes(TOKEN), false);

    await secret.getByRole('button', { name: 'Delete' }).click();
    await dialog().getByRole('button', { name: 'Delete' }).click();
    await secret.waitFor({ state: 'detached' });
    assert.equal(await taskSecrets(() => h.db, box(), {}).variable('report_api_token'), undefined);
    assert.deepEqual(pageErrors, []);
  });
});
