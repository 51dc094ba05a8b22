/** Asset events from outside Sluice (README, "Assets"): POST /assets/events and `sluice assets emit`. */
import { checkAssetUri } from '../core/assets.ts';
import { closestMatch } from '../core/suggest.ts';
import { badRequest, notFound } from '../errors.ts';
import { insertAssetEvent, isKnownAsset, knownAssetUris, type AssetEventRecord } from '../store/assets.ts';
import { recordAudit, type Actor } from '../store/audit-log.ts';
import { withTransaction, type Db } from '../store/db.ts';

/**
 * Records an event of a known asset; its consumers are queued and the schedulers woken by the
 * event's trigger (asset_events_enqueue.sql). Only a known URI is taken (one an active DAG names,
 * or with events already), as Airflow's API takes events of known assets only: a mistyped URI
 * would otherwise be a new asset that no DAG ever waits for, and the event would be lost without
 * a word. A URI that cannot name an asset is a 400; an unknown one a 404 with the nearest known one.
 * With an actor, the audit entry (asset_event) is written in the event's transaction.
 */
export async function emitAssetEvent(db: Db, uri: string, extra: Record<string, unknown> = {}, actor?: Actor): Promise<AssetEventRecord> {
  try {
    checkAssetUri(uri, 'uri');
  } catch (error) {
    throw badRequest((error as Error).message);
  }
  if (!(await isKnownAsset(db, uri))) {
    const suggestion = closestMatch(uri, await knownAssetUris(db));
    throw notFound(
      `no asset "${uri}": no DAG names it (as a task's outlet or in an asset schedule) and it has no events` +
        (suggestion ? `; did you mean "${suggestion}"?` : '; GET /api/v1/assets (or `sluice assets list`) lists the known ones'),
    );
  }
  if (!actor) return insertAssetEvent(db, uri, extra);
  return withTransaction(db, async (tx) => {
    const event = await insertAssetEvent(tx, uri, extra);
    await recordAudit(tx, actor, { action: 'asset_event', details: { uri, extra, eventId: event.id } });
    return event;
  });
}
