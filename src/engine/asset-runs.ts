/**
 * Asset-triggered runs (README, "Assets"): a DAG scheduled on assets gets a run as soon as every
 * one of them has had an event since its previous asset-triggered run, consuming all of those
 * events, as Airflow's asset (dataset) scheduling does.
 */
import { makeRunId } from '../core/states.ts';
import type { Logger } from '../log.ts';
import {
  consumedEvent,
  dagsWithQueuedAssetEvents,
  dequeueAssetEvents,
  dropUnwantedQueuedEvents,
  lockAssetScheduledDag,
  queuedAssetEvents,
} from '../store/assets.ts';
import { withTransaction, type Db, type Queryable } from '../store/db.ts';
import { insertRunFrom, type DagRunRecord } from '../store/runs.ts';
import { forEachIsolated } from './isolate.ts';
import { requireVersion } from './run-lifecycle.ts';

/**
 * For every active, unpaused asset-scheduled DAG with events queued: the run its events call for,
 * if every asset has one. Each DAG in its own transaction (one DAG's trouble does not hold up the
 * others). Returns the runs made; the caller starts them (startRuns). Idempotent: the events a
 * run consumes leave the DAG's queue in the run's transaction.
 */
export async function createAssetTriggeredRuns(db: Db, log: Logger): Promise<DagRunRecord[]> {
  const created: DagRunRecord[] = [];
  await dropUnwantedQueuedEvents(db);
  await forEachIsolated(
    await dagsWithQueuedAssetEvents(db),
    async (dagId) => {
      const run = await withTransaction(db, (tx) => consumeQueuedEvents(tx, dagId));
      if (run) created.push(run);
    },
    log,
    (dagId) => ({ dagId }),
  );
  return created;
}

/**
 * Makes the DAG's run from its queued events, or nothing when an asset of its schedule has none
 * yet, or when the DAG has maxActiveRuns runs queued or running already: as in Airflow, the
 * events then wait and the next run consumes them all, so a consumer slower than its producers
 * gets fewer, larger runs rather than an ever longer line of queued ones. Two schedulers never make two runs of one set of events: the DAG's row is locked first
 * (FOR UPDATE, waited for rather than skipped, so neither leaves the events for a later loop),
 * and the queue is read after the lock, so the second sees what the first consumed as gone.
 * An event committed meanwhile stays queued for the next run: only the events read are removed.
 */
async function consumeQueuedEvents(tx: Queryable, dagId: string): Promise<DagRunRecord | undefined> {
  const dag = await lockAssetScheduledDag(tx, dagId);
  if (!dag) return undefined;
  if (dag.activeRuns >= dag.maxActiveRuns) return undefined;
  const queued = await queuedAssetEvents(tx, dagId);
  // An asset the schedule no longer lists (the file just changed): dropUnwantedQueuedEvents's.
  const wanted = new Set(dag.scheduleAssets);
  const consumed = queued.filter((e) => wanted.has(e.uri));
  const seen = new Set(consumed.map((e) => e.uri));
  if (dag.scheduleAssets.some((uri) => !seen.has(uri))) return undefined;

  const spec = await requireVersion(tx, dagId, dag.versionHash);
  const { rows } = await tx.query<{ now: Date }>('SELECT clock_timestamp() AS now');
  // logicalDate = when the run is made, and a zero-length interval there (as a manual run has);
  // a moment another run of the DAG has (a manual run in the same millisecond) moves it on.
  const run = await insertRunFrom(
    tx,
    rows[0]!.now,
    (at) => ({
      dagId,
      runId: makeRunId('asset_triggered', at),
      runType: 'asset_triggered',
      logicalDate: at,
      dataIntervalStart: at,
      dataIntervalEnd: at,
      conf: {},
      consumedAssetEvents: consumed.map(consumedEvent),
    }),
    spec,
    dag.versionHash,
  );
  if (!run) throw new Error(`DAG ${dagId} has runs at every millisecond tried from ${rows[0]!.now.toISOString()}; its asset-triggered run waits for the next loop`);
  await dequeueAssetEvents(tx, dagId, consumed.map((e) => e.id));
  return run;
}
