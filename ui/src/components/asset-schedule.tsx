/** "on assets: a, b": how a DAG scheduled on assets shows its schedule, each asset a link to its events. */
import { href } from '../lib/routes.ts';
import { Link } from '../router.tsx';

export function AssetSchedule({ uris }: { uris: string[] }) {
  return (
    <span class="asset-schedule" title="A run once every one of these assets has been updated since the previous such run">
      <span class="muted">on assets: </span>
      {uris.map((uri, i) => (
        <span key={uri}>
          {i > 0 && ', '}
          <Link href={href.assets(uri)} class="mono">
            {uri}
          </Link>
        </span>
      ))}
    </span>
  );
}
