/**
 * How the UI's requests travel: fetch under /api/v1, with the API token (if this Sluice has one)
 * kept for the browser session, and errors that carry the API's own message. Pages do not call
 * this: they call the typed endpoints in api.ts.
 */
import type { ApiErrorBody } from '../../src/api/schemas/index.ts';

const TOKEN_KEY = 'sluice.apiToken';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown when the API wants a token and ours is missing or wrong; the app then asks for one. */
export class Unauthorized extends ApiError {
  override name = 'Unauthorized';
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string): void => sessionStorage.setItem(TOKEN_KEY, value),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** The ETag of the answer we hold: the server then answers 304 (no body) when nothing changed. */
  ifNoneMatch?: string;
}

async function request(path: string, options: RequestOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  const stored = token.get();
  if (stored) headers.Authorization = `Bearer ${stored}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.ifNoneMatch) headers['If-None-Match'] = options.ifNoneMatch;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      // Our own conditional request: the 304 must reach us rather than be filled from the HTTP cache.
      cache: options.ifNoneMatch ? 'no-store' : 'default',
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'unreachable', 'cannot reach the Sluice webserver; is it running?');
  }
  if (res.ok || res.status === 304) return res;
  // Any failure, even one from a proxy in front of Sluice, might not be the API's error JSON.
  const body = (await res.json().catch(() => null)) as Partial<ApiErrorBody> | null;
  const message = body?.error?.message ?? `${res.status} ${res.statusText}`;
  if (res.status === 401) {
    const error = new Unauthorized(401, body?.error?.code ?? 'unauthorized', message);
    for (const listener of unauthorizedListeners) listener();
    throw error;
  }
  throw new ApiError(res.status, body?.error?.code ?? 'error', message);
}

/** The last answer of each recently read path, so an unchanged answer is neither sent, parsed nor re-rendered. */
const lastAnswers = new Map<string, { etag: string; value: unknown }>();
const REMEMBERED_ANSWERS = 32;

/**
 * GETs JSON. An unchanged answer (a 304 for the ETag we hold) is returned as the very same
 * object, so polling views tell "nothing changed" by identity. Callers never mutate it.
 */
export async function getJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const last = lastAnswers.get(path);
  const res = await request(path, { ...options, ifNoneMatch: last?.etag }, 'application/json');
  if (res.status === 304 && last) return last.value as T;
  const value = (await res.json()) as T;
  const etag = res.headers.get('etag');
  lastAnswers.delete(path);
  if (etag) lastAnswers.set(path, { etag, value });
  if (lastAnswers.size > REMEMBERED_ANSWERS) lastAnswers.delete(lastAnswers.keys().next().value!);
  return value;
}

/** GETs text, with the answer's headers (a log page says in them where its text ends). */
export async function getText(path: string, options: RequestOptions = {}): Promise<{ text: string; headers: Headers }> {
  const res = await request(path, options, 'text/plain');
  return { text: await res.text(), headers: res.headers };
}

export async function send<T>(method: 'POST' | 'PATCH', path: string, body: unknown = {}): Promise<T> {
  const res = await request(path, { method, body }, 'application/json');
  return (await res.json()) as T;
}

/** DELETEs (a 204, no body). It says Content-Type: application/json like every change (README, "Security"). */
export async function remove(path: string): Promise<void> {
  await request(path, { method: 'DELETE', body: {} }, 'application/json');
}

/** Path segments are ids users chose: encode each one. */
export function apiPath(strings: TemplateStringsArray, ...ids: (string | number)[]): string {
  return strings.reduce((out, s, i) => out + s + (i < ids.length ? encodeURIComponent(String(ids[i])) : ''), '');
}

/** A query string from the values the server reads (numbers, booleans, lists) written as text. */
export function query(params: Record<string, string | number | boolean | readonly string[] | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'object') {
      if (value.length) search.set(key, value.join(','));
    } else {
      search.set(key, String(value));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
