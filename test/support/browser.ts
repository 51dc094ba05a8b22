/**
 * Headless Chromium for the UI's end-to-end tests: Debian's browser (apt-get install -y chromium)
 * driven by playwright-core, which never downloads a browser of its own.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './harness.ts';

export const CHROMIUM_PATH = process.env.SLUICE_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Chromium's flags for headless runs here (also the benchmarks'). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Why the browser tests cannot run here, or undefined when they can. In CI (CI set) a missing
 * browser is a failure, not a skip: .ci/run installs it.
 */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `no Chromium at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" (or set SLUICE_TEST_CHROMIUM)`;
  if (process.env.CI) throw new Error(reason);
  return reason;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
}

/** Problems the page reported: uncaught errors and console errors, other than expected 404s. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 404/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/**
 * A screenshot of the page as it is: into docs/screenshots (shown in the README) when
 * UPDATE_SCREENSHOTS=1, otherwise into test/.tmp/screenshots to look at after a failure.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const folder = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(REPO_ROOT, 'docs', 'screenshots') : path.join(REPO_ROOT, 'test', '.tmp', 'screenshots');
  await mkdir(folder, { recursive: true });
  await page.screenshot({ path: path.join(folder, `${name}.png`) });
}
