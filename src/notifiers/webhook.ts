/** `webhook({ url, headers? })`: POSTs the event as JSON to any HTTP endpoint. */
import { checkOptionsObject } from '../sdk/validate.ts';
import type { Duration } from '../sdk/options.ts';
import { defineNotifier, type Notifier } from '../sdk/callbacks.ts';
import { checkHttpUrl, checkTimeout } from './checks.ts';
import { DEFAULT_TIMEOUT_MS, postJson } from './http.ts';
import { notificationPayload } from './payload.ts';

export interface WebhookOptions {
  /**
   * Where to POST; its path and query are never shown (they often carry a token). Typed to take
   * `process.env.X` as it is: undefined (the variable unset) is refused when the notifier is made.
   */
  url: string | undefined;
  /** Sent with every request, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  /** For the whole request, answer included (default 10s). */
  timeout?: Duration;
}

/**
 * A notifier that POSTs `{event, dagId, runId, taskId, mapIndex, tryNumber, state, error,
 * logicalDate, url}` (notificationPayload) with `content-type: application/json`. An answer
 * other than 2xx, no answer within the timeout, or a connection error fails the callback's try.
 */
export function webhook(options: WebhookOptions): Notifier {
  const given = checkOptionsObject(options, 'webhook()', ['url', 'headers', 'timeout']);
  const url = checkHttpUrl(given.url, 'webhook(): url', "pass the endpoint to POST to, e.g. webhook({ url: process.env.ALERTS_WEBHOOK_URL }), with that variable set where DAGs are parsed and where workers run");
  const headers = checkHeaders(given.headers);
  const timeoutMs = checkTimeout(given.timeout, 'webhook(): timeout', DEFAULT_TIMEOUT_MS);
  return defineNotifier({ kind: 'webhook', describe: `webhook → ${url.host}` }, (c) =>
    postJson(url, notificationPayload(c), { headers, timeoutMs, what: 'webhook' }),
  );
}

/** The headers option as fetch will send it; fetch's own check, run now, names a bad header. */
function checkHeaders(value: unknown): Headers {
  if (value === undefined) return new Headers();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error("webhook(): headers must be an object of header names to strings, e.g. { authorization: 'Bearer …' }");
  }
  for (const [name, v] of Object.entries(value)) {
    // The value is never quoted: headers are where tokens go.
    if (typeof v !== 'string') throw new Error(`webhook(): header "${name}" must be a string; got a ${typeof v}`);
  }
  try {
    return new Headers(value as Record<string, string>);
  } catch {
    const bad = Object.entries(value as Record<string, string>).find(([name, v]) => !isValidHeader(name, v));
    throw new Error(`webhook(): header "${bad?.[0] ?? '?'}" is not a valid HTTP header: names are letters, digits and !#$%&'*+-.^_\`|~, and values have no line breaks`);
  }
}

function isValidHeader(name: string, value: string): boolean {
  try {
    new Headers([[name, value]]);
    return true;
  } catch {
    return false;
  }
}
