/**
 * Refuses the requests a browser can be made to send on someone else's behalf.
 *
 * Any web page the user opens can make the browser POST to http://127.0.0.1:8080: a form, or a
 * fetch in `no-cors` mode, with an empty, form-encoded or text/plain body. The page cannot read
 * the answer, but the run is triggered all the same. And a DNS name the attacker controls can be
 * re-pointed at 127.0.0.1 (DNS rebinding), which makes Sluice that page's own origin: then it can
 * read answers too. Without a token, nothing else stands in the way; these guards close both:
 *
 * - without a token, only requests addressed to a loopback name (the Host header) are served;
 * - a state change must say `Content-Type: application/json`, which a page can only send to
 *   another origin after a CORS preflight that Sluice never grants (with a token, the
 *   Authorization header does the same job: it too needs a preflight);
 * - a state change a browser sends with an `Origin` must come from the origin it is sent to.
 */
import type { Request, RequestHandler } from 'express';
import { tokensConfigured, type Config } from '../config.ts';
import { badRequest, forbidden } from '../errors.ts';
import { isLoopbackHost } from './exposure.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A Host header as browsers and HTTP clients write it: a name or IP literal and maybe a port. */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(:\d{1,5})?$/i;

/** The host name of the Host header, or undefined when it is missing or not a plain host[:port]. */
function requestHostname(req: Request): string | undefined {
  const match = HOST_HEADER.exec(req.headers.host ?? '');
  return match ? match[1]!.toLowerCase() : undefined;
}

/**
 * Without an API token, serves only requests addressed to this machine by name (localhost,
 * *.localhost, 127.x.x.x, [::1]), whatever the port: a rebound DNS name reaches the same socket
 * but carries its own name in Host. SLUICE_ALLOW_INSECURE=1 is the operator saying the network is
 * trusted and the webserver is meant to be reached by other names without a token: it lifts this
 * check (the JSON and Origin checks, which stop cross-site requests, stay).
 */
export function requireLoopbackHost(config: Pick<Config, 'apiToken' | 'apiTokens' | 'allowInsecure'>): RequestHandler {
  if (tokensConfigured(config) || config.allowInsecure) return (_req, _res, next) => next();
  return (req, _res, next) => {
    const hostname = requestHostname(req);
    if (hostname !== undefined && isLoopbackHost(hostname)) {
      next();
      return;
    }
    const named = req.headers.host ? `"${req.headers.host}"` : 'no host (the request has no Host header)';
    next(
      forbidden(
        `this Sluice has no API token, so it answers only requests addressed to this machine ` +
          `(localhost, 127.0.0.1 or [::1]), and this one names ${named}. To serve it under other ` +
          'names, set SLUICE_API_TOKEN on the webserver (callers then send "Authorization: Bearer <token>"), ' +
          'or SLUICE_ALLOW_INSECURE=1 if every machine that can reach it may run anything',
      ),
    );
  };
}

/**
 * A state change that carries an Origin (browsers send one with every cross-origin request and
 * with same-origin POSTs) must come from the origin it was sent to: the Sluice UI's own page.
 * Programs such as curl and the CLI send no Origin and are not affected.
 */
export const requireSameOrigin: RequestHandler = (req, _res, next) => {
  const origin = req.headers.origin;
  if (origin === undefined || !STATE_CHANGING.has(req.method)) {
    next();
    return;
  }
  const served = servedOrigin(req, origin);
  if (served !== undefined && served === origin.toLowerCase()) {
    next();
    return;
  }
  next(
    forbidden(
      origin === 'null'
        ? 'a page with an opaque origin ("Origin: null": a sandboxed frame, a file, a redirect) may not change anything on this Sluice; use the Sluice UI, or call the API from a program'
        : `the page at ${origin} may not change anything on this Sluice, which is addressed here as ${served ?? `"${req.headers.host ?? ''}"`}: ` +
            'only the Sluice UI itself may. Behind a reverse proxy, pass the Host header through unchanged',
    ),
  );
};

/** This request's origin as a browser would write it (scheme of `origin`, host from Host), or undefined. */
function servedOrigin(req: Request, origin: string): string | undefined {
  if (requestHostname(req) === undefined) return undefined;
  let scheme: string;
  try {
    scheme = new URL(origin).protocol;
  } catch {
    return undefined;
  }
  if (scheme !== 'http:' && scheme !== 'https:') return undefined;
  // Through URL, so that a default port (":80" for http) is dropped just as browsers drop it.
  return new URL(`${scheme}//${req.headers.host}`).origin;
}

/**
 * Without an API token, a state change must be sent as JSON, even with no body at all: browsers
 * let a page send only form and text/plain bodies to another origin without asking first.
 */
export function requireJsonStateChanges(config: Pick<Config, 'apiToken' | 'apiTokens'>): RequestHandler {
  // With a token, the auth check before this one has already seen the Authorization header.
  if (tokensConfigured(config)) return (_req, _res, next) => next();
  return (req, _res, next) => {
    if (!STATE_CHANGING.has(req.method) || isJsonMediaType(req.headers['content-type'])) {
      next();
      return;
    }
    next(
      badRequest(
        `${req.method} requests must be sent with Content-Type: application/json, also without a body ` +
          `(got ${req.headers['content-type'] ?? 'no Content-Type'}); this is how Sluice tells its callers from pages ` +
          'of other sites, which browsers do not let send that header. Or set SLUICE_API_TOKEN and send the token',
      ),
    );
  };
}

function isJsonMediaType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(mediaType);
}
