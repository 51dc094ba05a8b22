/**
 * `sluice/notifiers`: ready-made callbacks for DAG files, the values of the `onSuccess`,
 * `onFailure` and `onRetry` options: `onFailure: slack({ webhookUrl: process.env.SLACK_URL })`.
 * Each checks its options when it is created (while the DAG file is parsed) and sends when its
 * event happens; a notifier that cannot deliver (an answer other than 2xx, an SMTP error) throws
 * with the reason, which fails that callback's try.
 */
export { webhook, type WebhookOptions } from './webhook.ts';
export { slack, type SlackOptions } from './slack.ts';
export { email, type EmailOptions } from './email.ts';
export type { NotificationPayload } from './payload.ts';
export type { CallbackContext, Notifier, NotifierInfo, NotifierKind } from '../sdk/callbacks.ts';
