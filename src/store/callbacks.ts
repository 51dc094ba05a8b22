/**
 * Callbacks in the metadata store (migration 012): the rows the triggers ti_record_callbacks and
 * run_record_callbacks write when an event with callbacks happens, and every later transition of
 * such a row, each one guarded statement:
 *
 *   pending → running          claimCallback (a worker takes it, with a lease)
 *   running → running          extendCallbackLeases (the worker is alive)
 *   running → success          finishCallback, the functions ran
 *   running → pending | failed finishCallback, a try failed (pending again while tries remain)
 *   running → pending | failed releaseExpiredCallbackLeases (its worker died or stopped answering)
 *
 * A row is never deleted here (its run's deletion takes it along) and never goes back from
 * success or failed, so what the API shows is final once it says so.
 */
import type { CallbackEvent } from '../sdk/callbacks.ts';
import type { Queryable } from './db.ts';

export type CallbackState = 'pending' | 'running' | 'success' | 'failed';

/** A callback row as the API and the UI read it. */
export interface CallbackRecord {
  id: number;
  dagId: string;
  runId: string;
  taskId: string | null;
  mapIndex: number;
  event: CallbackEvent;
  tryNumber: number | null;
  eventState: string;
  eventError: string | null;
  state: CallbackState;
  tries: number;
  maxTries: number;
  /** The last failed try's error (null once a try succeeded). */
  error: string | null;
  createdAt: Date;
  endDate: Date | null;
}

const RECORD_COLUMNS = `c.id::int AS "id", c.dag_id AS "dagId", c.run_id AS "runId", c.task_id AS "taskId", c.map_index AS "mapIndex",
  c.event, c.try_number AS "tryNumber", c.event_state AS "eventState", c.event_error AS "eventError", c.state, c.tries,
  c.max_tries AS "maxTries", c.error, c.created_at AS "createdAt", c.end_date AS "endDate"`;

/** A callback a worker claimed: the row, and what of its run the callback's context needs. */
export interface ClaimedCallback extends CallbackRecord {
  logicalDate: Date;
  conf: Record<string, unknown>;
  versionHash: string;
}

/**
 * The pending callbacks due now whose message was never sent, or sent `resendAfterMs` ago
 * without a worker taking it (lost in Redis, or sent while no worker ran), marked as sent now.
 * Rows locked by another scheduler doing the same are passed over (SKIP LOCKED), so two
 * schedulers send each once. Oldest first, at most `limit`.
 */
export async function takeCallbacksToSend(db: Queryable, resendAfterMs: number, limit = 500): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `UPDATE callbacks c SET sent_at = clock_timestamp()
      WHERE c.id IN (
        SELECT p.id FROM callbacks p
         WHERE p.state = 'pending' AND p.next_try_at <= clock_timestamp()
           AND (p.sent_at IS NULL OR p.sent_at < clock_timestamp() - $1 * interval '1 millisecond')
         ORDER BY p.next_try_at, p.id LIMIT $2
         FOR UPDATE SKIP LOCKED)
        AND c.state = 'pending'
      RETURNING c.id::int AS id`,
    [resendAfterMs, limit],
  );
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/**
 * pending → running for callback `id`, if it is pending and due: the worker holds it until
 * `leaseMs` from now, and must extend that while it runs (extendCallbackLeases). Counts the try.
 * Undefined when another worker took it, it is finished, or its retry is not due (a stale or
 * duplicate message): the guard is what makes at-least-once delivery of messages safe.
 */
export async function claimCallback(db: Queryable, id: number, workerId: string, leaseMs: number): Promise<ClaimedCallback | undefined> {
  const { rows } = await db.query<ClaimedCallback>(
    `WITH claimed AS (
       UPDATE callbacks c SET state = 'running', tries = c.tries + 1, claimed_by = $2,
              lease_expires_at = clock_timestamp() + $3 * interval '1 millisecond'
        WHERE c.id = $1 AND c.state = 'pending' AND c.next_try_at <= clock_timestamp()
        RETURNING c.*)
     SELECT ${RECORD_COLUMNS}, r.logical_date AS "logicalDate", r.conf, r.version_hash AS "versionHash"
       FROM claimed c JOIN dag_runs r ON r.dag_id = c.dag_id AND r.run_id = c.run_id`,
    [id, workerId, leaseMs],
  );
  return rows[0];
}

/** Moves the leases of these running callbacks, still held by `workerId`, to `leaseMs` from now. Returns the ids still held. */
export async function extendCallbackLeases(db: Queryable, workerId: string, ids: number[], leaseMs: number): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.query<{ id: number }>(
    `UPDATE callbacks c SET lease_expires_at = clock_timestamp() + $3 * interval '1 millisecond'
      WHERE c.id = ANY ($1::bigint[]) AND c.state = 'running' AND c.claimed_by = $2
      RETURNING c.id::int AS id`,
    [ids, workerId, leaseMs],
  );
  return new Set(rows.map((r) => r.id));
}

