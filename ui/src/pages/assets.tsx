/**
 * Assets (README, "Assets"): every known asset with the DAGs that update it (producers) and the
 * DAGs scheduled on it (consumers), its newest event; choosing one (`?uri=`, so it can be shared)
 * lists its recent events below, each linking to the run that recorded it.
 */
import { api } from '../api.ts';
import { AssetEventSource } from '../components/asset-event-source.tsx';
import { Empty, Pending } from '../components/feedback.tsx';
import { Relative, Time } from '../components/time.tsx';
import { usePoll } from '../hooks.ts';
import { plural } from '../lib/format.ts';
import { href } from '../lib/routes.ts';
import { Link, useSearchParam } from '../router.tsx';
import type { Asset, AssetEvent } from '../types.ts';

/** The events shown for the chosen asset: the newest; the API pages further. */
const EVENTS_SHOWN = 50;

export function AssetsPage() {
  const [uri] = useSearchParam('uri');
  const list = usePoll('assets', (signal) => api.assets.list({ limit: 1000 }, { signal }), 5000);
  return (
    <div class="page">
      <div class="page-head">
        <h1>Assets</h1>
        {list.data && <span class="muted">{plural(list.data.totalEntries, 'asset')}</span>}
      </div>
      {!list.data ? (
        <Pending error={list.error} what="assets" />
      ) : list.data.assets.length === 0 ? (
        <Empty>
          No assets yet. A task with <code>outlets: [asset('…')]</code> updates one each time it succeeds; a DAG with{' '}
          <code>schedule: [asset('…')]</code> runs when its assets have been updated.
        </Empty>
      ) : (
        <AssetTable assets={list.data.assets} chosen={uri} />
      )}
      {uri && <AssetEvents uri={uri} />}
    </div>
  );
}

function DagLinks({ dagIds, none }: { dagIds: string[]; none: string }) {
  if (dagIds.length === 0) return <span class="muted small">{none}</span>;
  return (
    <>
      {dagIds.map((dagId, i) => (
        <span key={dagId}>
          {i > 0 && ', '}
          <Link href={href.dag(dagId)} class="mono">
            {dagId}
          </Link>
        </span>
      ))}
    </>
  );
}

function AssetTable({ assets, chosen }: { assets: Asset[]; chosen: string | null }) {
  return (
    <table class="table dense" aria-label="Assets">
      <thead>
        <tr>
          <th>URI</th>
          <th>Producers</th>
          <th>Consumers</th>
          <th>Latest event</th>
        </tr>
      </thead>
      <tbody>
        {assets.map((a) => (
          <tr key={a.uri} data-asset-uri={a.uri} aria-current={a.uri === chosen ? 'true' : undefined} class={a.uri === chosen ? 'chosen' : undefined}>
            <td>
              <Link href={href.assets(a.uri)} class="mono" title={`Show the events of ${a.uri}`}>
                {a.uri}
              </Link>
            </td>
            <td>
              <DagLinks dagIds={a.producers} none="outside Sluice only" />
            </td>
            <td>
              <DagLinks dagIds={a.consumers} none="none" />
            </td>
            <td>{a.lastEvent ? <EventSummary event={a.lastEvent} /> : <span class="muted">no events yet</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** When, and what recorded it: the run (and task) that did, or "from outside". */
function EventSummary({ event }: { event: AssetEvent }) {
  return (
    <span>
      <Relative iso={event.timestamp} /> <span class="muted small">·</span> <AssetEventSource event={event} />
    </span>
  );
}

function AssetEvents({ uri }: { uri: string }) {
  const events = usePoll(`asset-events:${uri}`, (signal) => api.assets.events({ uri, limit: EVENTS_SHOWN }, { signal }), 5000);
  return (
    <section aria-label={`Events of ${uri}`}>
      <h2>
        Events of <span class="mono">{uri}</span>
        {events.data && <span class="muted small"> · {events.data.totalEntries > EVENTS_SHOWN ? `newest ${EVENTS_SHOWN} of ${events.data.totalEntries}` : plural(events.data.totalEntries, 'event')}</span>}
      </h2>
      {!events.data ? (
        <Pending error={events.error} what="asset events" />
      ) : events.data.assetEvents.length === 0 ? (
        <Empty>No events of this asset yet.</Empty>
      ) : (
        <table class="table dense" aria-label={`Events of ${uri}`}>
          <thead>
            <tr>
              <th class="narrow">#</th>
              <th>When</th>
              <th>Source</th>
              <th>Extra</th>
            </tr>
          </thead>
          <tbody>
            {events.data.assetEvents.map((e) => (
              <tr key={e.id} data-event-id={e.id}>
                <td class="num">{e.id}</td>
                <td>
                  <Time iso={e.timestamp} />
                </td>
                <td>
                  <AssetEventSource event={e} />
                </td>
                <td class="mono small">{Object.keys(e.extra).length ? JSON.stringify(e.extra) : <span class="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
