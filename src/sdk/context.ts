import type { Logger } from 'pino';
import type { ConnectionFields } from '../core/connection-uri.ts';

/** A connection as a task reads it (README, "Connections"): every field in the clear, and its URI. */
export interface TaskConnection extends ConnectionFields {
  connectionId: string;
  /** `type://login:password@host:port/schema?extra…`, each part percent-encoded. */
  uri: string;
}

/** A variable's value as the worker hands it to a try; `secret`: its key names a secret, so the try's log masks it. */
export interface TaskVariable {
  value: string;
  secret: boolean;
}

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
  /**
   * A connection, with its password, from SLUICE_CONN_<ID> or else the metadata database; an id
   * that is in neither fails the try, naming it. Its password is masked in this try's log and error.
   */
  connection(connectionId: string): Promise<TaskConnection>;
  /**
   * A variable's value (text, as Airflow's Variable.get; JSON.parse it for JSON), from
   * SLUICE_VAR_<KEY> or else the metadata database; `fallback` when it is in neither, else the
   * try fails naming it. A secret variable's value is masked in this try's log and error.
   */
  variable(key: string, fallback?: string): Promise<string>;
}

/** A task's code; what it returns (or resolves to) is its XCom. */
export type TaskFn = (ctx: TaskContext) => unknown | Promise<unknown>;
