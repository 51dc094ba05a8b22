import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { webhook } from '../../../src/notifiers/webhook.ts';
import { sampleContext, startHttpReceiver, type HttpReceiver } from '../../support/notification-receivers.ts';

describe('webhook notifier', () => {
  let receiver: HttpReceiver;
  before(async () => (receiver = await startHttpReceiver()));
  after(() => receiver.close());
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.answer = { status: 204 };
  });

  it('POSTs the event as JSON, with the headers given', async () => {
    const notify = webhook({ url: `${receiver.base}/hooks/sluice?token=s3cr3t`, headers: { Authorization: 'Bearer abc', 'X-Team': 'data' } });
    await notify(sampleContext({ mapIndex: 2 }));
    assert.equal(receiver.requests.length, 1);
    const [request] = receiver.requests;
    assert.equal(request!.method, 'POST');
    assert.equal(request!.path, '/hooks/sluice?token=s3cr3t');
    assert.equal(request!.headers['content-type'], 'application/json');
    assert.equal(request!.headers.authorization, 'Bearer abc');
    assert.equal(request!.headers['x-team'], 'data');
    assert.deepEqual(JSON.parse(request!.body), {
      event: 'task_failure',
      dagId: 'orders_daily',
      runId: 'manual__2026-12-07T10:00:00.000Z',
      taskId: 'load',
      mapIndex: 2,
      tryNumber: 3,
      state: 'failed',
      error: 'relation "orders" does not exist',
      logicalDate: '2026-12-07T10:00:00.000Z',
      url: sampleContext().url,
    });
  });

  it('sends a DAG event with no task, try or error as nulls', async () => {
    await webhook({ url: receiver.base })(sampleContext({ event: 'dag_success', taskId: null, tryNumber: null, state: 'success', error: null }));
    const body = JSON.parse(receiver.requests[0]!.body) as Record<string, unknown>;
    assert.deepEqual([body.event, body.taskId, body.mapIndex, body.tryNumber, body.error], ['dag_success', null, -1, null, null]);
  });

  it('keeps its content type even when the headers name another', async () => {
    await webhook({ url: receiver.base, headers: { 'Content-Type': 'text/plain' } })(sampleContext());
    assert.equal(receiver.requests[0]!.headers['content-type'], 'application/json');
  });

  it('fails on an answer other than 2xx, naming the URL without its secret, the status and the answer', async () => {
    receiver.answer = { status: 503, body: `{"error": "maintenance"}\n${'x'.repeat(500)}` };
    const notify = webhook({ url: `${receiver.base}/hooks/T0/s3cr3t` });
    await assert.rejects(notify(sampleContext()), (error: Error) => {
      assert.match(error.message, new RegExp(`^webhook: POST ${receiver.base}/… answered 503 Service Unavailable: \\{"error": "maintenance"\\} x+…$`));
      assert.ok(!error.message.includes('s3cr3t'));
      // The answer is cut at 200 characters.
      assert.ok(error.message.length < 300, error.message);
      return true;
    });
  });

  it('fails on a redirect rather than following it and losing the body', async () => {
    receiver.answer = { status: 302, headers: { location: '/elsewhere' } };
    await assert.rejects(webhook({ url: receiver.base })(sampleContext()), { message: `webhook: POST ${receiver.base} answered 302 Found with no body` });
    assert.equal(receiver.requests.length, 1);
  });

  it('fails when no answer comes within its timeout', async () => {
    receiver.answer = 'hang';
    const started = Date.now();
    await assert.rejects(webhook({ url: `${receiver.base}/slow`, timeout: '300ms' })(sampleContext()), {
      message: `webhook: POST ${receiver.base}/… got no answer within 300ms`,
    });
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 5_000, `took ${took} ms`);
  });

  it('fails with the reason when nothing listens', async () => {
    const closed = await startHttpReceiver();
    await closed.close();
    await assert.rejects(webhook({ url: closed.base })(sampleContext()), {
      message: new RegExp(`^webhook: POST ${closed.base} failed: .*ECONNREFUSED`),
    });
  });

  it('describes itself by host only', () => {
    const notify = webhook({ url: 'https://hooks.example.com:8443/v1/T0/s3cr3t?key=abc' });
    assert.deepEqual(notify.notifier, { kind: 'webhook', describe: 'webhook → hooks.example.com:8443' });
  });
});

describe('webhook options, checked when the notifier is made', () => {
  const refused: Array<[string, unknown, RegExp]> = [
    ['no options', undefined, /^webhook\(\) takes an options object, e\.g\. webhook\(\{ url: … \}\); got undefined$/],
    ['an unknown option', { url: 'https://x.example', header: {} }, /unknown option "header"; did you mean "headers"\?/],
    ['an unset URL (an environment variable missing)', { url: undefined }, /^webhook\(\): url is missing: pass the endpoint to POST to, e\.g\. webhook\(\{ url: process\.env\./],
    ['a URL without a scheme', { url: 'hooks.example.com/s3cr3t' }, /^webhook\(\): url is not a valid URL/],
    ['a URL of another scheme', { url: 'ftp://example.com/s3cr3t' }, /^webhook\(\): url must be an http:\/\/ or https:\/\/ URL; got a ftp:\/\/ URL$/],
    ['headers that are not an object', { url: 'https://x.example', headers: 'Bearer s3cr3t' }, /^webhook\(\): headers must be an object/],
    ['a header value that is not a string', { url: 'https://x.example', headers: { 'x-retries': 3 } }, /^webhook\(\): header "x-retries" must be a string; got a number$/],
    ['a bad header name', { url: 'https://x.example', headers: { 'x team': 's3cr3t' } }, /^webhook\(\): header "x team" is not a valid HTTP header/],
    ['a bad timeout', { url: 'https://x.example', timeout: '10' }, /^webhook\(\): timeout: "10" has no unit/],
  ];
  for (const [what, options, message] of refused) {
    it(`refuses ${what}, never quoting a secret`, () => {
      assert.throws(
        () => webhook(options as never),
        (error: Error) => message.test(error.message) && !error.message.includes('s3cr3t'),
      );
    });
  }
});
