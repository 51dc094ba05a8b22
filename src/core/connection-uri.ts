/**
 * A connection as a URI and back (pure), as Airflow writes them: `postgres://user:pw@host:5432/db?sslmode=require`.
 * The scheme is the connection type, the path (without its leading `/`) the schema, and each query
 * parameter an entry of extra; user name and password are percent-decoded, so a password may hold
 * any character written as `%XX`. A scheme written with `-` (`google-cloud-platform`) is Airflow's
 * spelling of a type with `_`, and is read as such.
 */

/** A connection's fields, with its password and extra in the clear: what a task gets. */
export interface ConnectionFields {
  connType: string;
  host: string | null;
  port: number | null;
  login: string | null;
  password: string | null;
  schema: string | null;
  extra: Record<string, unknown>;
}

export class ConnectionUriError extends Error {}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

export function parseConnectionUri(uri: string): ConnectionFields {
  const scheme = SCHEME.exec(uri.trim());
  if (!scheme) throw new ConnectionUriError(`is not a connection URI like postgres://user:password@host:5432/db: it has no "type://" at its start`);
  const rest = uri.trim().slice(scheme[0].length);
  // No host at all (`sqlite:///file`, `aws://?region_name=…`): a stand-in host, dropped below.
  const hostless = rest === '' || /^[/?#]/.test(rest);
  let url: URL;
  try {
    // WHATWG URL parses an unknown scheme's host loosely; read as http, it is checked as a host.
    url = new URL(`http://${hostless ? 'hostless.invalid' : ''}${rest}`);
  } catch {
    throw new ConnectionUriError(`cannot be read as a URI (percent-encode characters like "@", ":", "/" or "#" in the user name or password, e.g. "@" as %40)`);
  }
  const port = url.port === '' ? null : Number(url.port);
  const extra: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) extra[key] = value;
  const decoded = (text: string) => (text === '' ? null : decodeURIComponent(text));
  return {
    connType: scheme[1]!.toLowerCase().replace(/-/g, '_'),
    host: hostless ? null : decoded(url.hostname),
    port,
    login: decoded(url.username),
    password: decoded(url.password),
    schema: decoded(url.pathname.replace(/^\//, '')),
    extra,
  };
}

/**
 * The URI of a connection, what ctx.connection() gives as `uri`: each part percent-encoded, extra
 * as query parameters (an object or array value as its JSON text). Parsing it gives the same fields.
 */
export function connectionUri(c: ConnectionFields): string {
  const credentials = c.login === null && c.password === null
    ? ''
    : `${encodeURIComponent(c.login ?? '')}${c.password === null ? '' : `:${encodeURIComponent(c.password)}`}@`;
  const host = c.host ?? '';
  const port = c.port === null ? '' : `:${c.port}`;
  const schema = c.schema === null ? '' : `/${encodeURIComponent(c.schema)}`;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(c.extra)) query.append(key, typeof value === 'string' ? value : JSON.stringify(value));
  const search = query.size ? `?${query}` : '';
  return `${c.connType.replace(/_/g, '-')}://${credentials}${host}${port}${schema}${search}`;
}
