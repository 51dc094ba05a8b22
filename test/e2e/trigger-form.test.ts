/**
 * The trigger form of a DAG with typed params, in real headless Chromium against a real
 * webserver, scheduler and worker: one field per param with its description and default, a bad
 * value refused beside its field before anything is sent, a required param asked for, and a run
 * made with what the form holds. It also shows the validation module runs under the UI's CSP.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { listRuns } from '../../src/store/runs.ts';
import { browserUnavailable, screenshot } from '../support/browser.ts';
import { uiSuite } from '../support/ui-suite.ts';

const FORM_DAG = `
import { dag, param } from 'sluice';
const d = dag('form_params', {
  schedule: null,
  params: {
    limit: param({ type: 'integer', default: 100, minimum: 1, description: 'rows per batch' }),
    mode: param({ type: 'string', enum: ['fast', 'safe'], default: 'fast', description: 'how careful to be' }),
    dryRun: param({ type: 'boolean', default: false, description: 'change nothing' }),
    day: param({ type: 'string', format: 'date', required: true, description: 'the day to load' }),
    at: param({ type: 'string', format: 'date-time' }),
    name: param({ type: 'string', default: 'abc', pattern: '^[a-z]+$' }),
    tags: param({ type: 'array', default: [] }),
    plain: 1,
  },
});
d.task('echo', async (ctx) => ctx.params);
export default d;
`;

const skip = browserUnavailable();

describe('the trigger form of typed params', { skip }, () => {
  const ui = uiSuite({ 'form_params.ts': FORM_DAG }, ['form_params']);
  const { h } = ui;

  const dialog = () => ui.page.locator('dialog[aria-label="Trigger form_params"]');
  const field = (name: string) => dialog().locator(`[name="param.${name}"]`);

  test('shows one field per param, of its kind, with its description and default', async () => {
    await ui.page.goto(`${ui.server.url}/`);
    await ui.page.click('button[aria-label="Trigger form_params"]');
    await dialog().waitFor();
    assert.equal(await field('limit').getAttribute('type'), 'number');
    assert.equal(await field('limit').inputValue(), '100');
    assert.equal(await field('mode').evaluate((el) => el.tagName), 'SELECT');
    assert.deepEqual(await field('mode').locator('option').allInnerTexts(), ['fast', 'safe']);
    assert.equal(await field('dryRun').getAttribute('type'), 'checkbox');
    assert.equal(await field('dryRun').isChecked(), false);
    assert.equal(await field('day').getAttribute('type'), 'date');
    assert.equal(await field('day').inputValue(), '');
    assert.equal(await field('at').getAttribute('type'), 'datetime-local');
    assert.equal(await field('name').getAttribute('type'), 'text');
    assert.equal(await field('name').inputValue(), 'abc');
    assert.equal(await field('tags').evaluate((el) => el.tagName), 'TEXTAREA');
    assert.equal(await field('tags').inputValue(), '[]');
    assert.equal(await field('plain').inputValue(), '1');
    // Each field is labelled by its param's name, and described by its description.
    assert.equal(await dialog().getByLabel('limit').getAttribute('name'), 'param.limit');
    const describedBy = await field('limit').getAttribute('aria-describedby');
    assert.equal(await ui.page.locator(`[id="${describedBy}"]`).innerText(), 'rows per batch');
    assert.equal(await dialog().locator('textarea[name="conf"]').inputValue(), '');
  });

  test('a bad value is refused beside its field before anything is sent', async () => {
    await field('limit').fill('0');
    const error = dialog().locator('.field-error', { hasText: 'limit must be >= 1, got 0' });
    await error.waitFor();
    assert.equal(await field('limit').getAttribute('aria-invalid'), 'true');
    assert.equal(await dialog().locator('button[type="submit"]').isDisabled(), true);

    await field('name').fill('ab1');
    await dialog().getByText('name must match the pattern /^[a-z]+$/, got "ab1"').waitFor();
    await field('name').fill('xyz');
    await field('limit').fill('5');
    await error.waitFor({ state: 'detached' });

    // The required day is asked for when the form is sent without it, and the field is focused.
    await dialog().locator('button[type="submit"]').click();
    await dialog().getByText('day is required: give a value').waitFor();
    assert.equal(await ui.page.evaluate(() => document.activeElement?.getAttribute('name')), 'param.day');
    assert.equal((await listRuns(h.db, 'form_params')).runs.length, 0);
    await screenshot(ui.page, 'trigger-form');
  });

  test('a filled-in form, used from the keyboard, triggers a run whose task sees the values', async () => {
    await field('day').fill('2026-03-01');
    await field('mode').focus();
    await ui.page.keyboard.press('ArrowDown');
    assert.equal(await field('mode').inputValue(), '1', 'the select moved to its second choice, safe');
    await ui.page.keyboard.press('Tab');
    assert.equal(await ui.page.evaluate(() => document.activeElement?.getAttribute('name')), 'param.dryRun');
    await ui.page.keyboard.press('Space');
    assert.equal(await field('dryRun').isChecked(), true);
    await dialog().locator('textarea[name="conf"]').fill('{"limit": 3}');
    await dialog().getByText('"limit" is a param: set it in its field above').waitFor();
    await dialog().locator('textarea[name="conf"]').fill('{"extra": {"k": [1]}}');
    await dialog().locator('button[type="submit"]').click();
    await dialog().waitFor({ state: 'detached' });
    await ui.page.getByText(/Triggered manual__/).waitFor();

    const { runs } = await listRuns(h.db, 'form_params');
    assert.equal(runs.length, 1);
    const sent = { limit: 5, mode: 'safe', dryRun: true, day: '2026-03-01', name: 'xyz', tags: [], plain: 1, extra: { k: [1] } };
    assert.deepEqual(runs[0]!.conf, sent);
    const run = await h.waitForRunEnd('form_params', runs[0]!.runId);
    assert.equal(run.state, 'success');
    const xcom = await fetch(`${ui.server.url}/api/v1/dags/form_params/dagRuns/${encodeURIComponent(run.runId)}/taskInstances/echo/xcom`);
    assert.deepEqual(((await xcom.json()) as { value: unknown }).value, sent);
    assert.deepEqual(ui.pageErrors, []);
  });
});
