/**
 * Ending a batch of tries in the store: `sluice_complete_tries` (src/store/functions), called as a
 * statement of its own so that the downstream row locks it takes are released by the commit of
 * the same round trip (see the function's header for what it does, returns and guards).
 */
import type { TriggerRule } from '../core/trigger-rules.ts';
import type { QueuedTry } from '../queue/jobs.ts';
import { withTransaction, type Db } from './db.ts';
import { appendLogChunks, type LogChunk } from './logs.ts';
import { tryKeyString, type TryEndState, type TryKey } from './task-instances.ts';

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
  downstream: string[];
  counts: { total: number; success: number; failed: number; upstreamFailed: number; skipped: number };
}

export interface TryCompletion {
  /** tryKeyString of every try recorded; the others were no longer running and are dropped. */
  recorded: Set<string>;
  waiting: WaitingTask[];
  /** Runs the batch finished: their DAG's queued runs should be started (which admits its tasks). */
  endedRuns: { dagId: string; runId: string; state: 'success' | 'failed' }[];
  /** Tries admitted into the slots the batch freed, to send once committed (they are). */
  queued: QueuedTry[];
}

interface Row {
  kind: 'ended' | 'waiting' | 'run_ended' | 'queued';
  dag_id: string;
  run_id: string;
  task_id: string | null;
  try_number: number | null;
  pool: string | null;
  priority_weight: number | null;
  trigger_rule: TriggerRule | null;
  downstream: string[] | null;
  upstream_total: number | null;
  upstream_success: number | null;
  upstream_failed: number | null;
  upstream_upstream_failed: number | null;
  upstream_skipped: number | null;
  run_state: 'success' | 'failed' | null;
}

const CALL = 'SELECT * FROM sluice_complete_tries($1, $2, $3, $4, $5, $6, $7, $8)';

// deadlock_detected, serialization_failure: the statement lost a race and may simply run again.
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Ends the tries, stores their XComs, and admits what the freed slots allow, committed before it
 * returns. Log lines go in the same transaction, ahead of the call (the function only takes the
 * downstream locks when it runs): with lines to store it is a transaction of two statements,
 * without them a single statement.
 */
export async function completeTriesInStore(db: Db, ends: TryEnd[], logs: LogChunk[]): Promise<TryCompletion> {
  const params = [
    ends.map((e) => e.key.dagId),
    ends.map((e) => e.key.runId),
    ends.map((e) => e.key.taskId),
    ends.map((e) => e.key.tryNumber),
    ends.map((e) => e.state),
    ends.map((e) => e.error),
    ends.map((e) => e.nextTryAt),
    ends.map((e) => e.xcomJson ?? null),
  ];
  if (logs.length > 0) {
    return toCompletion(
      await withTransaction(db, async (tx) => {
        await appendLogChunks(tx, logs);
        return (await tx.query<Row>(CALL, params)).rows;
      }),
    );
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return toCompletion((await db.query<Row>(CALL, params)).rows);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt < 5 && code && RETRYABLE.has(code)) continue;
      throw error;
    }
  }
}

function toCompletion(rows: Row[]): TryCompletion {
  const completion: TryCompletion = { recorded: new Set(), waiting: [], endedRuns: [], queued: [] };
  for (const r of rows) {
    switch (r.kind) {
      case 'ended':
        completion.recorded.add(tryKeyString({ dagId: r.dag_id, runId: r.run_id, taskId: r.task_id!, tryNumber: r.try_number! }));
        break;
      case 'waiting':
        completion.waiting.push({
          dagId: r.dag_id,
          runId: r.run_id,
          taskId: r.task_id!,
          triggerRule: r.trigger_rule!,
          downstream: r.downstream!,
          counts: {
            total: r.upstream_total!,
            success: r.upstream_success!,
            failed: r.upstream_failed!,
            upstreamFailed: r.upstream_upstream_failed!,
            skipped: r.upstream_skipped!,
          },
        });
        break;
      case 'run_ended':
        completion.endedRuns.push({ dagId: r.dag_id, runId: r.run_id, state: r.run_state! });
        break;
      case 'queued':
        completion.queued.push({
          dagId: r.dag_id,
          runId: r.run_id,
          taskId: r.task_id!,
          tryNumber: r.try_number!,
          pool: r.pool!,
          priorityWeight: r.priority_weight!,
        });
        break;
    }
  }
  return completion;
}
