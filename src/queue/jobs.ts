/** What a BullMQ job says: "run try N of this task instance now". Everything else is in Postgres. */
export interface TryMessage {
  dagId: string;
  runId: string;
  taskId: string;
  tryNumber: number;
}

export interface QueuedTry extends TryMessage {
  pool: string;
  priorityWeight: number;
}

/** BullMQ forbids ':' in custom ids (run ids contain ISO times), so the parts are URI-encoded. */
export function jobIdFor(m: TryMessage): string {
  return [m.dagId, m.runId, m.taskId, String(m.tryNumber)].map(encodeURIComponent).join('|');
}

/** One BullMQ queue per pool; names are encoded for the same reason as job ids. */
export function queueNameForPool(pool: string): string {
  return `pool.${encodeURIComponent(pool)}`;
}
