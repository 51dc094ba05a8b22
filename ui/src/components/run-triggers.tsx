/**
 * The links between runs that trigger runs (triggerDag of sluice/operators), both ways: a run
 * made by a task names that task, and a run whose tasks triggered others lists them.
 */
import { api } from '../api.ts';
import { usePoll } from '../hooks.ts';
import { href } from '../lib/routes.ts';
import { Link } from '../router.tsx';
import type { TriggeredBy } from '../types.ts';
import { Fact } from './facts.tsx';
import { StateBadge } from './state.tsx';
import { Time } from './time.tsx';

/** "kicker / manual__… / kick", linking to that task instance in its run. */
export function TriggeredByLink({ by }: { by: TriggeredBy }) {
  return (
    <span class="triggered-by">
      <Link href={href.dag(by.dagId)} class="mono">
        {by.dagId}
      </Link>
      {' / '}
      <Link href={href.run(by.dagId, by.dagRunId)} class="mono">
        {by.dagRunId}
      </Link>
      {' / '}
      <Link href={href.task(by.dagId, by.dagRunId, by.taskId)} class="mono">
        {by.taskId}
      </Link>
    </span>
  );
}

/** The runs this run's tasks triggered; nothing at all when they triggered none. */
export function TriggeredRuns({ dagId, runId }: { dagId: string; runId: string }) {
  const list = usePoll(`triggered:${dagId}:${runId}`, (signal) => api.dagRuns.triggered(dagId, runId, {}, { signal }));
  const runs = list.data?.dagRuns ?? [];
  if (runs.length === 0) return null;
  return (
    <section class="triggered-runs" aria-label="Triggered runs">
      <h2>Triggered runs</h2>
      <table class="table">
        <thead>
          <tr>
            <th>State</th>
            <th>Run</th>
            <th>Triggered by task</th>
            <th>Logical date</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={`${r.dagId}:${r.dagRunId}`} data-dag-id={r.dagId} data-run-id={r.dagRunId} data-state={r.state}>
              <td>
                <StateBadge state={r.state} />
              </td>
              <td>
                <Link href={href.run(r.dagId, r.dagRunId)} class="mono">
                  {r.dagId} / {r.dagRunId}
                </Link>
              </td>
              <td>
                {r.triggeredBy && (
                  <Link href={href.task(dagId, runId, r.triggeredBy.taskId)} class="mono">
                    {r.triggeredBy.taskId}
                  </Link>
                )}
              </td>
              <td>
                <Time iso={r.logicalDate} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** How often a task instance's page looks for runs it triggered: they appear once, early in its try. */
const TASK_TRIGGERS_POLL_MS = 10_000;

/** A fact on a task instance's page: the runs this instance triggered, each a link; nothing when none. */
export function TriggeredByInstance({ dagId, runId, taskId, mapIndex }: { dagId: string; runId: string; taskId: string; mapIndex: number }) {
  const list = usePoll(
    `triggered:${dagId}:${runId}:${taskId}:${mapIndex}`,
    (signal) => api.dagRuns.triggered(dagId, runId, { taskId, mapIndex: String(mapIndex) }, { signal }),
    TASK_TRIGGERS_POLL_MS,
  );
  const runs = list.data?.dagRuns ?? [];
  if (runs.length === 0) return null;
  return (
    <Fact label="Triggered">
      {runs.map((r, i) => (
        <span key={`${r.dagId}:${r.dagRunId}`}>
          {i > 0 && ', '}
          <Link href={href.run(r.dagId, r.dagRunId)} class="mono" data-state={r.state}>
            {r.dagId} / {r.dagRunId}
          </Link>
        </span>
      ))}
    </Fact>
  );
}
