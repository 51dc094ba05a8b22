/** `slack({ webhookUrl, channel? })`: a message through a Slack incoming webhook. */
import { checkOptionsObject } from '../sdk/validate.ts';
import type { CallbackContext } from '../sdk/callbacks.ts';
import { defineNotifier, type Notifier } from '../sdk/callbacks.ts';
import type { Duration } from '../sdk/options.ts';
import { checkHttpUrl, checkTimeout } from './checks.ts';
import { DEFAULT_TIMEOUT_MS, postJson } from './http.ts';
import { headline, taskLabel, truncate } from './payload.ts';

export interface SlackOptions {
  /**
   * The incoming webhook's URL (https://hooks.slack.com/services/…): a secret, never shown. As
   * webhook()'s `url`, it may be given as `process.env.X`; undefined is refused when made.
   */
  webhookUrl: string | undefined;
  /** Overrides the webhook's own channel where Slack allows it (legacy webhooks), e.g. '#alerts'. */
  channel?: string;
  /** For the whole request, answer included (default 10s). */
  timeout?: Duration;
}

// Slack's limits: a header's text is at most 150 characters and a section's 3,000; an error is
// cut well below, since a stack's first lines say what a stack's last ones do not.
const HEADER_MAX = 150;
const ERROR_MAX = 1_500;

/** The words a message leads with, by event. */
const TITLES: Record<CallbackContext['event'], string> = {
  dag_success: 'Run succeeded',
  dag_failure: 'Run failed',
  task_success: 'Task succeeded',
  task_failure: 'Task failed',
  task_retry: 'Task will retry',
};

export function slack(options: SlackOptions): Notifier {
  const given = checkOptionsObject(options, 'slack()', ['webhookUrl', 'channel', 'timeout']);
  const url = checkHttpUrl(
    given.webhookUrl,
    'slack(): webhookUrl',
    "pass the Slack incoming webhook's URL, e.g. slack({ webhookUrl: process.env.SLACK_URL }), with that variable set where DAGs are parsed and where workers run",
  );
  const channel = given.channel;
  if (channel !== undefined && (typeof channel !== 'string' || channel.trim() === '')) {
    throw new Error(`slack(): channel must be a channel name such as '#alerts', or left out to post where the webhook posts`);
  }
  const timeoutMs = checkTimeout(given.timeout, 'slack(): timeout', DEFAULT_TIMEOUT_MS);
  return defineNotifier({ kind: 'slack', describe: `slack → ${channel ?? url.host}` }, (c) =>
    postJson(url, slackMessage(c, channel), { timeoutMs, what: 'slack' }),
  );
}

/** An incoming-webhook message: `text` for notifications and old clients, `blocks` for the channel. */
export interface SlackMessage {
  text: string;
  channel?: string;
  blocks: object[];
}

export function slackMessage(c: CallbackContext, channel?: string): SlackMessage {
  const task = taskLabel(c);
  const title = `${TITLES[c.event]}: ${c.dagId}${task === null ? '' : ` / ${task}`}`;
  const fields = [
    field('DAG', c.dagId),
    field('Run', c.runId),
    ...(task === null ? [] : [field('Task', task)]),
    field('State', c.state),
    ...(c.tryNumber === null ? [] : [field('Try', String(c.tryNumber))]),
    field('Logical date', c.logicalDate.toISOString()),
  ];
  const blocks: object[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, HEADER_MAX) } },
    { type: 'section', fields },
  ];
  if (c.error !== null) {
    // Inside a code block the error keeps its line breaks and Slack formats none of it.
    const error = escapeMrkdwn(truncate(c.error, ERROR_MAX)).replace(/```/g, "'''");
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Error*\n\`\`\`${error}\`\`\`` } });
  }
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${c.url}|Open in Sluice>` } });
  const message: SlackMessage = { text: `${escapeMrkdwn(headline(c))}: ${c.state} <${c.url}|Open in Sluice>`, blocks };
  if (channel !== undefined) message.channel = channel;
  return message;
}

function field(name: string, value: string): object {
  return { type: 'mrkdwn', text: `*${name}*\n${escapeMrkdwn(value)}` };
}

/** Slack reads `&`, `<` and `>` as markup (links, mentions): text must escape them. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
