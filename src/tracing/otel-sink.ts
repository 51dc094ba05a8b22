/**
 * The sink startTracing installs when traces are on: try ends become spans at once (they come
 * committed, with their times); run ends are read back from the database first (RunEnds), on a
 * connection of their own so they never wait behind the process's own work.
 */
import { createRequire } from 'node:module';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createDb } from '../store/db.ts';
import { openOtelProvider } from './otel-provider.ts';
import { RunEnds } from './run-ends.ts';
import { SpanWriter } from './spans.ts';
import type { TraceSink } from './traces.ts';

export interface OtelSink extends TraceSink {
  endpoint: string;
  close(): Promise<void>;
}

/** Sluice's version, which the spans' instrumentation scope carries (as the OpenAPI document's). */
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function openOtelSink(config: Config, serviceName: string, log: Logger): OtelSink {
  const protocol = process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol && protocol !== 'http/json') {
    log.warn({ protocol }, 'Sluice exports traces as OTLP/HTTP with JSON (http/json) only; OTLP receivers (collectors, Jaeger, Tempo) accept it on the same port as http/protobuf');
  }
  const provider = openOtelProvider(serviceName, version);
  const spans = new SpanWriter(provider.tracer, provider.ids, config.queuePrefix);
  const db = createDb(config.databaseUrl, 1, { application_name: `${serviceName} traces` });
  const runEnds = new RunEnds(db, (run) => spans.runEnded(run), log);
  return {
    endpoint: provider.endpoint,
    tryEnded: (ended) => spans.tryEnded(ended),
    runEnded: (run) => runEnds.report(run),
    async close() {
      await runEnds.close();
      await db.end();
      await provider.shutdown().catch((err) => log.warn({ err }, 'could not send the last trace spans'));
    },
  };
}
