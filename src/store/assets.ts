/**
 * Assets in the metadata store (README, "Assets"): their events, the DAGs that produce and consume
 * them, and the queue of events each asset-scheduled DAG has not consumed yet (017_assets.sql).
 * Events of a task's outlets are written by a trigger (ti_record_asset_events.sql); an event from
 * outside by insertAssetEvent; both are queued for their consumers by asset_events_enqueue.sql.
 */
import { ACTIVE_RUN_STATES, sqlList, type RunType } from '../core/states.ts';
import type { TriggeringAssetEvent } from '../sdk/context.ts';
import type { Queryable } from './db.ts';
import type { ConsumedAssetEvent } from './runs.ts';

export interface AssetEventRecord {
  id: number;
  uri: string;
  /** The task instance whose success recorded it; all null for an event from outside Sluice. */
  sourceDagId: string | null;
  sourceRunId: string | null;
  sourceTaskId: string | null;
  sourceMapIndex: number | null;
  extra: Record<string, unknown>;
  timestamp: Date;
}

interface EventRow {
  id: string;
  uri: string;
  source_dag_id: string | null;
  source_run_id: string | null;
  source_task_id: string | null;
  source_map_index: number | null;
  extra: Record<string, unknown>;
  created_at: Date;
}

const toEvent = (r: EventRow): AssetEventRecord => ({
  id: Number(r.id),
  uri: r.uri,
  sourceDagId: r.source_dag_id,
  sourceRunId: r.source_run_id,
  sourceTaskId: r.source_task_id,
  sourceMapIndex: r.source_map_index,
  extra: r.extra,
  timestamp: r.created_at,
});

/** An event as the run that consumes it keeps it (dag_runs.consumed_asset_events). */
export function consumedEvent(e: AssetEventRecord): ConsumedAssetEvent {
  return {
    uri: e.uri,
    sourceDagId: e.sourceDagId,
    sourceRunId: e.sourceRunId,
    sourceTaskId: e.sourceTaskId,
    timestamp: e.timestamp.toISOString(),
    extra: e.extra,
  };
}

/** An event from outside Sluice (the API, the CLI); its trigger queues it for the DAGs scheduled on it. */
export async function insertAssetEvent(db: Queryable, uri: string, extra: Record<string, unknown>): Promise<AssetEventRecord> {
  const { rows } = await db.query<EventRow>('INSERT INTO asset_events (uri, extra) VALUES ($1, $2) RETURNING *', [uri, JSON.stringify(extra)]);
  return toEvent(rows[0]!);
}

/**
 * Every URI Sluice knows, in order: named by an active DAG (a task's outlet, an asset schedule)
 * or with events. The URIs with events come from a skip scan of asset_events_by_uri (one index
 * probe per distinct URI), not a scan of every event.
 */
const KNOWN_URIS = `
  WITH RECURSIVE event_uris AS (
    (SELECT uri FROM asset_events ORDER BY uri LIMIT 1)
    UNION ALL
    SELECT (SELECT e.uri FROM asset_events e WHERE e.uri > u.uri ORDER BY e.uri LIMIT 1) FROM event_uris u WHERE u.uri IS NOT NULL
  ), refs AS (
    SELECT d.dag_id, o.uri, 'producer' AS role FROM dags d, unnest(d.outlet_assets) AS o(uri) WHERE d.is_active AND d.outlet_assets IS NOT NULL
    UNION
    SELECT d.dag_id, s.uri, 'consumer' FROM dags d, unnest(d.schedule_assets) AS s(uri) WHERE d.is_active AND d.schedule_assets IS NOT NULL
  ), uris AS (
    SELECT uri FROM event_uris WHERE uri IS NOT NULL UNION SELECT uri FROM refs
  )`;

export interface AssetRecord {
  uri: string;
  /** Active DAGs with a task whose outlets list it, by id. */
  producers: string[];
  /** Active DAGs scheduled on it, by id. */
  consumers: string[];
  lastEvent: AssetEventRecord | null;
}

