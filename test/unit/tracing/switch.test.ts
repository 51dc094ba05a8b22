import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracingWanted } from '../../../src/tracing/switch.ts';

test('traces are on with an OTLP endpoint, for all signals or for traces alone', () => {
  assert.equal(tracingWanted({}), false);
  assert.equal(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }), false);
  assert.equal(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), true);
  assert.equal(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }), true);
});

test('OTEL_SDK_DISABLED=true and OTEL_TRACES_EXPORTER=none turn them off whatever the endpoint', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
  assert.equal(tracingWanted({ ...endpoint, OTEL_SDK_DISABLED: 'TRUE' }), false);
  assert.equal(tracingWanted({ ...endpoint, OTEL_SDK_DISABLED: 'false' }), true);
  assert.equal(tracingWanted({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }), false);
  assert.equal(tracingWanted({ ...endpoint, OTEL_TRACES_EXPORTER: 'otlp' }), true);
});
