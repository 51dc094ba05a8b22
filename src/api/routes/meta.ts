/** What describes the webserver itself: its OpenAPI document and its Prometheus metrics. */
import { z } from 'zod';
import { METRICS_CONTENT_TYPE, renderMetrics } from '../metrics.ts';
import { openApiDocument } from '../openapi.ts';
import { defineRoute, SENT } from '../route.ts';

export const metaRoutes = [
  defineRoute({
    operationId: 'getOpenApiDocument',
    method: 'get',
    path: '/openapi.json',
    tag: 'API',
    minRole: 'viewer',
    summary: 'This document: every route of the API, made from the schemas the routes validate and answer with',
    answers: {
      200: {
        description: 'an OpenAPI 3.1 document',
        schema: z.record(z.string(), z.unknown()).meta({ description: 'see https://spec.openapis.org/oas/v3.1.0' }),
      },
    },
    async handle(_input, { routes }) {
      return { status: 200, body: { ...openApiDocument(routes) } };
    },
  }),

  defineRoute({
    operationId: 'getMetrics',
    method: 'get',
    path: '/metrics',
    outsideApi: true,
    tag: 'Monitoring',
    minRole: 'viewer',
    summary: 'Prometheus metrics: runs and task instances by state, DAGs, import errors, schedulers, latencies',
    query: 'ignored',
    answers: { 200: { description: 'the Prometheus text exposition format, version 0.0.4', contentType: 'text/plain' } },
    async handle(_input, { deps, res }) {
      res.type(METRICS_CONTENT_TYPE).send(await renderMetrics(deps.services.db));
      return SENT;
    },
  }),
];
