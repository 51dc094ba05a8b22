/**
 * The fast path: recording how tries ended and deciding what that made ready, so the next task
 * starts without waiting for a scheduler loop.
 */
import pg from 'pg';
import type { TaskSpec } from '../core/spec.ts';
import { storableText } from '../core/text.ts';
import { outcomeOfTry, type TryOutcome, type TryResult } from '../core/try-outcome.ts';
import { evaluateTriggerRule } from '../core/trigger-rules.ts';
import { taskErrorLine } from '../log-format.ts';
import type { QueuedTry } from '../queue/jobs.ts';
import { withTransaction, type Db } from '../store/db.ts';
import type { LogChunk } from '../store/logs.ts';
import { admitScheduledInPool, tryKeyString, type ClaimedTry, type TryKey } from '../store/task-instances.ts';
import { completeTriesInStore, scheduleDecided, type ClaimRequest, type WaitingTask } from '../store/try-completion.ts';
import { traces } from '../tracing/traces.ts';
import { finalizeRunIfDone, startQueuedRuns } from './run-lifecycle.ts';
import { admitScheduledTasks, resolveWaitingTasks, runKey } from './task-scheduling.ts';
import { dispatch, type Services } from './services.ts';

export interface CompletedTry {
  key: TryKey;
  maxTries: number;
  task: TaskSpec;
  result: TryResult;
  /** The task's return value as JSON, stored with a successful try. */
  xcomJson?: string;
  /** Log lines of the try not yet stored, written in the same transaction as its outcome. */
  log?: LogChunk;
  /** When the try started (its claim's start_date): where its trace span begins. */
  startDate?: Date;
}

export interface CompletionResult {
  /** Null when the try was no longer running (cleared, marked, or failed as lost): dropped. */
  outcome: TryOutcome | null;
}

/**
 * Picks, among the tries a batch just queued, those the caller claims and runs itself (a worker:
 * the next task of a chain, the tasks a fan-in released) rather than having them sent to Redis.
 */
export type KeepTries = (queued: QueuedTry[]) => QueuedTry[];

/**
 * Records a batch of ended tries in one statement (a worker completing many tries at once takes
 * the row locks of their shared downstream tasks once, not once per try, and only for the
 * server's own time), then decides what they made ready and sends it.
 *
 * `keep` may take some of the tries just queued for the caller to claim and run itself (a worker
 * continuing a chain, or starting what a fan-in released); those are not sent to Redis. If the
 * caller dies before claiming one, the scheduler re-sends it like any lost message.
 *
 * A batch whose transaction fails is rejected whole; the caller (the worker's GroupCommit)
 * then records its tries one by one. A single try that PostgreSQL refuses because of what it
 * carries is recorded as failed with the database's reason (see recordUnstorableTry), rather
 * than left running until the heartbeat timeout with a misleading message.
 */
export async function completeTries(services: Services, batch: CompletedTry[], keep?: KeepTries): Promise<CompletionResult[]> {
  return (await claimAndCompleteTries(services, undefined, batch, keep)).results;
}

/**
 * completeTries, claiming `claims` in the same statement (a worker's claims and ends in one round
 * trip: see completeTriesInStore). The batch's results, and the tries claimed (by tryKeyString;
 * one missing had a stale message, see claimTries). A refused value fails the whole statement,
 * claims included: only a batch of one end and no claim is then recorded as failed with the
 * database's reason; the caller splits a bigger one.
 */
export async function claimAndCompleteTries(
  services: Services,
  claims: ClaimRequest | undefined,
  batch: CompletedTry[],
  keep?: KeepTries,
): Promise<{ claimed: Map<string, ClaimedTry>; results: CompletionResult[] }> {
  const now = new Date();
  const outcomes = batch.map((done) => storableOutcome(outcomeOfTry(done.task, done.key.tryNumber, done.maxTries, done.result, now)));
  let recording: Recording;
  try {
    recording = await recordTries(services.db, batch, outcomes, claims);
  } catch (error) {
    if (batch.length !== 1 || (claims?.keys.length ?? 0) > 0 || !refusedByTheDatabase(error)) throw error;
    const unstorable = await recordUnstorableTry(services, batch[0]!, error, now);
    outcomes[0] = unstorable.outcome;
    recording = unstorable;
  }
  const { recorded, queued } = recording;
  const results: CompletionResult[] = batch.map((done, i) =>
    recorded.has(tryKeyString(done.key)) ? { outcome: outcomes[i]! } : { outcome: null },
  );
  // After the fast path's own work: by the time the check phase comes, the caller has sent its
  // next statement (the worker's next claims), and the spans are made while it waits on it.
  if (traces.on) setImmediate(traceEnds, batch, results, now);
  const queuedNow = [...queued, ...(await admitOtherDags(services, batch, recording))];
  const kept = new Set(keep?.(queuedNow) ?? []);
  await dispatch(services, kept.size > 0 ? queuedNow.filter((t) => !kept.has(t)) : queuedNow);
  return { claimed: recording.claimed, results };
}

