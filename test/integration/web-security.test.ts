/**
 * What a browser can be made to do to a Sluice webserver on this machine: real `sluice webserver`
 * processes (one without a token, one with), a page of another origin in headless Chromium, a
 * foreign host name resolved to 127.0.0.1 (DNS rebinding), and raw HTTP with chosen headers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { listRuns } from '../../src/store/runs.ts';
import { browserUnavailable, CHROMIUM_FLAGS, CHROMIUM_PATH, collectPageErrors } from '../support/browser.ts';
import { Harness } from '../support/harness.ts';
import { startSluice, type SluiceProcess } from '../support/sluice-process.ts';

const DAG = `
import { dag } from 'sluice';
const d = dag('manual', { schedule: null });
d.task('noop', async () => 'ok');
export default d;
`;

const TOKEN = 'web-security-test-token';

interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: { error?: { code?: string; message?: string } } | undefined;
}

/** One HTTP request with exactly these headers (fetch would not let us set Host). */
function raw(url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: hostname, port, method: options.method ?? 'GET', path: options.path, headers: { ...options.headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let json;
          if ((res.headers['content-type'] ?? '').includes('json')) json = JSON.parse(text) as RawReply['json'];
          resolve({ status: res.statusCode!, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A web page on another origin (127.0.0.2): what any site the user visits could serve. */
async function startOtherSite(pages: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const page = pages[req.url ?? ''];
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html' }).end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return {
    url: `http://127.0.0.2:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const skipBrowser = browserUnavailable();

describe('cross-site requests, DNS rebinding and security headers', () => {
  const h = new Harness({ dags: { 'manual.ts': DAG } });
  let open: SluiceProcess;
  let secured: SluiceProcess;
  let openUrl: string;
  let securedUrl: string;
  let browser: Browser | undefined;

  const runCount = async () => (await listRuns(h.db, 'manual')).runs.length;

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.waitForDag('manual');
    // warn: the refusal log lines are part of what is tested.
    const env: NodeJS.ProcessEnv = { ...h.childEnv(), SLUICE_HOST: '127.0.0.1', SLUICE_LOG_LEVEL: 'warn' };
    delete env.SLUICE_API_TOKEN;
    delete env.SLUICE_ALLOW_INSECURE;
    open = startSluice(['webserver', '--port', '0'], env);
    secured = startSluice(['webserver', '--port', '0'], { ...env, SLUICE_API_TOKEN: TOKEN });
    [openUrl, securedUrl] = await Promise.all([open.url(), secured.url()]);
  });

  after(async () => {
    await browser?.close();
    open?.killGroup();
    secured?.killGroup();
    await h.tearDown();
  });

  describe('in a browser', { skip: skipBrowser }, () => {
    before(async () => {
      // attacker.test resolves to this machine, as a rebinding DNS server would make it.
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS, '--host-resolver-rules=MAP attacker.test 127.0.0.1'] });
    });

    test('a page on another origin that auto-submits an empty form is refused and creates no run', async () => {
      const target = `${openUrl}/api/v1/dags/manual/dagRuns`;
      const site = await startOtherSite({
        '/': `<form method="POST" action="${target}"></form><script>document.forms[0].submit()</script>`,
      });
      const page = await browser!.newPage();
      try {
        const before = await runCount();
        const answer = page.waitForResponse((r) => r.url() === target);
        await page.goto(`${site.url}/`);
        const response = await answer;
        assert.equal(response.status(), 403);
        assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'forbidden');
        assert.equal(await runCount(), before, 'the cross-site form created a run');
      } finally {
        await page.close();
        await site.close();
      }
    });

    test("a page on another origin using fetch(…, {mode: 'no-cors'}) creates no run", async () => {
      const site = await startOtherSite({ '/': '<p>hello</p>' });
      const page = await browser!.newPage();
      try {
        const before = await runCount();
        await page.goto(`${site.url}/`);
        // The page cannot read the answer (an opaque one, or a network error once
        // Cross-Origin-Resource-Policy blocks it), but each request is sent and answered all the same.
        // (No named functions in here: tsx would wrap them in a helper the page does not have.)
        await page.evaluate(async (url) => {
          const inits: RequestInit[] = [
            {},
            { body: 'conf=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
            { body: '{}', headers: { 'content-type': 'text/plain' } },
            { body: '{}', headers: { 'content-type': 'application/json' } },
          ];
          for (const init of inits) await fetch(url, { method: 'POST', mode: 'no-cors', ...init }).catch(() => undefined);
        }, `${openUrl}/api/v1/dags/manual/dagRuns`);
        assert.equal(await runCount(), before, 'a no-cors fetch from another origin created a run');
      } finally {
        await page.close();
        await site.close();
      }
    });

    test('a foreign host name that resolves to 127.0.0.1 (DNS rebinding) gets neither the UI nor the API', async () => {
      const page = await browser!.newPage();
      try {
        const before = await runCount();
        const rebound = `http://attacker.test:${new URL(openUrl).port}`;
        const response = await page.goto(`${rebound}/`);
        assert.equal(response?.status(), 403);
        assert.match(await page.innerText('body'), /SLUICE_API_TOKEN/);
        // The page is now same-origin with "attacker.test": only the Host check stands in the way.
        const status = await page.evaluate(async () => {
          const res = await fetch('/api/v1/dags/manual/dagRuns', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
          return res.status;
        });
        assert.equal(status, 403);
        assert.equal(await runCount(), before, 'a request addressed to a foreign host name created a run');
      } finally {
        await page.close();
      }
    });

    test('the UI itself, under its Content-Security-Policy, still triggers a run', async () => {
      const page = await browser!.newPage();
      const errors = collectPageErrors(page);
      try {
        const before = await runCount();
        await page.goto(`${openUrl}/dags/manual`);
        await page.click('button[data-hotkey="t"]');
        const dialog = page.locator('dialog[aria-label="Trigger manual"]');
        await dialog.waitFor();
        await dialog.locator('button[type="submit"]').click();
        await page.getByText(/Triggered manual__/).waitFor();
        assert.equal(await runCount(), before + 1);
        // The grid draws with style properties set from script; a CSP violation is a console error.
        await page.locator('.grid [data-cell]').first().waitFor();
        assert.deepEqual(errors, []);
      } finally {
        await page.close();
      }
    });
  });

  describe('over plain HTTP', () => {
    const triggerPath = '/api/v1/dags/manual/dagRuns';

    test('without a token, a foreign Host is answered 403 with how to serve it, on the API and the UI', async () => {
      for (const host of ['attacker.example', `attacker.example:${new URL(openUrl).port}`, '10.0.0.5:8080', 'localhost.attacker.example']) {
        for (const path of ['/api/v1/dags', '/', '/metrics']) {
          const reply = await raw(openUrl, { path, headers: { host } });
          assert.equal(reply.status, 403, `${host} ${path}`);
          assert.equal(reply.json?.error?.code, 'forbidden', `${host} ${path}`);
          assert.match(reply.json?.error?.message ?? '', /SLUICE_API_TOKEN/);
        }
      }
      const before = await runCount();
      const post = await raw(openUrl, { method: 'POST', path: triggerPath, headers: { host: 'attacker.example', 'content-type': 'application/json' }, body: '{}' });
      assert.equal(post.status, 403);
      assert.equal(await runCount(), before);
      // The operator sees each refusal with the header that decided it.
      await h.waitFor('the refusal in the webserver log', async () =>
        open.stderr().split('\n').some((line) => /"msg":"request refused"/.test(line) && /"host":"attacker\.example"/.test(line) && /"level":40/.test(line)),
      );
    });

    test('without a token, loopback Host names are served', async () => {
      const port = new URL(openUrl).port;
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'LOCALHOST', `sluice.localhost:${port}`, '127.9.9.9', `[::1]:${port}`, '[::1]']) {
        const reply = await raw(openUrl, { path: '/api/v1/dags', headers: { host } });
        assert.equal(reply.status, 200, `${host}: ${reply.text}`);
      }
    });

    test('SLUICE_ALLOW_INSECURE=1 serves any Host without a token, and still refuses cross-site state changes', async () => {
      const env: NodeJS.ProcessEnv = { ...h.childEnv(), SLUICE_HOST: '127.0.0.1', SLUICE_ALLOW_INSECURE: '1' };
      delete env.SLUICE_API_TOKEN;
      const insecure = startSluice(['webserver', '--port', '0'], env);
      try {
        const url = await insecure.url();
        const read = await raw(url, { path: '/api/v1/dags', headers: { host: 'sluice.lan:8080' } });
        assert.equal(read.status, 200, read.text);
        const before = await runCount();
        const form = await raw(url, { method: 'POST', path: triggerPath, headers: { host: 'sluice.lan:8080', 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
        assert.equal(form.status, 400);
        const crossSite = await raw(url, {
          method: 'POST',
          path: triggerPath,
          headers: { host: 'sluice.lan:8080', 'content-type': 'application/json', origin: 'http://evil.example' },
          body: '{}',
        });
        assert.equal(crossSite.status, 403);
        assert.equal(await runCount(), before);
        const sameSite = await raw(url, {
          method: 'POST',
          path: triggerPath,
          headers: { host: 'sluice.lan:8080', 'content-type': 'application/json', origin: 'http://sluice.lan:8080' },
          body: '{}',
        });
        assert.equal(sameSite.status, 201, sameSite.text);
      } finally {
        insecure.killGroup();
      }
    });

    test('with a token, any Host is served to a caller who sends it', async () => {
      const withToken = await raw(securedUrl, { path: '/api/v1/dags', headers: { host: 'sluice.example.com', authorization: `Bearer ${TOKEN}` } });
      assert.equal(withToken.status, 200);
      const without = await raw(securedUrl, { path: '/api/v1/dags', headers: { host: 'sluice.example.com' } });
      assert.equal(without.status, 401);
    });

    test('without a token, a state change needs Content-Type: application/json, also with an empty body', async () => {
      const before = await runCount();
      for (const headers of [{} as Record<string, string>, { 'content-type': 'application/x-www-form-urlencoded' }, { 'content-type': 'text/plain' }, { 'content-type': 'multipart/form-data; boundary=x' }]) {
        const reply = await raw(openUrl, { method: 'POST', path: triggerPath, headers });
        assert.equal(reply.status, 400, JSON.stringify(headers));
        assert.match(reply.json?.error?.message ?? '', /Content-Type: application\/json/);
      }
      const cancel = await raw(openUrl, { method: 'POST', path: '/api/v1/backfills/1/cancel' });
      assert.equal(cancel.status, 400);
      assert.equal(await runCount(), before);
      // The README's curl: JSON without an Origin (not a browser) goes through, with or without a body.
      assert.equal((await raw(openUrl, { method: 'POST', path: triggerPath, headers: { 'content-type': 'application/json' } })).status, 201);
      assert.equal(await runCount(), before + 1);
    });

    test('with a token, the token alone is enough for a state change without a body', async () => {
      const before = await runCount();
      const reply = await raw(securedUrl, { method: 'POST', path: triggerPath, headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(reply.status, 201, reply.text);
      assert.equal(await runCount(), before + 1);
    });

    test('a state change with an Origin other than the address it was sent to is refused, also with a token', async () => {
      const before = await runCount();
      const json = { 'content-type': 'application/json' };
      const port = new URL(openUrl).port;
      for (const origin of ['http://127.0.0.2:1234', 'null', `https://evil.example`, `http://localhost:${port}`, 'not a url']) {
        const reply = await raw(openUrl, { method: 'POST', path: triggerPath, headers: { ...json, origin }, body: '{}' });
        assert.equal(reply.status, 403, origin);
        assert.equal(reply.json?.error?.code, 'forbidden');
      }
      const authed = await raw(securedUrl, {
        method: 'POST',
        path: triggerPath,
        headers: { ...json, authorization: `Bearer ${TOKEN}`, origin: 'http://127.0.0.2:1234' },
        body: '{}',
      });
      assert.equal(authed.status, 403);
      assert.equal(await runCount(), before);
      // The UI's own origin: the address the browser sent the request to.
      const same = await raw(openUrl, { method: 'POST', path: triggerPath, headers: { ...json, origin: openUrl, host: `127.0.0.1:${port}` }, body: '{}' });
      assert.equal(same.status, 201, same.text);
      const viaLocalhost = await raw(openUrl, { method: 'POST', path: triggerPath, headers: { ...json, origin: `http://localhost:${port}`, host: `localhost:${port}` }, body: '{}' });
      assert.equal(viaLocalhost.status, 201, viaLocalhost.text);
    });

    test('pages, API answers and refusals carry the security headers', async () => {
      const replies = [
        await raw(openUrl, { path: '/' }),
        await raw(openUrl, { path: '/api/v1/dags' }),
        await raw(openUrl, { path: '/assets/app.js' }),
        await raw(openUrl, { path: '/api/v1/dags', headers: { host: 'attacker.example' } }),
        await raw(securedUrl, { path: '/api/v1/dags' }),
      ];
      for (const reply of replies) {
        const csp = String(reply.headers['content-security-policy'] ?? '');
        assert.match(csp, /default-src 'self'/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.match(csp, /script-src 'self'(;|$)/);
        assert.doesNotMatch(csp, /https?:|\*|unsafe-inline|unsafe-eval|upgrade-insecure-requests/);
        assert.equal(reply.headers['x-content-type-options'], 'nosniff');
        assert.equal(reply.headers['referrer-policy'], 'no-referrer');
        assert.equal(reply.headers['x-frame-options'], 'DENY');
        assert.equal(reply.headers['x-powered-by'], undefined);
      }
    });
  });
});
