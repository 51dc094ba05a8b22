/** Posting JSON for the notifiers that speak HTTP (webhook, Slack): one request, bounded in time. */
import { formatDuration } from '../core/durations.ts';
import { showUrl } from './checks.ts';
import { fetchFailureReason } from '../core/fetch-failure.ts';

/** How much of a refusing server's answer goes into the error: enough for Slack's `invalid_payload` or a JSON error. */
const BODY_EXCERPT = 200;

/** A notifier's request may take this long unless its `timeout` option says otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface PostJsonOptions {
  /** Added to the request; `content-type` is always application/json. */
  headers?: Headers;
  /** For the whole exchange, the answer's body included. */
  timeoutMs: number;
  /** Who posts, for errors: 'webhook', 'slack'. */
  what: string;
}

/**
 * POSTs `body` as JSON to `url`. Resolves on a 2xx answer; otherwise throws an Error naming the
 * URL (without its path: see showUrl), the status and the start of the answer, so a failed
 * callback says why, e.g. `slack: POST https://hooks.slack.com/… answered 404 Not Found: no_service`.
 */
export async function postJson(url: URL, body: unknown, options: PostJsonOptions): Promise<void> {
  const target = `${options.what}: POST ${showUrl(url)}`;
  const headers = new Headers(options.headers);
  headers.set('content-type', 'application/json');
  // One signal for the request and the reading of the answer: a server that answers its headers
  // and then stalls the body would otherwise hold the callback forever.
  const signal = AbortSignal.timeout(options.timeoutMs);
  let status: number;
  let statusText: string;
  let text: string;
  try {
    // A redirect is answered, not followed: fetch would follow a 301 or 302 with a GET and no
    // body, and the notification would be lost while the callback succeeds.
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal, redirect: 'manual' });
    ({ status, statusText } = response);
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw new Error(`${target} got no answer within ${formatDuration(options.timeoutMs)}`, { cause: error });
    throw new Error(`${target} failed: ${fetchFailureReason(error)}`, { cause: error });
  }
  if (status >= 200 && status < 300) return;
  const excerpt = text.replace(/\s+/g, ' ').trim();
  const shown = excerpt.length > BODY_EXCERPT ? `${excerpt.slice(0, BODY_EXCERPT)}…` : excerpt;
  throw new Error(`${target} answered ${status}${statusText ? ` ${statusText}` : ''}${shown ? `: ${shown}` : ' with no body'}`);
}

