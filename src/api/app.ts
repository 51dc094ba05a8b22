/**
 * The webserver: the REST API (README, "REST API") under /api/v1, Prometheus metrics at /metrics,
 * and the UI's static files at /. Every API answer that is not a success is `{error: {code, message}}`.
 */
import path from 'node:path';
import compression from 'compression';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { SluiceError, badRequest, notFound } from '../errors.ts';
import { authenticate } from './auth.ts';
import { requireJsonStateChanges, requireLoopbackHost, requireSameOrigin } from './request-guards.ts';
import type { ApiDeps } from './context.ts';
import { BODY_LIMIT, registerRoutes } from './route.ts';
import { ROUTES } from './routes/index.ts';
import { securityHeaders } from './security-headers.ts';
import { UI_DIR, uiBundle } from './ui-bundle.ts';

export type { ApiDeps } from './context.ts';

export function createApp(deps: ApiDeps): express.Express {
  const log = deps.services.log.child({ component: 'api' });
  const app = express();
  app.disable('x-powered-by');
  // Paths are case-sensitive and exact, as the contract writes them.
  app.set('case sensitive routing', true);
  app.set('strict routing', false);

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.debug({ method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    next();
  });
  // First, so that refusals carry them too.
  app.use(securityHeaders());
  // Before anything is served, UI pages included: what a browser can be made to send (see request-guards.ts).
  app.use(requireLoopbackHost(deps.config));
  app.use(requireSameOrigin);
  // Grid and log answers are repetitive text: gzip makes a 100-run grid a few dozen kilobytes.
  app.use(compression());

  const auth = authenticate(deps.config);

  // Authentication comes before parsing: a caller without the token learns nothing else.
  const api = express.Router({ caseSensitive: true });
  api.use(auth);
  api.use(requireJsonStateChanges(deps.config));
  api.use(answerConditionalGets);
  api.use(requireJsonBody);
  // Not strict: `null` or `"x"` parse, and validation then says the body must be an object.
  api.use(express.json({ limit: BODY_LIMIT, strict: false, type: ['application/json', 'application/*+json'] }));
  registerRoutes(
    api,
    ROUTES.filter((route) => !route.outsideApi),
    { deps, all: ROUTES },
  );
  api.use((req) => {
    throw notFound(`there is no endpoint ${req.method} ${req.originalUrl.split('?')[0]}; the endpoints are listed in the README's "REST API" section`);
  });
  api.use(errorHandler(log));
  app.use('/api/v1', api);

  // /metrics: where Prometheus looks by default.
  registerRoutes(
    app.router,
    ROUTES.filter((route) => route.outsideApi),
    { deps, all: ROUTES, before: [auth] },
  );

  app.use(serveUiAssets(log));
  app.use(express.static(UI_DIR, { index: false, fallthrough: true, setHeaders: (res) => res.set('Cache-Control', 'no-cache') }));
  // The UI routes in the browser (/dags/x/grid): every other page address gets the one page.
  app.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path.startsWith('/assets/')) {
      next();
      return;
    }
    res.set('Cache-Control', 'no-cache').sendFile(path.join(UI_DIR, 'index.html'));
  });
  app.use((req, res) => {
    res.status(404).type('text/plain').send(`Not found: ${req.path}\n`);
  });
  app.use(errorHandler(log));
  return app;
}

/** The bundled UI script and its source map, revalidated by ETag so a new version shows at once. */
function serveUiAssets(log: ApiDeps['services']['log']): RequestHandler {
  // Start the build now so the first page load does not wait for it.
  uiBundle().catch((error: unknown) => log.error({ err: error }, 'building the web UI failed'));
  return async (req, res, next) => {
    if (!req.path.startsWith('/assets/') || (req.method !== 'GET' && req.method !== 'HEAD')) {
      next();
      return;
    }
    const asset = (await uiBundle()).assets.get(req.path);
    if (!asset) {
      next();
      return;
    }
    res.set({ 'Content-Type': asset.contentType, ETag: asset.etag, 'Cache-Control': 'no-cache' });
    if (req.get('if-none-match') === asset.etag) {
      res.status(304).end();
      return;
    }
    res.send(asset.body);
  };
}

/**
 * fetch() adds "Cache-Control: no-cache" to any request that carries its own If-None-Match, and
 * express then never answers 304. That directive asks caches to revalidate with the origin; the
 * origin validates by the ETag alone (RFC 9111 §5.2.1.4), so a UI poll of an unchanged view gets
 * a 304 without a body.
 */
const answerConditionalGets: RequestHandler = (req, _res, next) => {
  if (req.headers['if-none-match'] !== undefined) {
    delete req.headers['cache-control'];
    delete req.headers.pragma;
  }
  next();
};

/** A body that is not JSON would otherwise reach validation as "missing"; say what is wrong instead. */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is(['application/json', 'application/*+json'])) {
    next(badRequest(`the request body must be JSON sent with Content-Type: application/json (got ${req.headers['content-type'] ?? 'no Content-Type'})`));
    return;
  }
  next();
};

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

function errorHandler(log: ApiDeps['services']['log']): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { status, code, message } = describeError(error);
    if (status >= 500) log.error({ err: error, method: req.method, url: req.originalUrl }, 'request failed');
    // A refused Host or Origin is either a page trying its luck or a proxy that rewrites Host:
    // the operator needs to see which, with the headers that decided it.
    if (status === 403) {
      log.warn({ method: req.method, url: req.originalUrl, host: req.headers.host, origin: req.headers.origin, reason: message }, 'request refused');
    }
    res.status(status).json({ error: { code, message } });
  };
}

function describeError(error: unknown): { status: number; code: string; message: string } {
  if (error instanceof SluiceError) return { status: error.status, code: error.code, message: error.message };
  const http = (error ?? {}) as HttpError;
  const status = http.status ?? http.statusCode;
  // body-parser's errors: their messages are meant for clients and carry no internals.
  switch (http.type) {
    case 'entity.parse.failed':
      return {
        status: 400,
        code: 'invalid_json',
        message: `the request body is not valid JSON (${http.message}); send a JSON object with Content-Type: application/json`,
      };
    case 'entity.too.large':
      return { status: 413, code: 'payload_too_large', message: `the request body is larger than ${BODY_LIMIT}; send less` };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 400, code: 'bad_request', message: `${http.message}; send the body as UTF-8 JSON` };
  }
  if (error instanceof URIError && status === 400) {
    return { status: 400, code: 'bad_request', message: `${error.message}: the path is not valid percent-encoding; encode ids with encodeURIComponent` };
  }
  if (typeof status === 'number' && status >= 400 && status < 500 && http.expose) {
    return { status, code: 'bad_request', message: http.message ?? 'bad request' };
  }
  return {
    status: 500,
    code: 'internal',
    message: 'the server failed to handle this request; the details are in the webserver log',
  };
}
