/**
 * What most browser tests start with: a harness with the given DAGs, a scheduler, a worker and a
 * webserver, the DAGs parsed, and one page of a new headless Chromium (1400 × 1000) whose errors
 * are collected. Registers the suite's before and after hooks; the fields are set once `before`
 * has run.
 */
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Webserver } from '../../src/api/server.ts';
import { collectPageErrors, launchBrowser } from './browser.ts';
import { Harness } from './harness.ts';

export interface UiSuite {
  readonly h: Harness;
  server: Webserver;
  browser: Browser;
  page: Page;
  /** What the page reported (uncaught errors, console errors); a test ends expecting none. */
  pageErrors: string[];
}

/**
 * Call inside a describe: `dags` are DAG files by name (or made from the harness, for a file that
 * names a path in its DAGs folder), `dagIds` the DAGs to wait for.
 */
export function uiSuite(dags: Record<string, string> | ((h: Harness) => Record<string, string>), dagIds: readonly string[]): UiSuite {
  const suite = { h: new Harness(typeof dags === 'function' ? {} : { dags }) } as UiSuite;
  let launching: Promise<Browser> | undefined;
  before(async () => {
    const { h } = suite;
    // Chromium starts while the database, the engine and the DAGs get ready: neither waits on the other.
    launching = launchBrowser();
    launching.catch(() => undefined); // its failure is reported where it is awaited, not as an unhandled rejection meanwhile
    await h.setUp();
    if (typeof dags === 'function') for (const [name, source] of Object.entries(dags(h))) await h.writeDag(name, source);
    await h.startScheduler();
    await h.startWorker();
    for (const dagId of dagIds) await h.waitForDag(dagId);
    suite.server = await h.startWebserver();
    suite.browser = await launching;
    suite.page = await suite.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    suite.pageErrors = collectPageErrors(suite.page);
  });
  after(async () => {
    // Also a browser launched for a setup that failed before it was handed over.
    await (await launching?.catch(() => undefined))?.close();
    await suite.h.tearDown();
  });
  return suite;
}
