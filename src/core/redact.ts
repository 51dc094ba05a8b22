/**
 * Secrets out of what Sluice prints (pure). Connection strings carry passwords
 * (`postgres://etl:secret@db/wh`), and they end up in error messages, hence in a task's error, the
 * API, the UI and the logs: every message that may hold one goes through `redactSecrets`, and
 * every driver error that may quote one through `redactError` before it is thrown on.
 *
 * Masked:
 * - the password of anything shaped like a URL with credentials, `scheme://user:password@host…`,
 *   valid URL or not (a typo'd scheme, a bad port, a raw `/`, `?`, `#` or `@` in the password),
 *   wherever it sits in a longer text. The user name stays, so the message still says who;
 * - the value of a `key=value` whose key names a secret (`password`, `sslpassword`, `secret`,
 *   `token`, `X-Amz-Signature`, `S3_SECRET_ACCESS_KEY`, …): URL query parameters, libpq keyword
 *   strings, environment assignments.
 *
 * The credentials of a URL run to its last `@`, because a password may hold raw characters that a
 * URL parser would stop at; an `@` later in the URL (in a query) therefore masks more than needed,
 * never less.
 */

const MASK = '***';

/** `scheme://` and everything up to whitespace, a quote or an angle bracket. */
const URL_LIKE = /(?<![\w+.-])([a-z][a-z0-9+.-]*:\/\/)([^\s'"`<>]+)/gi;

/** `key=value` where the key names a secret; the value may be quoted. */
const SECRET_SETTING =
  /(?<![\w-])([\w-]*?(?:pass|pwd|secret|token|signature|credential|api[-_]?key|access[-_]?key|authmechanismproperties)[\w-]*)=('[^']*'|"[^"]*"|[^\s&'"`<>]*)/gi;

/** The text with every password of a connection string and every secret setting masked. */
export function redactSecrets(text: string): string {
  return text
    .replace(URL_LIKE, (_whole, scheme: string, rest: string) => scheme + maskCredentials(rest))
    .replace(SECRET_SETTING, (_whole, key: string) => `${key}=${MASK}`);
}

/** `user:password@host…` → `user:***@host…`; without a password (or an `@`), unchanged. */
function maskCredentials(afterScheme: string): string {
  const at = afterScheme.lastIndexOf('@');
  if (at === -1) return afterScheme;
  const credentials = afterScheme.slice(0, at);
  const colon = credentials.indexOf(':');
  if (colon === -1) return afterScheme;
  return `${credentials.slice(0, colon)}:${MASK}${afterScheme.slice(at)}`;
}

/**
 * The error with its message, stack and string properties (such as the `input` of Node's URL
 * errors) redacted, and its causes likewise. Changed in place, so its class, `code` and the rest
 * stay for callers that branch on them; anything thrown that is not an Error becomes one.
 */
export function redactError(thrown: unknown): Error {
  const error = thrown instanceof Error ? thrown : new Error(redactSecrets(String(thrown)));
  redactInPlace(error, new Set());
  return error;
}

function redactInPlace(value: unknown, seen: Set<unknown>): void {
  if (!(value instanceof Error) || seen.has(value)) return;
  seen.add(value);
  const record = value as unknown as Record<string, unknown>;
  for (const key of ['message', 'stack', ...Object.keys(value)]) {
    const text = record[key];
    if (typeof text !== 'string') continue;
    try {
      record[key] = redactSecrets(text);
    } catch {
      // A read-only property: nothing Sluice can change, and nothing it prints itself.
    }
  }
  redactInPlace(value.cause, seen);
  if (value instanceof AggregateError) for (const inner of value.errors) redactInPlace(inner, seen);
}
