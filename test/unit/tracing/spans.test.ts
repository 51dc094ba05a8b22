/**
 * The spans themselves, written through the real SDK into its in-memory exporter: the run's span
 * takes the ids derived from the run, a try's span is its child, and the attributes, status and
 * times say what the contract and the README say.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { SpanStatusCode } from '@opentelemetry/api';
import type { DagRunRecord } from '../../../src/store/runs.ts';
import { RunSpanIds } from '../../../src/tracing/otel-provider.ts';
import { runTraceIds } from '../../../src/tracing/run-trace-ids.ts';
import { SpanWriter } from '../../../src/tracing/spans.ts';

function writer() {
  const exporter = new InMemorySpanExporter();
  const ids = new RunSpanIds();
  const provider = new TracerProvider({ idGenerator: ids, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { spans: new SpanWriter(provider.getTracer('test'), ids, 'prefix'), exported: () => exporter.getFinishedSpans() };
}

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const hrMs = ([s, ns]: [number, number]) => s * 1000 + ns / 1e6;

test("a run's span has the run's derived ids, its times from the database and its state", () => {
  const { spans, exported } = writer();
  const run = { dagId: 'd', runId: 'r', runType: 'manual', state: 'failed', logicalDate: at(0), startDate: at(1), endDate: at(9) } as DagRunRecord & { state: 'failed'; endDate: Date };
  spans.runEnded(run);
  const [span] = exported();
  assert.deepEqual({ traceId: span!.spanContext().traceId, spanId: span!.spanContext().spanId }, runTraceIds('prefix', 'd', 'r'));
  assert.equal(span!.parentSpanContext, undefined);
  assert.equal(span!.name, 'd');
  assert.deepEqual([hrMs(span!.startTime), hrMs(span!.endTime)], [at(1).getTime(), at(9).getTime()]);
  assert.equal(span!.attributes['sluice.state'], 'failed');
  assert.equal(span!.attributes['sluice.run_type'], 'manual');
  assert.equal(span!.status.code, SpanStatusCode.ERROR);
});

test("a try's span is a child of its run's; a mapped instance says its index; a skip is no error", () => {
  const { spans, exported } = writer();
  const outcome = { state: 'skipped', error: 'nothing to do', nextTryAt: null } as const;
  spans.tryEnded({ dagId: 'd', runId: 'r', taskId: 't', mapIndex: 3, tryNumber: 1, startDate: at(2), endDate: at(4), outcome });
  const [span] = exported();
  const run = runTraceIds('prefix', 'd', 'r');
  assert.equal(span!.spanContext().traceId, run.traceId);
  assert.equal(span!.parentSpanContext?.spanId, run.spanId);
  assert.deepEqual(span!.attributes, { 'sluice.dag_id': 'd', 'sluice.run_id': 'r', 'sluice.task_id': 't', 'sluice.try_number': 1, 'sluice.state': 'skipped', 'sluice.map_index': 3 });
  assert.equal(span!.status.code, SpanStatusCode.UNSET);
  assert.deepEqual([hrMs(span!.startTime), hrMs(span!.endTime)], [at(2).getTime(), at(4).getTime()]);
});

test('a try that will be retried failed, with an up_for_retry event; an end before the start (clocks apart) starts at the end', () => {
  const { spans, exported } = writer();
  const outcome = { state: 'up_for_retry', error: 'no route to sftp://u:pw@host', nextTryAt: at(60) } as const;
  spans.tryEnded({ dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1, tryNumber: 1, startDate: at(5), endDate: at(4), outcome });
  const [span] = exported();
  assert.equal(span!.attributes['sluice.state'], 'failed');
  assert.equal(span!.attributes['sluice.map_index'], undefined);
  assert.deepEqual(span!.status, { code: SpanStatusCode.ERROR, message: 'no route to sftp://u:***@host' });
  assert.deepEqual(span!.events.map((e) => [e.name, e.attributes?.['sluice.next_try_at']]), [['up_for_retry', at(60).toISOString()]]);
  assert.deepEqual([hrMs(span!.startTime), hrMs(span!.endTime)], [at(4).getTime(), at(4).getTime()]);
});
