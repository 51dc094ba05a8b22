/**
 * The trace id and span id of a run, derived from the run's identity rather than stored.
 *
 * Why derived: a run lives across processes and may last days. Its tries end in workers,
 * possibly on other machines, each of which must name the run's span as its parent; the run's
 * span itself is only exported when the run ends, by whichever process ends it. Hashing the
 * run's identity lets every one of them compute the same ids with nothing written anywhere and
 * nothing to lose in a crash (the alternative, a traceparent column on dag_runs, would cost a
 * migration, a read in every completion, and a write on every run). The installation's queue
 * prefix is part of the identity: two installations sharing a tracing backend (staging and
 * production both have a `scheduled__2026-01-01T00:00:00+00:00`) must not share traces, and every
 * process of one installation has the same prefix, since they share its queues.
 *
 * The cost of not storing: a run that is cleared after it ended runs again under the same ids,
 * and its span is sent again when it ends again (same ids, the later end).
 */
import { createHash } from 'node:crypto';

export interface RunTraceIds {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
}

export function runTraceIds(queuePrefix: string, dagId: string, runId: string): RunTraceIds {
  // NUL cannot occur in any of the three, so no two identities hash the same text.
  const hex = createHash('sha256').update(`sluice\0${queuePrefix}\0${dagId}\0${runId}`).digest('hex');
  // All zeros is the one invalid id (W3C trace context); 2^-64 likely, and then one digit moves.
  return { traceId: nonZero(hex.slice(0, 32)), spanId: nonZero(hex.slice(32, 48)) };
}

const nonZero = (id: string) => (/^0+$/.test(id) ? `${id.slice(0, -1)}1` : id);
