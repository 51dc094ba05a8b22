/**
 * The sink startTracing installs when traces are on: try ends become spans at once (they come
 * committed, with their times); run ends are read back from the database first (RunEnds), on a
 * connection of their own so they never wait behind the process's own work.
 */
import { createRequire } from 'node:module';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { Config } from '../config.ts';
import { redactSecrets } from '../core/redact.ts';
import type { Logger } from '../log.ts';
import { createDb } from '../store/db.ts';
import { openOtelProvider, type OtelProvider } from './otel-provider.ts';
import { RunEnds } from './run-ends.ts';
import { SpanWriter } from './spans.ts';
import type { TraceSink } from './traces.ts';

export interface OtelSink extends TraceSink {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * How long a stopping process waits for its last spans to be sent. The exporter's own timeout is
 * 10 s per attempt, retried: a collector that does not answer would otherwise hold up the stop
 * (and a worker's, which its supervisor may cut short) for far longer than the spans are worth.
 */
const STOP_WAIT_MS = 5000;

/** Sluice's version, which the spans' instrumentation scope carries (as the OpenAPI document's). */
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function openOtelSink(config: Config, serviceName: string, log: Logger): OtelSink {
  const protocol = process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol && protocol !== 'http/json') {
    log.warn({ protocol }, 'Sluice exports traces as OTLP/HTTP with JSON (http/json) only; OTLP receivers (collectors, Jaeger, Tempo) accept it on the same port as http/protobuf');
  }
  logSdkWarnings(log);
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
      await shutDownWithin(provider, STOP_WAIT_MS, log);
      diag.disable();
    },
  };
}

/**
 * The SDK's own complaints (an export that failed: the collector is down, or refuses) go to the
 * process's log, where an operator looks; by default the SDK says nothing at all.
 */
function logSdkWarnings(log: Logger): void {
  const warn = (message: string, ...args: unknown[]) => {
    const details = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    log.warn({ details: redactSecrets(details) }, `OpenTelemetry: ${redactSecrets(message)}`);
  };
  const quiet = () => undefined;
  diag.setLogger({ error: warn, warn, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
}

/** Sends the buffered spans and stops the exporter, waiting `ms` at most. */
async function shutDownWithin(provider: OtelProvider, ms: number, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const sent = await Promise.race([provider.shutdown().then(() => 'sent' as const, (err: unknown) => err), late]);
  clearTimeout(timer);
  if (sent === 'late') log.warn({ endpoint: provider.endpoint }, `could not send the last trace spans within ${ms / 1000}s; stopping without them`);
  else if (sent !== 'sent') log.warn({ endpoint: provider.endpoint, err: sent }, 'could not send the last trace spans; stopping without them');
}
