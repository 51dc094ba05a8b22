import type { Logger } from 'pino';

/** An asset event that led to an asset-triggered run (README, "Assets"). */
export interface TriggeringAssetEvent {
  uri: string;
  /** The task instance whose success recorded it; null for an event from outside Sluice (POST /assets/events). */
  sourceDagId: string | null;
  sourceRunId: string | null;
  sourceTaskId: string | null;
  /** When it was recorded. */
  timestamp: Date;
  extra: Record<string, unknown>;
}

/** What a task function receives (README, "Writing a DAG"). */
export interface TaskContext<P = Record<string, unknown>> {
  dagId: string;
  runId: string;
  taskId: string;
  /** 1 on the first try. */
  tryNumber: number;
  maxTries: number;
  /**
   * When this try started. A try that a sensor's "not yet" rescheduled keeps the start of its
   * first check: a sensor's timeout counts from it.
   */
  tryStartDate: Date;
  /** How many times this try was rescheduled before this run of its code (0 but for sensors). */
  rescheduleCount: number;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  /** A mapped task instance's index (0, 1, …) in its array; -1 for a task that is not mapped. */
  mapIndex: number;
  /** A mapped task instance's element of its array; undefined for a task that is not mapped. */
  mapItem: unknown;
  /** The DAG's params merged with the run's conf. */
  params: P;
  /** The asset events an asset-triggered run consumed, oldest first; [] in any other run. */
  triggeringAssetEvents: TriggeringAssetEvent[];
  /** Its lines are kept as this try's log. */
  log: Logger;
  /** Aborted on timeout or cancel. */
  signal: AbortSignal;
  /**
   * An upstream task's return value in this run, or undefined; a mapped task's is the array of its
   * instances' return values in map-index order.
   */
  xcom<T = unknown>(taskId: string): Promise<T | undefined>;
}

/** A task's code; what it returns (or resolves to) is its XCom. */
export type TaskFn = (ctx: TaskContext) => unknown | Promise<unknown>;