/**
 * The batch's recorded ends, for the traces (committed by now). A sensor's "not yet" pauses its try
 * rather than ending it: its span comes with the check that ends it. A try that was no longer
 * running (cleared, marked or failed as lost) was ended by someone else, and has no span here.
 */
function traceEnds(batch: CompletedTry[], results: CompletionResult[], endDate: Date): void {
  batch.forEach((done, i) => {
    const outcome = results[i]!.outcome;
    if (outcome === null || outcome.state === 'up_for_reschedule') return;
    traces.tryEnded({ ...done.key, startDate: done.startDate, endDate, outcome });
  });
}

/**
 * Gives the slots this batch freed in a pool where its own DAGs took none to the other DAGs'
 * scheduled tasks there (sluice_admit_pool), so they do not wait for the scheduler's loop. The
 * recording does that itself when it can take the pool's lock without waiting; this is for the
 * pools it could not (othersWaiting): a fan-out of one DAG never asks. A pool where the batch's
 * DAGs took a slot (a chain, a fan-out still admitting) is left alone: their own work is
 * waiting, or another worker's batch took the room. A statement of its own, after the
 * recording's commit: it waits for the pool's lock, so it must hold no other. If it fails or the
 * process dies first, the scheduler's loop admits them.
 */
async function admitOtherDags(services: Services, batch: CompletedTry[], { recorded, queued, othersWaiting }: Recording): Promise<QueuedTry[]> {
  const freed = new Set<string>();
  const dags = new Set<string>();
  for (const done of batch) {
    if (!recorded.has(tryKeyString(done.key))) continue;
    if (othersWaiting.has(done.task.pool)) freed.add(done.task.pool);
    dags.add(done.key.dagId);
  }
  for (const t of queued) freed.delete(t.pool);
  const admitted: QueuedTry[] = [];
  for (const pool of [...freed].sort()) {
    try {
      admitted.push(...(await admitScheduledInPool(services.db, pool, [...dags])));
    } catch (error) {
      // The batch is recorded already: failing it now would have the caller record it again.
      services.log.warn({ err: error, pool }, "could not give a pool's free slots to other DAGs; the scheduler's loop will");
    }
  }
  return admitted;
}

interface Recording {
  recorded: Set<string>;
  queued: QueuedTry[];
  claimed: Map<string, ClaimedTry>;
  /** See TryCompletion.othersWaiting. */
  othersWaiting: Set<string>;
}

/**
 * Records the batch (one statement: see completeTriesInStore), then decides the waiting tasks it
 * returned that its ends made decidable.
 *
 * The recording applies the common verdict itself (every upstream succeeded: the task runs, and is
 * admitted in the same statement), so most batches are one round trip. The rest are judged here,
 * by evaluateTriggerRule, on the counts the recording read under the downstream row locks: of two
 * upstream ends the later one sees both, and deciding only where they decide something loses
 * nothing. A task judged 'run' is scheduled
 * by one statement guarded by the counts it was judged on (scheduleDecided: no re-read; if they
 * moved meanwhile, whoever moved them decides it), which also admits. A skip or an upstream
 * failure cascades downstream and may end the run: those go through resolveWaitingTasks, which
 * re-reads, in a transaction of their own. Should the process die between the steps, the
 * scheduler's sweep decides those tasks.
 */
