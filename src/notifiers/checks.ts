/**
 * Checks of notifier options, run when a DAG file creates a notifier (while the DAG is parsed),
 * so that a typo is an import error with the file's line rather than a callback that fails
 * later. Messages never quote a URL's path or query: a webhook's token lives there.
 */
import { parseDuration } from '../core/durations.ts';
import { showValue } from '../core/show-value.ts';

/**
 * An http(s) URL. `hint` says where such a URL usually comes from: the most common mistake is an
 * environment variable that is unset in the process parsing the DAG, which arrives as undefined.
 */
export function checkHttpUrl(value: unknown, where: string, hint: string): URL {
  if (value === undefined || value === '') {
    throw new Error(`${where} is ${value === '' ? 'empty' : 'missing'}: ${hint}`);
  }
  if (typeof value !== 'string') throw new Error(`${where} must be a URL string; got ${showValue(value)}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${where} is not a valid URL (it should start with https://): ${hint}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`${where} must be an http:// or https:// URL; got a ${url.protocol}// URL`);
  }
  return url;
}

/** A timeout option in milliseconds (a Duration, as task options take them), at least 1 ms. */
export function checkTimeout(value: unknown, where: string, defaultMs: number): number {
  if (value === undefined) return defaultMs;
  const ms = parseDuration(value, where);
  if (ms < 1) throw new Error(`${where} must be at least 1ms; got ${showValue(value)}`);
  return ms;
}

/**
 * A URL as notifiers show it in descriptions and errors: its scheme, host and port, and `/…` for
 * the path and query it hides. Slack's webhook URLs are secrets by their path
 * (`/services/T…/B…/<token>`), and other services put tokens in the path or query alike.
 */
export function showUrl(url: URL): string {
  const hidden = url.pathname !== '/' || url.search !== '' ? '/…' : '';
  return `${url.protocol}//${url.host}${hidden}`;
}
