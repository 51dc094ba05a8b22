/**
 * The OpenTelemetry SDK set up for one Sluice process: an OTLP/HTTP exporter (JSON, configured by
 * the standard OTEL_EXPORTER_OTLP_* variables, which the exporter reads itself), behind a batch
 * span processor (OTEL_BSP_* variables), and a resource naming the process (OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES win over Sluice's defaults). Imported only when traces are on.
 */
import { getNumberFromEnv, getStringFromEnv } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, hostDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, RandomIdGenerator, TracerProvider, type IdGenerator } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Tracer } from '@opentelemetry/api';
import type { RunTraceIds } from './run-trace-ids.ts';

/**
 * Random ids, except for a run's own span, whose ids are derived from the run (run-trace-ids.ts).
 * The SDK gives no way to choose a span's ids but its id generator, so the run's are handed to
 * it just before that span starts: Tracer.startSpan asks for them synchronously, and nothing
 * else can run in between on this thread.
 */
export class RunSpanIds implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private next: RunTraceIds | undefined;

  generateTraceId(): string {
    return this.next?.traceId ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return this.next?.spanId ?? this.random.generateSpanId();
  }

  /** Runs `start` (which starts one root span) with these ids for it. */
  with<T>(ids: RunTraceIds, start: () => T): T {
    this.next = ids;
    try {
      return start();
    } finally {
      this.next = undefined;
    }
  }
}

export interface OtelProvider {
  tracer: Tracer;
  ids: RunSpanIds;
  /** Where spans go, for the log line that says traces are on. */
  endpoint: string;
  /** Exports what is buffered, then stops. */
  shutdown(): Promise<void>;
}

export function openOtelProvider(serviceName: string, version: string): OtelProvider {
  const ids = new RunSpanIds();
  // a.merge(b): b's attributes win, so the environment's beat ours, which beat the SDK's defaults.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }))
    .merge(detectResources({ detectors: [hostDetector, envDetector] }));
  const provider = new TracerProvider({
    resource,
    idGenerator: ids,
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter(),
        // The SDK's defaults when unset; the variables are the specification's.
        scheduledDelayMillis: getNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
        exportTimeoutMillis: getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
        maxQueueSize: getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
        maxExportBatchSize: getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
      }),
    ],
  });
  return {
    tracer: provider.getTracer('sluice', version),
    ids,
    endpoint: exportEndpoint(),
    shutdown: () => provider.shutdown(),
  };
}

/** The URL the exporter posts to, by the same precedence as the exporter's own. */
function exportEndpoint(): string {
  const traces = getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (traces) return traces;
  const base = getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT') ?? 'http://localhost:4318';
  return `${base.replace(/\/$/, '')}/v1/traces`;
}
