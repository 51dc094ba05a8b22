import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { slack, slackMessage } from '../../../src/notifiers/slack.ts';
import { sampleContext, startHttpReceiver, type HttpReceiver } from '../../support/notification-receivers.ts';

describe('slack notifier', () => {
  let receiver: HttpReceiver;
  before(async () => (receiver = await startHttpReceiver()));
  after(() => receiver.close());
  beforeEach(() => {
    receiver.requests.length = 0;
    // What Slack's incoming webhooks answer.
    receiver.answer = { status: 200, body: 'ok' };
  });

  it('posts a message with a text fallback and blocks naming the DAG, run, task, state and error, and linking to the try', async () => {
    const c = sampleContext();
    await slack({ webhookUrl: `${receiver.base}/services/T0/B0/s3cr3t`, channel: '#alerts' })(c);
    const [request] = receiver.requests;
    assert.equal(request!.path, '/services/T0/B0/s3cr3t');
    assert.equal(request!.headers['content-type'], 'application/json');
    const message = JSON.parse(request!.body) as { text: string; channel: string; blocks: unknown[] };
    assert.equal(message.channel, '#alerts');
    assert.equal(message.text, `task_failure: orders_daily / load (run ${c.runId}): failed <${c.url}|Open in Sluice>`);
    assert.deepEqual(message.blocks, [
      { type: 'header', text: { type: 'plain_text', text: 'Task failed: orders_daily / load' } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*DAG*\norders_daily' },
          { type: 'mrkdwn', text: `*Run*\n${c.runId}` },
          { type: 'mrkdwn', text: '*Task*\nload' },
          { type: 'mrkdwn', text: '*State*\nfailed' },
          { type: 'mrkdwn', text: '*Try*\n3' },
          { type: 'mrkdwn', text: '*Logical date*\n2026-12-07T10:00:00.000Z' },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: '*Error*\n```relation "orders" does not exist```' } },
      { type: 'section', text: { type: 'mrkdwn', text: `<${c.url}|Open in Sluice>` } },
    ]);
  });

  it('fails with Slack’s own reason, never showing the webhook’s secret path', async () => {
    receiver.answer = { status: 404, body: 'no_service' };
    await assert.rejects(slack({ webhookUrl: `${receiver.base}/services/T0/B0/s3cr3t` })(sampleContext()), {
      message: `slack: POST ${receiver.base}/… answered 404 Not Found: no_service`,
    });
  });

  it('fails when Slack does not answer within its timeout', async () => {
    receiver.answer = 'hang';
    await assert.rejects(slack({ webhookUrl: `${receiver.base}/services/x`, timeout: 200 })(sampleContext()), {
      message: `slack: POST ${receiver.base}/… got no answer within 200ms`,
    });
  });

  it('describes itself by channel, else by host', () => {
    assert.equal(slack({ webhookUrl: 'https://hooks.slack.com/services/T0/B0/s3cr3t', channel: '#alerts' }).notifier.describe, 'slack → #alerts');
    assert.deepEqual(slack({ webhookUrl: 'https://hooks.slack.com/services/T0/B0/s3cr3t' }).notifier, { kind: 'slack', describe: 'slack → hooks.slack.com' });
  });

  it('refuses bad options when made, never quoting the webhook URL', () => {
    assert.throws(() => slack({ webhookUrl: undefined }), {
      message: /^slack\(\): webhookUrl is missing: pass the Slack incoming webhook's URL, e\.g\. slack\(\{ webhookUrl: process\.env\.SLACK_URL \}\)/,
    });
    assert.throws(
      () => slack({ webhookUrl: 'hooks.slack.com/services/T0/B0/s3cr3t' }),
      (error: Error) => /^slack\(\): webhookUrl is not a valid URL/.test(error.message) && !error.message.includes('s3cr3t'),
    );
    assert.throws(() => slack({ webhookUrl: 'https://hooks.slack.com/x', channel: '' }), { message: /^slack\(\): channel must be a channel name such as '#alerts'/ });
    assert.throws(() => slack({ webhookUrl: 'https://hooks.slack.com/x', chanel: '#a' } as never), { message: /unknown option "chanel"; did you mean "channel"\?/ });
  });
});

describe('slackMessage', () => {
  it('leaves out the channel, task, try and error a DAG event does not have', () => {
    const c = sampleContext({ event: 'dag_success', taskId: null, tryNumber: null, state: 'success', error: null });
    const message = slackMessage(c);
    assert.ok(!('channel' in message));
    assert.deepEqual(message.blocks[0], { type: 'header', text: { type: 'plain_text', text: 'Run succeeded: orders_daily' } });
    const fields = (message.blocks[1] as { fields: Array<{ text: string }> }).fields.map((f) => f.text.split('\n')[0]);
    assert.deepEqual(fields, ['*DAG*', '*Run*', '*State*', '*Logical date*']);
    assert.equal(message.blocks.length, 3);
  });

  it('names a mapped instance by its index, and titles a retry', () => {
    const message = slackMessage(sampleContext({ event: 'task_retry', state: 'up_for_retry', mapIndex: 4 }));
    assert.deepEqual(message.blocks[0], { type: 'header', text: { type: 'plain_text', text: 'Task will retry: orders_daily / load[4]' } });
    assert.match(message.text, /^task_retry: orders_daily \/ load\[4\] \(run /);
  });

  it('escapes what Slack reads as markup, and cuts a long error and title to Slack’s limits', () => {
    const error = `<!channel> a & b ${'e'.repeat(3_000)}`;
    const message = slackMessage(sampleContext({ error, dagId: 'd'.repeat(200) }));
    const header = (message.blocks[0] as { text: { text: string } }).text.text;
    assert.equal(header.length, 150);
    assert.ok(header.endsWith('…'));
    const errorText = (message.blocks[2] as { text: { text: string } }).text.text;
    assert.ok(errorText.startsWith('*Error*\n```&lt;!channel&gt; a &amp; b eee'), errorText.slice(0, 40));
    assert.ok(errorText.length < 1_600, String(errorText.length));
    assert.ok(errorText.endsWith('…```'));
  });
});
