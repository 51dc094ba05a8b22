/**
 * The spans Sluice exports, and their attributes: a span per run (its ids derived from the run,
 * run-trace-ids.ts) with a child span per try. Names follow Airflow's traces: the run's span is
 * named after its DAG, a try's after its task.
 */
import { ROOT_CONTEXT, SpanStatusCode, TraceFlags, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { redactSecrets } from '../core/redact.ts';
import type { DagRunRecord } from '../store/runs.ts';
import type { RunSpanIds } from './otel-provider.ts';
import { runTraceIds } from './run-trace-ids.ts';
import type { TracedTry } from './traces.ts';

/** Longer error texts are cut: a status message is for reading in a trace view, not for logs. */
const MAX_ERROR_CHARS = 4096;

export class SpanWriter {
  constructor(
    private readonly tracer: Tracer,
    private readonly ids: RunSpanIds,
    /** The installation's queue prefix, part of every run's identity (run-trace-ids.ts). */
    private readonly queuePrefix: string,
  ) {}

  /**
   * A try's span, child of its run's (which may be exported days later, by another process).
   * Its state is the try's own, as the try history records it: a try that failed and will be
   * retried is `failed`, with an `up_for_retry` event saying when the next try is due.
   */
  tryEnded(t: TracedTry): void {
    const run = runTraceIds(this.queuePrefix, t.dagId, t.runId);
    const parent = trace.setSpanContext(ROOT_CONTEXT, { ...run, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    const retrying = t.outcome.state === 'up_for_retry';
    const state = retrying ? 'failed' : t.outcome.state;
    const attributes: Attributes = {
      'sluice.dag_id': t.dagId,
      'sluice.run_id': t.runId,
      'sluice.task_id': t.taskId,
      'sluice.try_number': t.tryNumber,
      'sluice.state': state,
    };
    if (t.mapIndex >= 0) attributes['sluice.map_index'] = t.mapIndex;
    // The start is the database's clock (the claim), the end this process's: a machine whose
    // clock runs behind could end a short try before it started, which the SDK refuses.
    const startTime = t.startDate && t.startDate < t.endDate ? t.startDate : t.endDate;
    const span = this.tracer.startSpan(t.taskId, { startTime, attributes }, parent);
    if (state === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: errorText(t.outcome.error) });
    if (retrying && t.outcome.nextTryAt) {
      span.addEvent('up_for_retry', { 'sluice.next_try_at': t.outcome.nextTryAt.toISOString() }, t.endDate);
    }
    span.end(t.endDate);
  }

  /** A finished run's span, over its real start and end as the database has them. */
  runEnded(run: DagRunRecord & { state: 'success' | 'failed'; endDate: Date }): void {
    const attributes: Attributes = {
      'sluice.dag_id': run.dagId,
      'sluice.run_id': run.runId,
      'sluice.state': run.state,
      'sluice.run_type': run.runType,
      'sluice.logical_date': run.logicalDate.toISOString(),
    };
    // A run failed before it started (marked by hand while queued) has no start: it lasted no time.
    const startTime = run.startDate ?? run.endDate;
    const span = this.ids.with(runTraceIds(this.queuePrefix, run.dagId, run.runId), () =>
      this.tracer.startSpan(run.dagId, { root: true, startTime, attributes }),
    );
    if (run.state === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: 'the run failed' });
    span.end(run.endDate);
  }
}

function errorText(error: string | null): string {
  const text = redactSecrets(error ?? 'the try failed');
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}
