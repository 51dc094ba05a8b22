/**
 * Starting and stopping a process's traces (`sluice scheduler`, `worker`, `webserver`,
 * `standalone`). Off unless the OpenTelemetry variables ask for it (./switch.ts): then the
 * OpenTelemetry SDK is not even imported, and the engine's reports (./traces.ts) go nowhere.
 */
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { tracingWanted } from './switch.ts';
import { installTraceSink } from './traces.ts';

export interface Tracing {
  /** Sends what is still buffered and closes the exporter: part of the process's graceful stop. */
  stop(): Promise<void>;
}

/**
 * Starts exporting this process's spans when the environment asks for it. `serviceName` is the
 * OpenTelemetry service.name unless OTEL_SERVICE_NAME sets another (sluice-scheduler,
 * sluice-worker, …).
 */
export async function startTracing(config: Config, serviceName: string, log: Logger): Promise<Tracing> {
  // The process's own environment, which the SDK's exporter reads too.
  if (!tracingWanted(process.env)) return { stop: async () => undefined };
  // Loaded here and only here: a process without tracing never pays for the SDK.
  const { openOtelSink } = await import('./otel-sink.ts');
  const sink = openOtelSink(config, serviceName, log);
  installTraceSink(sink);
  log.info({ serviceName, endpoint: sink.endpoint }, 'exporting traces over OTLP/HTTP');
  return {
    async stop() {
      installTraceSink(undefined);
      await sink.close();
    },
  };
}
