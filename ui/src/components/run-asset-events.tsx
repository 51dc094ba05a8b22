/** The asset events an asset-triggered run consumed (README, "Assets"), on the run's page; nothing for other runs. */
import { href } from '../lib/routes.ts';
import { Link } from '../router.tsx';
import type { ConsumedAssetEvent } from '../types.ts';
import { AssetEventSource } from './asset-event-source.tsx';
import { Time } from './time.tsx';

export function RunAssetEvents({ events }: { events: ConsumedAssetEvent[] }) {
  if (events.length === 0) return null;
  return (
    <section aria-label="Triggering asset events">
      <h2>Triggered by asset events</h2>
      <table class="table dense">
        <thead>
          <tr>
            <th>Asset</th>
            <th>When</th>
            <th>Source</th>
            <th>Extra</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e, i) => (
            <tr key={i}>
              <td>
                <Link href={href.assets(e.uri)} class="mono">
                  {e.uri}
                </Link>
              </td>
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
    </section>
  );
}
