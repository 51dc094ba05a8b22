/** A DAG's runs, newest first, with a state filter and pages (GET /dags/:dagId/dagRuns). */
import { api } from '../api.ts';
import { Empty, Pending } from '../components/feedback.tsx';
import { Pager } from '../components/pager.tsx';
import { DAG_RUN_STATES, StateBadge } from '../components/state.tsx';
import { Elapsed, Time } from '../components/time.tsx';
import { usePoll } from '../hooks.ts';
import { href } from '../lib/routes.ts';
import { Link, useSearchParam } from '../router.tsx';

const PAGE_SIZE = 25;

export function DagRuns({ dagId }: { dagId: string }) {
  const [stateParam, setState] = useSearchParam('state');
  const [offsetParam, setOffset] = useSearchParam('offset');
  const state = DAG_RUN_STATES.find((s) => s === stateParam);
  const offset = Math.max(0, Number(offsetParam) || 0);
  const runs = usePoll(JSON.stringify(['runs', dagId, state, offset]), (signal) =>
    api.dagRuns.list(dagId, { state, limit: PAGE_SIZE, offset }, { signal }),
  );

  return (
    <div>
      <div class="toolbar">
        <div class="segmented" role="group" aria-label="Run state">
          <button type="button" aria-pressed={!state} onClick={() => { setState(null); setOffset(null); }}>
            All
          </button>
          {DAG_RUN_STATES.map((s) => (
            <button key={s} type="button" aria-pressed={state === s} onClick={() => { setState(s); setOffset(null); }}>
              {s}
            </button>
          ))}
        </div>
        <span class="spacer" />
        {runs.data && <Pager offset={offset} limit={PAGE_SIZE} total={runs.data.totalEntries} noun="run" onOffset={(o) => setOffset(o ? String(o) : null)} />}
      </div>
      {!runs.data ? (
        <Pending error={runs.error} what="runs" />
      ) : runs.data.dagRuns.length === 0 ? (
        <Empty>{state ? `No ${state} runs.` : 'No runs yet.'}</Empty>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th>State</th>
              <th>Run</th>
              <th>Type</th>
              <th>Logical date</th>
              <th>Data interval end</th>
              <th>Started</th>
              <th>Ended</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.dagRuns.map((run) => (
              <tr key={run.dagRunId} data-run-id={run.dagRunId}>
                <td>
                  <StateBadge state={run.state} />
                </td>
                <td>
                  <Link href={href.run(dagId, run.dagRunId)} class="mono">
                    {run.dagRunId}
                  </Link>
                </td>
                <td>
                  {run.runType}
                  {run.backfillId !== null && <span class="muted small"> #{run.backfillId}</span>}
                </td>
                <td>
                  <Time iso={run.logicalDate} />
                </td>
                <td>
                  <Time iso={run.dataIntervalEnd} />
                </td>
                <td>
                  <Time iso={run.startDate} />
                </td>
                <td>
                  <Time iso={run.endDate} />
                </td>
                <td>
                  <Elapsed start={run.startDate} end={run.endDate} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
