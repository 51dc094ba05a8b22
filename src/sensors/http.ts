/**
 * `httpSensor({ url, check? })`: waits for an HTTP endpoint to say yes, as Airflow's HttpSensor
 * does. Without `check`, a 2xx answer is done and any other answer "not yet"; with it, its verdict
 * on the Response decides. A request that gets no answer at all (refused connection, DNS failure,
 * no answer within `timeout`) fails the try, as in Airflow, whose HttpSensor only turns answers
 * into "not yet": a wrong host or port is something waiting will not fix, and a short outage is
 * what the task's retries are for.
 */
import { checkOptionsObject } from '../sdk/validate.ts';
import { formatDuration } from '../core/durations.ts';
import { showValue } from '../core/show-value.ts';
import { checkHttpUrl, checkTimeout, showUrl } from '../notifiers/checks.ts';
import type { Duration } from '../sdk/options.ts';
import { optionalFunction, type SensorCheck } from './checks.ts';
import { fetchFailureReason } from '../core/fetch-failure.ts';

export interface HttpSensorOptions {
  /** What to GET; only its scheme, host and port are ever shown (paths and queries carry tokens). */
  url: string | undefined;
  /** Done when it returns true (it may read the body); default: a 2xx status. */
  check?: (response: Response) => boolean | Promise<boolean>;
  /** Sent with every request, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  /** For one request, answer included (default 30s). */
  timeout?: Duration;
}

export interface HttpResult {
  url: string;
  status: number;
}

const FN = 'httpSensor()';
const DEFAULT_TIMEOUT_MS = 30_000;

export function httpSensor(options: HttpSensorOptions): SensorCheck<HttpResult> {
  const given = checkOptionsObject(options, FN, ['url', 'check', 'headers', 'timeout']);
  const url = checkHttpUrl(given.url, `${FN}: url`, 'pass the URL to poll, e.g. httpSensor({ url: \'https://api.example.com/ready\' })');
  const check = optionalFunction<(response: Response) => boolean | Promise<boolean>>(given.check, `${FN}: check`, 'check: (response) => response.status === 200');
  const headers = checkHeaders(given.headers);
  const timeoutMs = checkTimeout(given.timeout, `${FN}: timeout`, DEFAULT_TIMEOUT_MS);
  const shown = showUrl(url);

  return async (ctx) => {
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
    let response: Response;
    try {
      response = await fetch(url, { headers, signal });
    } catch (error) {
      if (ctx.signal.aborted) throw new Error(`${FN}: GET ${shown} was stopped (the try was cancelled or timed out)`, { cause: error });
      if (signal.aborted) throw new Error(`${FN}: GET ${shown} got no answer within ${formatDuration(timeoutMs)}`, { cause: error });
      throw new Error(`${FN}: GET ${shown} failed: ${fetchFailureReason(error)}`, { cause: error });
    }
    try {
      const done = check ? await check(response) : response.ok;
      if (typeof done !== 'boolean') throw new Error(`${FN}: check must return true or false; it returned ${showValue(done)}`);
      if (!done) {
        ctx.log.info({ status: response.status }, `not yet: GET ${shown} answered ${response.status}${check ? ', which check refused' : ''}`);
        return null;
      }
      return { url: shown, status: response.status };
    } finally {
      // An unread body holds its connection until collected; check may have read it already.
      if (!response.bodyUsed) await response.body?.cancel().catch(() => undefined);
    }
  };
}

function checkHeaders(value: unknown): Headers {
  if (value === undefined) return new Headers();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${FN}: headers must be an object of header names to strings, e.g. { authorization: 'Bearer …' }`);
  }
  for (const [name, v] of Object.entries(value)) {
    // The value is never quoted: headers are where tokens go.
    if (typeof v !== 'string') throw new Error(`${FN}: header "${name}" must be a string; got a ${typeof v}`);
  }
  try {
    return new Headers(value as Record<string, string>);
  } catch {
    throw new Error(`${FN}: headers holds a name or value that is not valid HTTP (names are letters, digits and !#$%&'*+-.^_\`|~; values have no line breaks)`);
  }
}

