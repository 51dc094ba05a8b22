/**
 * The OpenAPI 3.1 document of the API (served at GET /api/v1/openapi.json), made from the route
 * table: every route's path, parameters, body and answers come from the zod schemas that also
 * validate its input and type its output, so the document cannot say something the code does not.
 * zod-openapi turns the schemas into JSON Schema (requests as zod reads them, answers as written).
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { rolesAllowed } from '../core/roles.ts';
import { BODY_LIMIT, documentPath, type Route } from './route.ts';
import { apiErrorBody } from './schemas/error.ts';

type OpenApiDocument = ReturnType<typeof createDocument>;

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export const API_BASE = '/api/v1';

const documents = new WeakMap<readonly Route[], OpenApiDocument>();

/** Built once per route table: the document of a running webserver does not change. */
export function openApiDocument(routes: readonly Route[]): OpenApiDocument {
  let document = documents.get(routes);
  if (!document) {
    document = buildDocument(routes);
    documents.set(routes, document);
  }
  return document;
}

function buildDocument(routes: readonly Route[]): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    const path = documentPath(route.path);
    const item = (paths[path] ??= route.outsideApi ? { servers: [{ url: '/', description: 'outside /api/v1' }] } : {});
    if (item[route.method]) throw new Error(`two routes declare ${route.method.toUpperCase()} ${route.path}`);
    item[route.method] = operation(route);
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Sluice REST API',
      version,
      description:
        'The REST API of Sluice, an Airflow-style DAG orchestrator. Times are ISO 8601 in UTC. Every answer that is not a ' +
        'success is `{"error": {"code", "message"}}`. A state change (POST, PATCH) is sent as JSON with ' +
        '`Content-Type: application/json`, also when it has no body.',
    },
    servers: [{ url: API_BASE }],
    // Without a token configured none is needed; with any, every call needs one.
    security: [{}, { bearerAuth: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            "a token of the webserver's SLUICE_API_TOKEN (an admin) or SLUICE_API_TOKENS (name:token:role), when it has any. " +
            'Each operation needs a least role, named in its x-sluice-role: viewer (reads), operator (also trigger, clear, mark, ' +
            'pause, backfill, asset events), admin (also pools, connections, variables); a lesser one is answered 403 forbidden.',
        },
      },
    },
  },
  // A conf is a z.custom with a check (zod cannot describe either); its .meta() says `type: object`.
  { allowEmptySchema: { custom: { input: true } } },
  );
}

function operation(route: Route): ZodOpenApiOperationObject {
  const query = route.query === 'ignored' ? undefined : route.query;
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    description: `${route.description ? `${route.description}\n\n` : ''}Role: ${rolesAllowed(route.minRole).join(' or ')}.`,
    'x-sluice-role': route.minRole,
    requestParams: { ...(route.params ? { path: asObject(route.params) } : {}), ...(query ? { query: asObject(query) } : {}) },
    ...(route.body
      ? { requestBody: { required: !route.bodyOptional, content: { 'application/json': { schema: route.body } } } }
      : {}),
    responses: responses(route),
  };
}

function responses(route: Route): ZodOpenApiResponsesObject {
  const answers: ZodOpenApiResponsesObject = {};
  for (const [status, answer] of Object.entries(route.answers)) {
    if (!answer) continue;
    answers[status as `2${string}`] =
      'empty' in answer
        ? { description: answer.description }
        : 'schema' in answer
        ? { description: answer.description, content: { 'application/json': { schema: answer.schema } } }
        : {
            description: answer.description,
            content: { [answer.contentType]: { schema: z.string() } },
            ...(answer.headers ? { headers: z.object(mapValues(answer.headers, (text) => z.string().meta({ description: text }))) } : {}),
          };
  }
  if (route.method === 'get') {
    answers['304'] = { description: 'Not Modified: the answer is the same as the one whose ETag was sent in If-None-Match' };
  }
  const error = (description: string) => ({ description, content: { 'application/json': { schema: apiErrorBody } } });
  if (!route.outsideApi) {
    const badInput = 'bad input: the message names the path parameter, query parameter or field, and what it must be';
    answers['400'] = error(route.errors?.[400] ? `${badInput}; ${route.errors[400]}` : badInput);
  }
  answers['401'] = error('no token, or a wrong one (only when the webserver has SLUICE_API_TOKEN or SLUICE_API_TOKENS)');
  answers['403'] = error(
    `code forbidden: a Host or Origin this webserver does not serve, or a caller whose role is not ${rolesAllowed(route.minRole).join(' or ')}`,
  );
  if (route.errors?.[404]) answers['404'] = error(route.errors[404]);
  if (route.errors?.[409]) answers['409'] = error(route.errors[409]);
  if (route.body) answers['413'] = error(`the body is larger than ${BODY_LIMIT}`);
  answers['500'] = error('the server failed; the details are in the webserver log');
  return answers;
}

/** Parameters are listed field by field: the route's schema must be an object. */
function asObject(schema: z.ZodType): z.ZodObject {
  if (!(schema instanceof z.ZodObject)) throw new Error('path and query schemas must be zod objects');
  return schema;
}

function mapValues<T, U>(record: Record<string, T>, f: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
}
