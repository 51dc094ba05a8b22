/** Assets and their events (README, "Assets"): what /assets and /assets/events take and answer. */
import { z } from 'zod';
import { MAX_ASSET_URI_BYTES } from '../../core/assets.ts';
import { showValue } from '../../core/show-value.ts';
import { isoTime, jsonObject, jsonRecord, pagination, totalEntries } from './fields.ts';

const source = (what: string) => z.string().nullable().meta({ description: `the ${what} whose task recorded it; null for an event from outside Sluice` });

/** An asset event, as a run that consumed it lists it (DagRun.consumedAssetEvents, ctx.triggeringAssetEvents). */
export const consumedAssetEvent = z
  .object({
    uri: z.string(),
    sourceDagId: source('DAG'),
    sourceRunId: source('run'),
    sourceTaskId: z.string().nullable().meta({ description: 'the task whose success recorded it; null for an event from outside Sluice' }),
    timestamp: isoTime.meta({ description: 'when it was recorded' }),
    extra: jsonRecord.meta({ description: 'what its sender attached ({} for a task\'s outlet)' }),
  })
  .meta({ id: 'ConsumedAssetEvent' });

/** An asset event, with its id and, for a mapped task's instance, its map index. */
export const assetEvent = consumedAssetEvent
  .extend({
    id: z.number().int().min(1),
    sourceMapIndex: z.number().int().min(-1).nullable().meta({ description: 'the instance of a mapped task (-1: not mapped); null for an event from outside' }),
  })
  .meta({ id: 'AssetEvent' });

export const asset = z
  .object({
    uri: z.string(),
    producers: z.array(z.string()).meta({ description: 'DAGs with a task whose outlets list it, by id' }),
    consumers: z.array(z.string()).meta({ description: 'DAGs scheduled on it, by id' }),
    lastEvent: assetEvent.nullable().meta({ description: 'its newest event; null when it has none yet' }),
  })
  .meta({ id: 'Asset' });

export const assetList = z.object({ assets: z.array(asset), totalEntries }).meta({ id: 'AssetList' });
export const assetEventList = z.object({ assetEvents: z.array(assetEvent), totalEntries }).meta({ id: 'AssetEventList' });

/** A URI in a request: the full check (whitespace, length) is emitAssetEvent's, worded as asset() words it. */
const uriField = z
  .string({ error: (issue) => `must be a string naming the asset, like "warehouse://public/orders"; got ${showValue(issue.input)}` })
  .min(1, { error: 'must not be empty' })
  .meta({ description: `the asset's URI (no whitespace, at most ${MAX_ASSET_URI_BYTES} bytes)`, examples: ['warehouse://public/orders'] });

export const createAssetEventBody = z.strictObject({
  uri: uriField,
  extra: jsonObject.optional().meta({ description: 'anything to tell the consumers (their runs\' consumedAssetEvents, ctx.triggeringAssetEvents); {} if left out' }),
});

export const assetEventListQuery = z.strictObject({
  ...pagination,
  uri: uriField.optional().meta({ description: "only this asset's events" }),
});

export type ConsumedAssetEvent = z.infer<typeof consumedAssetEvent>;
export type AssetEvent = z.infer<typeof assetEvent>;
export type Asset = z.infer<typeof asset>;
export type AssetList = z.infer<typeof assetList>;
export type AssetEventList = z.infer<typeof assetEventList>;
export type CreateAssetEventBody = z.input<typeof createAssetEventBody>;
export type AssetEventListQuery = z.output<typeof assetEventListQuery>;
