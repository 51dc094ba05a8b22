/** What recorded an asset event: a link to the run and the task (instance) whose success did, or "from outside Sluice". */
import { href } from '../lib/routes.ts';
import { Link } from '../router.tsx';
import type { ConsumedAssetEvent } from '../types.ts';

export function AssetEventSource({ event }: { event: ConsumedAssetEvent & { sourceMapIndex?: number | null } }) {
  const { sourceDagId: dagId, sourceRunId: runId, sourceTaskId: taskId } = event;
  if (!dagId || !runId || !taskId) return <span class="muted small">from outside Sluice</span>;
  const mapIndex = event.sourceMapIndex ?? -1;
  return (
    <span class="small">
      <Link href={href.run(dagId, runId)} class="mono" title={`Run ${runId} of ${dagId}`}>
        {dagId} / {runId}
      </Link>{' '}
      <Link href={mapIndex >= 0 ? href.mappedInstance(dagId, runId, taskId, mapIndex) : href.task(dagId, runId, taskId)} class="mono">
        {taskId}
        {mapIndex >= 0 ? `[${mapIndex}]` : ''}
      </Link>
    </span>
  );
}