/** A page of known assets by URI, with the count of all of them. */
export async function listAssets(db: Queryable, limit: number, offset: number): Promise<{ assets: AssetRecord[]; total: number }> {
  const { rows } = await db.query<{ uri: string; producers: string[]; consumers: string[]; total: number; last: EventRow | null }>(
    `${KNOWN_URIS}
     SELECT u.uri, count(*) OVER ()::int AS total,
       ARRAY(SELECT r.dag_id FROM refs r WHERE r.uri = u.uri AND r.role = 'producer' ORDER BY r.dag_id) AS producers,
       ARRAY(SELECT r.dag_id FROM refs r WHERE r.uri = u.uri AND r.role = 'consumer' ORDER BY r.dag_id) AS consumers,
       (SELECT to_jsonb(e) FROM asset_events e WHERE e.uri = u.uri ORDER BY e.id DESC LIMIT 1) AS last
     FROM uris u ORDER BY u.uri LIMIT $1 OFFSET $2`,
    [limit, offset],
  );
  const total = rows[0]?.total ?? (offset > 0 ? await countKnownAssets(db) : 0);
  return {
    assets: rows.map((r) => ({
      uri: r.uri,
      producers: r.producers,
      consumers: r.consumers,
      // to_jsonb writes the timestamp as text; the record wants a Date, as pg gives it for columns.
      lastEvent: r.last ? toEvent({ ...r.last, created_at: new Date(r.last.created_at) }) : null,
    })),
    total,
  };
}

async function countKnownAssets(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`${KNOWN_URIS} SELECT count(*)::int AS n FROM uris`);
  return rows[0]?.n ?? 0;
}

/** Whether any active DAG names the URI, or it has an event: what POST /assets/events accepts. */
export async function isKnownAsset(db: Queryable, uri: string): Promise<boolean> {
  const { rows } = await db.query<{ known: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM dags WHERE is_active AND (schedule_assets @> ARRAY[$1] OR outlet_assets @> ARRAY[$1]))
         OR EXISTS (SELECT 1 FROM asset_events WHERE uri = $1) AS known`,
    [uri],
  );
  return rows[0]?.known ?? false;
}

/** Every known URI (for a "did you mean" when one is not). */
export async function knownAssetUris(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ uri: string }>(`${KNOWN_URIS} SELECT uri FROM uris ORDER BY uri LIMIT 10000`);
  return rows.map((r) => r.uri);
}

/** A page of events, newest first (of one URI, or of all), with the count of all that match. */
export async function listAssetEvents(
  db: Queryable,
  filter: { uri?: string; limit: number; offset: number },
): Promise<{ events: AssetEventRecord[]; total: number }> {
  const where = filter.uri === undefined ? 'true' : 'uri = $3';
  const params: unknown[] = [filter.limit, filter.offset];
  if (filter.uri !== undefined) params.push(filter.uri);
  // As listRuns: the count and the page in one statement, and a page past the end still counts.
  const { rows } = await db.query<{ total: number } & (EventRow | { id: null })>(
    `SELECT matching.total, page.*
     FROM (SELECT count(*)::int AS total FROM asset_events WHERE ${where}) matching
     LEFT JOIN LATERAL (SELECT * FROM asset_events WHERE ${where} ORDER BY id DESC LIMIT $1 OFFSET $2) page ON true
     ORDER BY page.id DESC`,
    params,
  );
  const events = rows.filter((r): r is { total: number } & EventRow => r.id !== null).map(toEvent);
  return { events, total: rows[0]?.total ?? 0 };
}

// ---- The queue of events each asset-scheduled DAG has yet to consume ----

/** Active, unpaused asset-scheduled DAGs with queued events: the ones that may be due a run. */
export async function dagsWithQueuedAssetEvents(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ dag_id: string }>(
    `SELECT d.dag_id FROM dags d
     WHERE d.schedule_assets IS NOT NULL AND d.is_active AND NOT d.is_paused
       AND EXISTS (SELECT 1 FROM asset_dag_queue q WHERE q.dag_id = d.dag_id)
     ORDER BY d.dag_id`,
  );
  return rows.map((r) => r.dag_id);
}

export interface AssetScheduledDag {
  dagId: string;
  versionHash: string;
  scheduleAssets: string[];
  maxActiveRuns: number;
  /** Its queued and running runs outside backfills: what maxActiveRuns counts. */
  activeRuns: number;
}

/**
 * Locks an active, unpaused asset-scheduled DAG's row until the caller's transaction ends, and
 * returns it; undefined if it is none of those (any more). The lock is what keeps two schedulers
 * from consuming the same events: the second waits here, then finds them gone from the queue.
 */
export async function lockAssetScheduledDag(tx: Queryable, dagId: string): Promise<AssetScheduledDag | undefined> {
  const { rows } = await tx.query<{ dag_id: string; version_hash: string; schedule_assets: string[]; max_active_runs: number }>(
    `SELECT dag_id, version_hash, schedule_assets, max_active_runs FROM dags
     WHERE dag_id = $1 AND schedule_assets IS NOT NULL AND is_active AND NOT is_paused
     FOR UPDATE`,
    [dagId],
  );
  const row = rows[0];
  if (!row) return undefined;
  // Read after the lock: a run another scheduler made for this DAG has committed by now.
  const active = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM dag_runs WHERE dag_id = $1 AND state IN (${sqlList(ACTIVE_RUN_STATES)}) AND backfill_id IS NULL`,
    [dagId],
  );
  return {
    dagId: row.dag_id,
    versionHash: row.version_hash,
    scheduleAssets: row.schedule_assets,
    maxActiveRuns: row.max_active_runs,
    activeRuns: active.rows[0]?.n ?? 0,
  };
}

