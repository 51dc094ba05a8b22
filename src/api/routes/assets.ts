import { emitAssetEvent } from '../../engine/asset-events.ts';
import { listAssetEvents, listAssets, type AssetEventRecord } from '../../store/assets.ts';
import { defineRoute } from '../route.ts';
import { assetEvent, assetEventList, assetEventListQuery, assetList, createAssetEventBody, type AssetEvent } from '../schemas/assets.ts';
import { listQuery } from '../schemas/fields.ts';
import { iso } from '../serialize.ts';

const TAG = 'Assets';

function eventJson(e: AssetEventRecord): AssetEvent {
  return {
    id: e.id,
    uri: e.uri,
    sourceDagId: e.sourceDagId,
    sourceRunId: e.sourceRunId,
    sourceTaskId: e.sourceTaskId,
    sourceMapIndex: e.sourceMapIndex,
    timestamp: iso(e.timestamp),
    extra: e.extra,
  };
}

export const assetRoutes = [
  defineRoute({
    operationId: 'listAssets',
    method: 'get',
    path: '/assets',
    tag: TAG,
    minRole: 'viewer',
    summary: 'Every known asset by URI, with the DAGs that produce and consume it and its newest event',
    description: 'An asset is known when an active DAG names it (a task\'s outlets, an asset schedule) or it has events.',
    query: listQuery,
    answers: { 200: { description: 'a page of assets, by URI', schema: assetList } },
    async handle({ query: q }, { deps: { services: { db } } }) {
      const { assets, total } = await listAssets(db, q.limit ?? 100, q.offset ?? 0);
      return {
        status: 200,
        body: { assets: assets.map((a) => ({ ...a, lastEvent: a.lastEvent && eventJson(a.lastEvent) })), totalEntries: total },
      };
    },
  }),

  defineRoute({
    operationId: 'createAssetEvent',
    method: 'post',
    path: '/assets/events',
    tag: TAG,
    minRole: 'operator',
    summary: 'Record an event of an asset from outside Sluice',
    description: 'The DAGs scheduled on the asset count it as a task\'s outlet event: one whose other assets have events too gets a run at once.',
    body: createAssetEventBody,
    answers: { 201: { description: 'the event', schema: assetEvent } },
    errors: { 400: 'the URI has whitespace or is too long', 404: 'no DAG names the asset and it has no events (the message names the nearest known URI)' },
    async handle({ body }, { deps: { services: { db } }, caller }) {
      return { status: 201, body: eventJson(await emitAssetEvent(db, body.uri, body.extra, caller.name)) };
    },
  }),

  defineRoute({
    operationId: 'listAssetEvents',
    method: 'get',
    path: '/assets/events',
    tag: TAG,
    minRole: 'viewer',
    summary: 'Asset events, newest first',
    query: assetEventListQuery,
    answers: { 200: { description: "a page of events, of one asset (uri) or of all", schema: assetEventList } },
    async handle({ query: q }, { deps: { services: { db } } }) {
      const { events, total } = await listAssetEvents(db, { uri: q.uri, limit: q.limit ?? 100, offset: q.offset ?? 0 });
      return { status: 200, body: { assetEvents: events.map(eventJson), totalEntries: total } };
    },
  }),
];
