import type { Logger } from 'pino';

/** What a task function receives (README, "Writing a DAG"). */
export interface TaskContext<P = Record<string, unknown>> {
  dagId: string;
  runId: string;
  taskId: string;
  /** 1 on the first try. */
  tryNumber: number;
  maxTries: number;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  /** The DAG's params merged with the run's conf. */
  params: P;
  /** Its lines are kept as this try's log. */
  log: Logger;
  /** Aborted on timeout or cancel. */
  signal: AbortSignal;
  /** An upstream task's return value in this run, or undefined. */
  xcom<T = unknown>(taskId: string): Promise<T | undefined>;
}

/** A task's code; what it returns (or resolves to) is its XCom. */
export type TaskFn = (ctx: TaskContext) => unknown | Promise<unknown>;