async function recordTries(db: Db, batch: CompletedTry[], outcomes: TryOutcome[], claims?: ClaimRequest): Promise<Recording> {
  const completion = await completeTriesInStore(
    db,
    batch.map((done, i) => ({ key: done.key, ...outcomes[i]!, xcomJson: done.xcomJson })),
    batch.flatMap((d) => (d.log ? [d.log] : [])),
    claims,
  );
  const { recorded, claimed, othersWaiting } = completion;
  const toRun: WaitingTask[] = [];
  const cascading = new Map<string, { dagId: string; runId: string; taskIds: string[] }>();
  for (const w of completion.waiting) {
    const verdict = evaluateTriggerRule(w.triggerRule, w.counts);
    if (verdict === 'wait') continue;
    if (verdict === 'run') {
      toRun.push(w);
      continue;
    }
    const key = runKey(w);
    const entry = cascading.get(key) ?? { dagId: w.dagId, runId: w.runId, taskIds: [] };
    entry.taskIds.push(w.taskId);
    cascading.set(key, entry);
  }
  if (traces.on) for (const run of completion.endedRuns) traces.runEnded(run);
  const queued = [...completion.queued, ...(await scheduleDecided(db, toRun))];
  if (cascading.size === 0 && completion.runsToStart.length === 0) return { recorded, queued, claimed, othersWaiting };
  queued.push(
    ...(await withTransaction(db, async (tx) => {
      // Runs first, then each DAG once (in name order): admission takes DAG-wide advisory locks,
      // held to commit, so taking them last keeps two workers' batches from queueing on each other.
      const startingDags = new Set(completion.runsToStart);
      for (const run of cascading.values()) {
        await resolveWaitingTasks(tx, run.dagId, run.runId, run.taskIds);
        if ((await finalizeRunIfDone(tx, run.dagId, run.runId)) !== null) startingDags.add(run.dagId);
      }
      const dags = new Set([...startingDags, ...[...cascading.values()].map((r) => r.dagId)]);
      const admitted: QueuedTry[] = [];
      for (const dagId of [...dags].sort()) {
        admitted.push(...(startingDags.has(dagId) ? await startQueuedRuns(tx, dagId) : await admitScheduledTasks(tx, dagId)));
      }
      return admitted;
    })),
  );
  return { recorded, queued, claimed, othersWaiting };
}

/** An error message as PostgreSQL will store it (task code may throw any text). */
function storableOutcome(outcome: TryOutcome): TryOutcome {
  return outcome.error === null ? outcome : { ...outcome, error: storableText(outcome.error) };
}

/**
 * Whether PostgreSQL refused the statement itself (a value it cannot store, a limit), as opposed
 * to the connection or the server failing: SQLSTATE classes 08 (connection), 40 (rollback: a
 * deadlock still lost after withTransaction's retries), 53 (resources), 57 (operator: shutdown),
 * 58 (system), or no SQLSTATE at all (the client lost the server). Only a refusal is the try's
 * own doing, so only then is it recorded as failed; otherwise it waits for the heartbeat timeout
 * and is retried, as before.
 */
function refusedByTheDatabase(error: unknown): error is pg.DatabaseError {
  return error instanceof pg.DatabaseError && !['08', '40', '53', '57', '58'].includes((error.code ?? '').slice(0, 2));
}

/**
 * Records a try that PostgreSQL refused to store as it ended (the text it carries, most likely:
 * errors and log lines are cleaned before this, XCom values checked, so this is the last guard)
 * as failed with the database's reason: without its XCom, its log cleaned and kept, with a line
 * saying what happened. A failure that would have been retried still is; a success is not
 * retried, since running the same code again would most likely produce the same value.
 */
async function recordUnstorableTry(
  services: Services,
  done: CompletedTry,
  error: pg.DatabaseError,
  now: Date,
): Promise<Recording & { outcome: TryOutcome }> {
  const reason = `could not store the try's outcome: ${error.message}${error.detail ? ` (${error.detail})` : ''}`;
  const ended = {
    success: '; the task itself had succeeded',
    skipped: '; the task itself had skipped',
    failed: `; the task itself had failed: ${done.result.kind === 'failed' ? done.result.error : ''}`,
    reschedule: '; the task itself had asked to be rescheduled',
  }[done.result.kind];
  const result: TryResult = { kind: 'failed', error: reason + ended, retryable: done.result.kind === 'failed' && done.result.retryable };
  const outcome = storableOutcome(outcomeOfTry(done.task, done.key.tryNumber, done.maxTries, result, now));
  const line = taskErrorLine(
    `${outcome.error}. The try is recorded as ${outcome.state}${done.xcomJson === undefined ? '' : ' and its return value (XCom) is not stored'}.`,
    now,
  );
  const log = { ...done.key, chunk: storableText((done.log?.chunk ?? '') + line) };
  services.log.error(
    { err: error, dagId: done.key.dagId, runId: done.key.runId, taskId: done.key.taskId, try: done.key.tryNumber, state: outcome.state },
    "PostgreSQL refused a try's outcome; recording the try as failed with the reason",
  );
  const recording = await recordTries(services.db, [{ ...done, result, xcomJson: undefined, log }], [outcome]);
  return { ...recording, outcome };
}

export async function completeTry(services: Services, done: CompletedTry): Promise<CompletionResult> {
  return (await completeTries(services, [done]))[0]!;
}
