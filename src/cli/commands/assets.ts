/** `sluice assets …`: assets (README, "Assets") and events from outside Sluice. */
import { emitAssetEvent } from '../../engine/asset-events.ts';
import { listAssets } from '../../store/assets.ts';
import { intFlag, jsonObjectFlag } from '../args.ts';
import { command } from '../command.ts';
import { withServices } from '../context.ts';
import { iso, printJson, printTable } from '../output.ts';

const list = command({
  name: 'assets list',
  summary: 'every known asset with the DAGs that produce and consume it and its newest event',
  args: [],
  flags: { limit: { type: 'string', value: 'N' } },
  async run(ctx, { values, json }) {
    const limit = intFlag(values.limit, '--limit', 1, 1000);
    return withServices(ctx, async ({ db }) => {
      const { assets, total } = await listAssets(db, limit, 0);
      if (json) printJson({ assets, totalEntries: total });
      else {
        printTable(
          ['uri', 'producers', 'consumers', 'last_event', 'source'],
          assets.map((a) => [
            a.uri,
            a.producers.join(', '),
            a.consumers.join(', '),
            iso(a.lastEvent?.timestamp ?? null),
            a.lastEvent ? (a.lastEvent.sourceDagId ? `${a.lastEvent.sourceDagId} ${a.lastEvent.sourceRunId} ${a.lastEvent.sourceTaskId}` : 'outside') : '',
          ]),
        );
        if (total > assets.length) console.log(`(${assets.length} of ${total}; --limit N shows more)`);
      }
      return 0;
    });
  },
});

const emit = command({
  name: 'assets emit',
  summary: 'record an event of an asset from outside Sluice: the DAGs scheduled on it count it',
  args: ['uri'],
  flags: { extra: { type: 'string', value: 'JSON' } },
  async run(ctx, { positionals: [uri], values, json }) {
    const extra = jsonObjectFlag(values.extra, '--extra') ?? {};
    return withServices(ctx, async ({ db }) => {
      const event = await emitAssetEvent(db, uri, extra, ctx.actor);
      if (json) printJson(event);
      else console.log(`asset event ${event.id} of ${event.uri} recorded at ${iso(event.timestamp)}`);
      return 0;
    });
  },
});

export const ASSET_COMMANDS = [list, emit];
