/**
 * Where the engine reports the ends of tries and runs, for the process's traces: a no-op until
 * startTracing (./start.ts) installs a sink, which it does only when traces are wanted. One per
 * process, as OpenTelemetry's own tracer provider is: a run ends deep inside the engine (the
 * run-end rule, run marks, timeouts), and threading a tracer through every one of those
 * signatures would cost every caller for a feature most installations leave off. The engine asks
 * `traces.on` before building anything, so off, a report costs one property read.
 */
import type { TryOutcome } from '../core/try-outcome.ts';

export interface TracedTry {
  dagId: string;
  runId: string;
  taskId: string;
  /** -1 when the task is not mapped. */
  mapIndex: number;
  tryNumber: number;
  /** When the try started (its claim); unknown only for a try whose start was never recorded. */
  startDate: Date | undefined;
  endDate: Date;
  /** How it ended, as recorded: the task instance's new state. */
  outcome: TryOutcome;
}

export interface RunKey {
  dagId: string;
  runId: string;
}

export interface TraceSink {
  /** A try's end, recorded and committed. */
  tryEnded(ended: TracedTry): void;
  /**
   * A run's end, possibly not committed yet (the run-end rule runs inside its caller's
   * transaction): the sink reads the run as committed before it says anything of it.
   */
  runEnded(run: RunKey): void;
}

let sink: TraceSink | undefined;

export const traces = {
  /** Whether anything listens: ask before building a report. */
  get on(): boolean {
    return sink !== undefined;
  },
  tryEnded(ended: TracedTry): void {
    sink?.tryEnded(ended);
  },
  runEnded(run: RunKey): void {
    sink?.runEnded(run);
  },
};

/** Installs the process's sink (startTracing), or removes it (undefined) once tracing stops. */
export function installTraceSink(next: TraceSink | undefined): void {
  sink = next;
}
