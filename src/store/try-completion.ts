/**
 * Ending a batch of tries in the store, and scheduling what their ends made ready: two SQL
 * functions (src/store/functions), each called as a statement of its own so that the row locks it
 * takes are released by the commit of the same round trip (see each function's header for what it
 * does, returns and guards):
 * - `sluice_complete_tries`: running → the tries' outcomes; a downstream task whose upstreams all
 *   succeeded is scheduled and admitted in the same statement (the common case: one round trip
 *   per batch); returns the other waiting downstream tasks with their counts;
 * - `sluice_schedule_decided`: none → scheduled for the tasks the caller judged 'run' on those
 *   counts, guarded by them, then admission.
 */
import type { TriggerRule } from '../core/trigger-rules.ts';
import type { QueuedTry } from '../queue/jobs.ts';
import { withTransaction, type Db } from './db.ts';
import { appendLogChunks, type LogChunk } from './logs.ts';
import { claimedTries, compareTryKeys, toQueuedTry, tryKeyArrays, tryKeyString, type ClaimedRow, type QueuedTryRow, type ClaimedTry, type TryEndState, type TryKey } from './task-instances.ts';

export interface TryEnd {
  key: TryKey;
  state: TryEndState;
  error: string | null;
  nextTryAt: Date | null;
  /** The try's return value as JSON; stored only if it ends 'success'. */
  xcomJson?: string;
}

/** A task still waiting downstream of the batch, with its upstream counts as the batch left them. */
export interface WaitingTask {
  dagId: string;
  runId: string;
  taskId: string;
  triggerRule: TriggerRule;
  counts: { total: number; success: number; failed: number; upstreamFailed: number; skipped: number };
}

export interface TryCompletion {
  /** tryKeyString of every try recorded; the others were no longer running and are dropped. */
  recorded: Set<string>;
  waiting: WaitingTask[];
  /** Runs the batch finished. */
  endedRuns: { dagId: string; runId: string; state: 'success' | 'failed' }[];
  /**
   * DAGs of those runs that have runs queued: the caller starts them (which admits the DAG's
   * tasks: the batch admitted none of those DAGs'). Other DAGs were admitted by the batch.
   */
  runsToStart: string[];
  /** Tries admitted into the slots the batch freed, to send once committed (they are). */
  queued: QueuedTry[];
  /** The tries of `claims` claimed with the batch, by tryKeyString (see claimTries). */
  claimed: Map<string, ClaimedTry>;
  /**
   * Pools where the batch freed slots and DAGs not in the batch have tasks scheduled (read
   * without the pool's lock: a hint for admitting them at once, see sluice_complete_tries).
   */
  othersWaiting: Set<string>;
}

/** Tries a worker claims in the same round trip as the batch (see completeTriesInStore). */
export interface ClaimRequest {
  keys: TryKey[];
  workerId: string;
  hostname: string;
}

/** A row of either function; the claim's columns (ClaimedRow) are set on 'claimed' rows only. */
interface Row extends Partial<Omit<ClaimedRow, 'dag_id' | 'run_id' | 'task_id' | 'map_index' | 'try_number'>> {
  kind: 'claimed' | 'ended' | 'waiting' | 'run_ended' | 'runs_queued' | 'queued' | 'others_waiting';
  dag_id: string;
  run_id: string;
  task_id: string | null;
  map_index: number | null;
  try_number: number | null;
  pool: string | null;
  queue: string | null;
  priority_weight: number | null;
  trigger_rule: TriggerRule | null;
  upstream_total: number | null;
  upstream_success: number | null;
  upstream_failed: number | null;
  upstream_upstream_failed: number | null;
  upstream_skipped: number | null;
  run_state: 'success' | 'failed' | null;
}

// Named, so each connection parses and plans the call once (a prepared statement) instead of on
// every batch; the functions' own statements have their plans cached anyway.
const CALL = { name: 'sluice_complete_tries', text: 'SELECT * FROM sluice_complete_tries($1, $2, $3, $4, $5, $6, $7, $8, $9)' };
const CALL_WITH_CLAIMS = {
  name: 'sluice_claim_and_complete_tries',
  text: 'SELECT * FROM sluice_claim_and_complete_tries($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)',
};
const SCHEDULE_DECIDED = { name: 'sluice_schedule_decided', text: 'SELECT * FROM sluice_schedule_decided($1, $2, $3, $4, $5, $6, $7)' };

// deadlock_detected, serialization_failure: the statement lost a race and may simply run again.
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Ends the tries, stores their XComs, and admits what the freed slots allow, committed before it
 * returns; with `claims`, claims those tries in the same statement (a worker's claims and ends in
 * one round trip and one commit: sluice_claim_and_complete_tries). Log lines go in the same
 * transaction, ahead of the call (the function only takes the downstream locks when it runs):
 * with lines to store it is a transaction of two statements, without them a single statement.
 */