/** The DAG's queued events, oldest first. */
export async function queuedAssetEvents(tx: Queryable, dagId: string): Promise<AssetEventRecord[]> {
  const { rows } = await tx.query<EventRow>(
    `SELECT e.* FROM asset_dag_queue q JOIN asset_events e ON e.id = q.event_id WHERE q.dag_id = $1 ORDER BY e.id`,
    [dagId],
  );
  return rows.map(toEvent);
}

/**
 * Drops queued events no DAG waits for any more: of a DAG whose file no longer schedules it on
 * assets, or of an asset its schedule no longer lists. Left queued, they would start a run the
 * day the schedule lists the asset again, for updates made while nothing waited for them.
 */
export async function dropUnwantedQueuedEvents(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM asset_dag_queue q USING dags d
     WHERE d.dag_id = q.dag_id AND (d.schedule_assets IS NULL OR NOT (q.uri = ANY (d.schedule_assets)))`,
  );
  return rowCount ?? 0;
}

/** Takes these events off the DAG's queue (consumed by a run, or of an asset it no longer waits for). */
export async function dequeueAssetEvents(tx: Queryable, dagId: string, eventIds: number[]): Promise<void> {
  if (eventIds.length === 0) return;
  await tx.query('DELETE FROM asset_dag_queue WHERE dag_id = $1 AND event_id = ANY ($2::bigint[])', [dagId, eventIds]);
}

/**
 * A try's ctx.triggeringAssetEvents: what its run consumed, if it is an asset-triggered run (its
 * id says so: run ids are `<runType>__<logicalDate>`, so other runs cost no query), else [].
 */
export async function triggeringAssetEvents(
  db: Queryable,
  dagId: string,
  runId: string,
): Promise<TriggeringAssetEvent[]> {
  if (!runId.startsWith(`${'asset_triggered' satisfies RunType}__`)) return [];
  const { rows } = await db.query<{ events: ConsumedAssetEvent[] | null }>(
    'SELECT consumed_asset_events AS events FROM dag_runs WHERE dag_id = $1 AND run_id = $2',
    [dagId, runId],
  );
  return (rows[0]?.events ?? []).map((e) => ({ ...e, timestamp: new Date(e.timestamp) }));
}
