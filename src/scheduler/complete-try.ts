/**
 * The fast path: recording how tries ended and, in the same transaction, deciding what that made
 * ready, so the next task starts without waiting for a scheduler loop.
 */
import type { TaskSpec } from '../core/spec.ts';
import { outcomeOfTry, type TryOutcome, type TryResult } from '../core/try-outcome.ts';
import type { QueuedTry } from '../queue/jobs.ts';
import { withTransaction } from '../store/db.ts';
import { appendLogChunks, type LogChunk } from '../store/logs.ts';
import { endTries, tryKeyString, type TryKey } from '../store/task-instances.ts';
import { writeXcoms } from '../store/xcom.ts';
import { resolveAndFinalize, startQueuedRuns } from './run-lifecycle.ts';
import { admitScheduledTasks } from './task-scheduling.ts';
import { dispatch, type Services } from './services.ts';

export interface CompletedTry {
  key: TryKey;
  maxTries: number;
  task: TaskSpec;
  result: TryResult;
  /** The task's return value as JSON, stored with a successful try. */
  xcomJson?: string;
  /** Log lines of the try not yet stored, written in the same transaction. */
  log?: LogChunk;
}

export interface CompletionResult {
  /** Null when the try was no longer running (cleared, marked, or failed as lost): dropped. */
  outcome: TryOutcome | null;
  /** A try made ready by this batch that the caller should claim and run itself. */
  kept?: QueuedTry;
}

/**
 * Records a batch of ended tries in one transaction (a worker completing many tries at once
 * takes the row locks of their shared downstream tasks once, not once per try), then decides
 * what they made ready and sends it.
 *
 * `keepOne` may pick, for each try of the batch, one of the tries just queued for the caller to
 * claim and run itself in the same slot (a worker continuing a chain); those are not sent to
 * Redis. If the caller dies before claiming one, the scheduler re-sends it like any lost message.
 */
export async function completeTries(
  services: Services,
  batch: CompletedTry[],
  keepOne?: (queued: QueuedTry[]) => QueuedTry | undefined,
): Promise<CompletionResult[]> {
  const now = new Date();
  const outcomes = batch.map((done) => outcomeOfTry(done.task, done.key.tryNumber, done.maxTries, done.result, now));
  const { recorded, queued } = await withTransaction(services.db, async (tx) => {
    await appendLogChunks(tx, batch.flatMap((d) => (d.log ? [d.log] : [])));
    const recorded = await endTries(tx, batch.map((done, i) => ({ key: done.key, ...outcomes[i]! })));
    const succeeded = batch.filter((d, i) => recorded.has(tryKeyString(d.key)) && outcomes[i]!.state === 'success');
    await writeXcoms(
      tx,
      succeeded.flatMap((d) => (d.xcomJson === undefined ? [] : [{ ...d.key, json: d.xcomJson }])),
    );
    // Per run, the downstream tasks that the finished (not retrying) tries may have decided.
    const decided = new Map<string, { dagId: string; runId: string; downstream: Set<string> }>();
    batch.forEach((done, i) => {
      if (!recorded.has(tryKeyString(done.key))) return;
      const runKey = `${done.key.dagId}\u0001${done.key.runId}`;
      const entry = decided.get(runKey) ?? { dagId: done.key.dagId, runId: done.key.runId, downstream: new Set<string>() };
      if (outcomes[i]!.state !== 'up_for_retry') for (const d of done.task.downstream) entry.downstream.add(d);
      decided.set(runKey, entry);
    });
    // Runs first, then each DAG once (in name order): admission takes DAG-wide advisory locks,
    // held to commit, so taking them last keeps two workers' batches from queueing on each other.
    const endedDags = new Set<string>();
    const touchedDags = new Set<string>();
    for (const run of decided.values()) {
      touchedDags.add(run.dagId);
      if (await resolveAndFinalize(tx, run.dagId, run.runId, [...run.downstream])) endedDags.add(run.dagId);
    }
    const queued: QueuedTry[] = [];
    for (const dagId of [...touchedDags].sort()) {
      queued.push(...(endedDags.has(dagId) ? await startQueuedRuns(tx, dagId) : await admitScheduledTasks(tx, dagId)));
    }
    return { recorded, queued };
  });
  const results: CompletionResult[] = batch.map((done, i) =>
    recorded.has(tryKeyString(done.key)) ? { outcome: outcomes[i]! } : { outcome: null },
  );
  const toSend = [...queued];
  if (keepOne) {
    for (const result of results) {
      const kept = keepOne(toSend);
      if (!kept) break;
      toSend.splice(toSend.indexOf(kept), 1);
      result.kept = kept;
    }
  }
  await dispatch(services, toSend);
  return results;
}

export async function completeTry(services: Services, done: CompletedTry): Promise<CompletionResult> {
  return (await completeTries(services, [done]))[0]!;
}