export async function completeTriesInStore(db: Db, given: TryEnd[], logs: LogChunk[], claims?: ClaimRequest): Promise<TryCompletion> {
  // In key order, as heartbeats lock the same rows (compareTryKeys).
  const ends = [...given].sort((a, b) => compareTryKeys(a.key, b.key));
  const endParams = [
    ...tryKeyArrays(ends.map((e) => e.key)),
    ends.map((e) => e.state),
    ends.map((e) => e.error),
    ends.map((e) => e.nextTryAt),
    ends.map((e) => e.xcomJson ?? null),
  ];
  const [sql, params] =
    claims && claims.keys.length > 0
      ? [
          CALL_WITH_CLAIMS,
          [
            ...tryKeyArrays(claims.keys),
            claims.workerId,
            claims.hostname,
            ...endParams,
          ],
        ]
      : [CALL, endParams];
  if (logs.length > 0) {
    return toCompletion(
      await withTransaction(db, async (tx) => {
        await appendLogChunks(tx, logs);
        return (await tx.query<Row>({ ...sql, values: params })).rows;
      }),
    );
  }
  return toCompletion((await retried(() => db.query<Row>({ ...sql, values: params }))).rows);
}

/** Runs a statement of its own again (up to 5 times) when it lost a race (RETRYABLE). */
async function retried<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt < 5 && code && RETRYABLE.has(code)) continue;
      throw error;
    }
  }
}

/**
 * Schedules the waiting tasks judged 'run' on the counts they were returned with, if the counts
 * are still those (see sluice_schedule_decided), and admits what the DAGs' slots allow: one
 * statement, committed before it returns. Returns the tries admitted, to send.
 */
export async function scheduleDecided(db: Db, tasks: WaitingTask[]): Promise<QueuedTry[]> {
  if (tasks.length === 0) return [];
  // One order for every caller, so two calls lock the rows they share in the same order (a
  // deadlock with a completion, which locks in the database's collation order, is run again).
  const sorted = [...tasks].sort((a, b) => compareKeys(a, b));
  const values = [
    sorted.map((t) => t.dagId),
    sorted.map((t) => t.runId),
    sorted.map((t) => t.taskId),
    sorted.map((t) => t.counts.success),
    sorted.map((t) => t.counts.failed),
    sorted.map((t) => t.counts.upstreamFailed),
    sorted.map((t) => t.counts.skipped),
  ];
  const { rows } = await retried(() => db.query<QueuedTryRow>({ ...SCHEDULE_DECIDED, values }));
  return rows.map(toQueuedTry);
}

function compareKeys(a: WaitingTask, b: WaitingTask): number {
  return a.dagId < b.dagId ? -1 : a.dagId > b.dagId ? 1 : a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0;
}

function toCompletion(rows: Row[]): TryCompletion {
  const completion: TryCompletion = {
    recorded: new Set(),
    waiting: [],
    endedRuns: [],
    runsToStart: [],
    queued: [],
    claimed: new Map(),
    othersWaiting: new Set(),
  };
  const claimedRows: ClaimedRow[] = [];
  for (const r of rows) {
    switch (r.kind) {
      case 'claimed':
        claimedRows.push(r as ClaimedRow);
        break;
      case 'ended':
        completion.recorded.add(
          tryKeyString({ dagId: r.dag_id, runId: r.run_id, taskId: r.task_id!, mapIndex: r.map_index!, tryNumber: r.try_number! }),
        );
        break;
      case 'waiting':
        completion.waiting.push({
          dagId: r.dag_id,
          runId: r.run_id,
          taskId: r.task_id!,
          triggerRule: r.trigger_rule!,
          counts: {
            total: r.upstream_total!,
            success: r.upstream_success!,
            failed: r.upstream_failed!,
            upstreamFailed: r.upstream_upstream_failed!,
            skipped: r.upstream_skipped!,
          },
        });
        break;
      case 'others_waiting':
        completion.othersWaiting.add(r.pool!);
        break;
      case 'run_ended':
        completion.endedRuns.push({ dagId: r.dag_id, runId: r.run_id, state: r.run_state! });
        break;
      case 'runs_queued':
        completion.runsToStart.push(r.dag_id);
        break;
      case 'queued':
        completion.queued.push({
          dagId: r.dag_id,
          runId: r.run_id,
          taskId: r.task_id!,
          mapIndex: r.map_index!,
          tryNumber: r.try_number!,
          pool: r.pool!,
          queue: r.queue!,
          priorityWeight: r.priority_weight!,
        });
        break;
    }
  }
  completion.claimed = claimedTries(claimedRows);
  return completion;
}