/** How a callback try ended: its functions all ran, or one threw (`error`, its message). */
export type CallbackOutcome = { ok: true } | { ok: false; error: string };

/**
 * Records the end of try `tries` of callback `id` and appends its log: success; or, after a
 * failed try, pending again from `retryDelayMs` from now while tries remain, else failed.
 * Guarded by the claim (running, held by `workerId`, the same try): a worker whose lease expired
 * meanwhile (its try was taken back and may run again elsewhere) changes nothing. Returns the
 * new state, or undefined when the guard refused.
 */
export async function finishCallback(
  db: Queryable,
  claim: { id: number; workerId: string; tries: number },
  outcome: CallbackOutcome,
  log: string,
  retryDelayMs: number,
): Promise<CallbackState | undefined> {
  const { rows } = await db.query<{ state: CallbackState }>(
    `UPDATE callbacks c
        SET state = CASE WHEN $4 THEN 'success' WHEN c.tries >= c.max_tries THEN 'failed' ELSE 'pending' END,
            error = CASE WHEN $4 THEN NULL ELSE $5 END,
            end_date = CASE WHEN $4 OR c.tries >= c.max_tries THEN clock_timestamp() END,
            next_try_at = CASE WHEN $4 OR c.tries >= c.max_tries THEN c.next_try_at
                               ELSE clock_timestamp() + $7 * interval '1 millisecond' END,
            log = c.log || $6, claimed_by = NULL, lease_expires_at = NULL, sent_at = NULL
      WHERE c.id = $1 AND c.state = 'running' AND c.claimed_by = $2 AND c.tries = $3
      RETURNING c.state`,
    [claim.id, claim.workerId, claim.tries, outcome.ok, outcome.ok ? null : outcome.error, log, retryDelayMs],
  );
  return rows[0]?.state;
}

/**
 * running → pending (or failed, if that was its last try) for callbacks whose lease expired: their
 * worker died (SIGKILL, a lost machine) or stopped answering. The try counts as failed, with
 * that reason as its error and a line in its log. Returns how many moved. Safe beside a worker
 * that is merely late: its finishCallback is then refused, and the callback runs again.
 */
export async function releaseExpiredCallbackLeases(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE callbacks c
        SET state = CASE WHEN c.tries >= c.max_tries THEN 'failed' ELSE 'pending' END,
            error = format('try %s: the worker running it (%s) stopped answering before it ended (its lease expired)', c.tries, c.claimed_by),
            end_date = CASE WHEN c.tries >= c.max_tries THEN clock_timestamp() END,
            next_try_at = clock_timestamp(),
            log = c.log || json_build_object('time', (extract(epoch FROM clock_timestamp()) * 1000)::bigint, 'level', 50,
                    'msg', format('try %s: its worker (%s) stopped answering before the callback ended; %s', c.tries, c.claimed_by,
                      CASE WHEN c.tries >= c.max_tries THEN 'no try left' ELSE 'it will be tried again' END))::text || E'\n',
            claimed_by = NULL, lease_expires_at = NULL, sent_at = NULL
      WHERE c.state = 'running' AND c.lease_expires_at < clock_timestamp()`,
  );
  return rowCount ?? 0;
}

/** A run's callbacks in the order they were recorded, a page at a time, and how many there are. */
export async function listRunCallbacks(
  db: Queryable,
  dagId: string,
  runId: string,
  limit: number,
  offset: number,
): Promise<{ callbacks: CallbackRecord[]; total: number }> {
  const [page, count] = await Promise.all([
    db.query<CallbackRecord>(
      `SELECT ${RECORD_COLUMNS} FROM callbacks c WHERE c.dag_id = $1 AND c.run_id = $2 ORDER BY c.id LIMIT $3 OFFSET $4`,
      [dagId, runId, limit, offset],
    ),
    db.query<{ n: number }>('SELECT count(*)::int AS n FROM callbacks c WHERE c.dag_id = $1 AND c.run_id = $2', [dagId, runId]),
  ]);
  return { callbacks: page.rows, total: count.rows[0]?.n ?? 0 };
}

/** The stored log of one callback of a run (every try's lines, JSON lines as task logs are), or undefined. */
export async function getCallbackLog(db: Queryable, dagId: string, runId: string, id: number): Promise<string | undefined> {
  const { rows } = await db.query<{ log: string }>('SELECT c.log FROM callbacks c WHERE c.id = $1 AND c.dag_id = $2 AND c.run_id = $3', [
    id,
    dagId,
    runId,
  ]);
  return rows[0]?.log;
}
