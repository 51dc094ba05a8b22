/**
 * A route of the API, declared once: its path, what it takes and answers (zod schemas from
 * schemas/), and its handler. The same declaration registers it with Express (registerRoutes)
 * and describes it in the OpenAPI document (openapi.ts), so there is no route the document
 * leaves out and no answer whose shape the types do not know.
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { roleAllows, rolesAllowed, type Caller, type Role } from '../core/roles.ts';
import { forbidden } from '../errors.ts';
import { callerOf } from './auth.ts';
import type { ApiDeps } from './context.ts';
import { nothing } from './schemas/fields.ts';
import { parseInput } from './validation.ts';

export type Method = 'get' | 'post' | 'patch' | 'delete';

/** The largest JSON body a route takes (express.json's limit; larger is a 413). */
export const BODY_LIMIT = '1mb';

/** A JSON answer: its body is typed by the schema, so the serializer cannot leave out a field. */
export interface JsonAnswer<S extends z.ZodType = z.ZodType> {
  description: string;
  schema: S;
}

/** A text answer the handler writes itself (a log, the metrics), with the headers it sets. */
export interface TextAnswer {
  description: string;
  contentType: 'text/plain';
  headers?: Record<string, string>;
}

/** An answer with no body (204 No Content: a DELETE's). */
export interface EmptyAnswer {
  description: string;
  empty: true;
}

export type Answers = { 200?: JsonAnswer | TextAnswer; 201?: JsonAnswer; 204?: EmptyAnswer };

/** Returned by a handler that wrote the answer itself (only for a TextAnswer). */
export const SENT: unique symbol = Symbol('sent');

export type Reply<A extends Answers> = {
  [S in keyof A]-?: A[S] extends JsonAnswer<infer Z>
    ? { status: S; body: z.input<Z>; location?: string }
    : A[S] extends EmptyAnswer
      ? { status: S }
      : typeof SENT;
}[keyof A];

export interface RouteContext {
  deps: ApiDeps;
  req: Request;
  res: Response;
  /** Every route this webserver serves (the OpenAPI route describes them). */
  routes: readonly Route[];
  /** Who is calling (`anonymous` without tokens): the actor of any change the route makes. */
  caller: Caller;
}

/**
 * The failures a route answers besides those any route may (400 bad input, 401, 403, 500, and
 * 413 for a body too large): a 404 or 409, with what it means here, and what else a 400 may mean.
 */
export type RouteErrors = { 400?: string; 404?: string; 409?: string };

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, A extends Answers> {
  /** Unique; also the name of the operation in the document. */
  operationId: string;
  method: Method;
  /** Express syntax (`/dags/:dagId`), under /api/v1 unless `outsideApi`. */
  path: string;
  /** Served at the root (`/metrics`), not under /api/v1. */
  outsideApi?: true;
  /** The document's group for it (DAGs, DAG runs, ...). */
  tag: string;
  /**
   * The least role that may call it (README, "Users and roles"): `viewer` for what only reads,
   * `operator` for what runs things (trigger, clear, mark, pause, backfill, asset events), `admin`
   * for the installation's settings (pools, connections, variables). Required, so that no route
   * can be added without deciding; registerRoutes refuses any lesser role with a 403.
   */
  minRole: Role;
  summary: string;
  description?: string;
  /** Path parameters; none if left out. */
  params?: P;
  /** The query string; none may be given if left out; 'ignored': any is ignored (probes add their own). */
  query?: Q | 'ignored';
  /** The JSON body; a route without one ignores any body. */
  body?: B;
  /** No body at all reads as `{}`: every field of the body is optional. */
  bodyOptional?: true;
  answers: A;
  errors?: RouteErrors;
  // A method, not a property: a route of any schemas is then a Route.
  handle(input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> }, ctx: RouteContext): Promise<Reply<NoInfer<A>>>;
}

export type Route = RouteSpec<z.ZodType, z.ZodType, z.ZodType, Answers>;

type Nothing = typeof nothing;

/** Declares a route; the generics only type the handler against the schemas given. */
export function defineRoute<P extends z.ZodType = Nothing, Q extends z.ZodType = Nothing, B extends z.ZodType = z.ZodUndefined, A extends Answers = Answers>(
  spec: RouteSpec<P, Q, B, A>,
): Route {
  return spec as unknown as Route;
}

/**
 * Registers each route on `router`: path, query and body are parsed (in that order, so the first
 * 400 is about the outermost problem) before the handler runs; its reply is sent as JSON. Answers
 * are not parsed on the way out: the types made them, and the grid's can be megabytes.
 */
export function registerRoutes(
  router: Router,
  routes: readonly Route[],
  context: { deps: ApiDeps; all: readonly Route[]; before?: RequestHandler[] },
): void {
  for (const route of routes) {
    router[route.method](route.path, ...(context.before ?? []), async (req: Request, res: Response) => {
      // Before any parsing: a caller who may not use the route learns nothing more of it.
      const caller = callerOf(res);
      if (!roleAllows(caller.role, route.minRole)) throw forbiddenFor(route, caller);
      const params = parseInput(route.params ?? nothing, req.params, 'path');
      const query = route.query === 'ignored' ? {} : parseInput(route.query ?? nothing, req.query, 'query');
      const body =
        route.body === undefined
          ? undefined
          : parseInput(route.body, req.body === undefined && route.bodyOptional ? {} : req.body, 'body');
      const reply = (await route.handle({ params, query, body }, { deps: context.deps, req, res, routes: context.all, caller })) as
        | { status: number; body?: unknown; location?: string }
        | typeof SENT;
      if (reply === SENT) return;
      res.status(reply.status);
      if (reply.location) res.location(reply.location);
      if (!('body' in reply)) res.end();
      else res.json(reply.body);
    });
  }
}

function forbiddenFor(route: Route, caller: Caller) {
  return forbidden(
    `${route.method.toUpperCase()} ${route.path} needs the role ${rolesAllowed(route.minRole).join(' or ')}, and "${caller.name}" is ${caller.role === 'viewer' ? 'a' : 'an'} ${caller.role}; ` +
      'ask an admin for a token with that role (SLUICE_API_TOKENS on the webserver)',
  );
}

/** `/dags/:dagId` as OpenAPI writes it: `/dags/{dagId}`. */
export function documentPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}
