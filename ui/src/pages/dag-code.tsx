/**
 * A DAG's code: its versions (each distinct content of its file and the local modules it
 * imports), and the source of one of them, with line numbers. A run's page links here with its
 * own version selected.
 */
import { api } from '../api.ts';
import { Pending } from '../components/feedback.tsx';
import { Time } from '../components/time.tsx';
import { usePoll } from '../hooks.ts';
import { formatDateTime, shortVersion } from '../lib/format.ts';
import { usePrefs } from '../prefs.tsx';
import { useSearchParam } from '../router.tsx';

export function DagCode({ dagId }: { dagId: string }) {
  const [versionParam, setVersionParam] = useSearchParam('version');
  const { zone } = usePrefs();
  const versions = usePoll(`versions:${dagId}`, (signal) => api.dags.versions(dagId, { limit: 100 }, { signal }), 10_000);
  const list = versions.data?.versions ?? [];
  const version = versionParam ?? list[0]?.version ?? null;
  // A version never changes: fetched once per version, not polled.
  const source = usePoll(version ? `source:${dagId}:${version}` : null, (signal) => api.dags.source(dagId, version!, { signal }), 3_600_000);
  const selected = list.find((v) => v.version === version);
  if (!versions.data) return <Pending error={versions.error} what="versions" />;
  if (list.length === 0) return <p class="muted">No versions stored yet.</p>;
  return (
    <div>
      <div class="toolbar">
        <label class="inline">
          Version
          <select value={version ?? ''} onChange={(e) => setVersionParam(e.currentTarget.value === list[0]?.version ? null : e.currentTarget.value)} aria-label="Show this version's code">
            {versionParam && !selected && <option value={versionParam}>{shortVersion(versionParam)}</option>}
            {list.map((v, i) => (
              <option key={v.version} value={v.version}>
                {shortVersion(v.version)} · {formatDateTime(v.createdAt, zone)}
                {i === 0 ? ' · newest' : ''}
              </option>
            ))}
          </select>
        </label>
        {selected && (
          <span class="muted">
            <span class="mono">{selected.fileloc ?? 'file unknown'}</span>, stored <Time iso={selected.createdAt} />
          </span>
        )}
        <span class="muted">
          {versions.data.totalEntries} version{versions.data.totalEntries === 1 ? '' : 's'}
        </span>
      </div>
      {!source.data ? (
        <Pending error={source.error} what="source" />
      ) : (
        <pre class="code-view" aria-label={`source of version ${version}`}>
          {source.data.split('\n').map((line, i) => (
            <div key={i} class="code-line">
              <span class="line-number" aria-hidden="true">
                {i + 1}
              </span>
              {line || ' '}
            </div>
          ))}
        </pre>
      )}
    </div>
  );
}
