/**
 * Traces cost nothing when off: without an OTLP endpoint in the environment, starting a process's
 * tracing imports none of the OpenTelemetry packages and installs no sink; with one, it does both,
 * and stopping removes the sink. What the process imports is watched by a module resolve hook,
 * which reports every URL it resolves through a message port (in order, so a marker import tells
 * when every earlier resolution has been reported).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import { loadConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/log.ts';

const HOOK = `
let port;
export async function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  port.postMessage(resolved.url);
  return resolved;
}`;

const { port1, port2 } = new MessageChannel();
const resolved: string[] = [];
port1.on('message', (url: string) => resolved.push(url));
port1.unref();
register(`data:text/javascript,${encodeURIComponent(HOOK)}`, { data: { port: port2 }, transferList: [port2] });

/** Waits until `probe` holds for what has been resolved so far. */
async function until(probe: () => boolean): Promise<void> {
  while (!probe()) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Waits until every resolution made before this call has been reported. */
async function settled(): Promise<void> {
  const marker = `data:text/javascript,export default ${Math.random()};`;
  await import(marker);
  await until(() => resolved.includes(marker));
}

const otel = () => resolved.filter((url) => url.includes('/node_modules/@opentelemetry/'));

test('without an OTLP endpoint no OpenTelemetry package is imported and nothing listens; with one, both', async () => {
  const { startTracing } = await import('../../../src/tracing/start.ts');
  const { traces } = await import('../../../src/tracing/traces.ts');
  const config = loadConfig({});
  const log = createLogger('silent', 'test');

  // The test's own process: the SDK reads the endpoint from there.
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const off = await startTracing(config, 'sluice-test', log);
  await settled();
  assert.equal(traces.on, false);
  assert.deepEqual(otel(), []);
  await off.stop();

  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9';
  const on = await startTracing(config, 'sluice-test', log);
  await settled();
  assert.equal(traces.on, true);
  assert.ok(otel().some((url) => url.includes('/@opentelemetry/sdk-trace/')), `resolved: ${otel().join(', ')}`);
  await on.stop();
  assert.equal(traces.on, false);
});
