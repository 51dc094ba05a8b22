/** `sluice runs …`: the runs recorded in the metadata database. */
import { DAG_RUN_STATES, type DagRunState } from '../../core/states.ts';
import { formatDuration } from '../../core/durations.ts';
import { notFound } from '../../errors.ts';
import { getRun, listRuns, runsTriggeredBy, type DagRunRecord } from '../../store/runs.ts';
import { listTaskInstances } from '../../store/task-instance-reads.ts';
import { intFlag, UsageError } from '../args.ts';
import { command } from '../command.ts';
import { withServices } from '../context.ts';
import { iso, printJson, printTable } from '../output.ts';

function isRunState(value: string): value is DagRunState {
  return (DAG_RUN_STATES as readonly string[]).includes(value);
}

const list = command({
  name: 'runs list',
  summary: "a DAG's runs, newest first",
  args: ['dag'],
  flags: { state: { type: 'string', value: 'S' }, limit: { type: 'string', value: 'N' } },
  async run(ctx, { positionals: [dagId], values, json }) {
    const { state } = values;
    if (state !== undefined && !isRunState(state)) {
      throw new UsageError(`--state must be one of ${DAG_RUN_STATES.join(', ')}, got "${state}"`);
    }
    const limit = intFlag(values.limit, '--limit', 1, 25);
    return withServices(ctx, async ({ db }) => {
      const { runs, total } = await listRuns(db, dagId, { state, limit });
      if (json) printJson({ dagRuns: runs, totalEntries: total });
      else printTable(['run_id', 'type', 'state', 'logical_date', 'start', 'end'], runs.map((r) => [r.runId, r.runType, r.state, iso(r.logicalDate), iso(r.startDate), iso(r.endDate)]));
      return 0;
    });
  },
});

const show = command({
  name: 'runs show',
  summary: 'one run with its task instances',
  args: ['dag', 'runId'],
  flags: {},
  async run(ctx, { positionals: [dagId, runId], json }) {
    return withServices(ctx, async ({ db }) => {
      const run = await getRun(db, dagId, runId);
      if (!run) throw notFound(`DAG "${dagId}" has no run "${runId}"; "sluice runs list ${dagId}" shows its runs`);
      const tis = await listTaskInstances(db, dagId, runId);
      const triggered = await runsTriggeredBy(db, dagId, runId);
      if (json) {
        printJson({
          ...run,
          dagVersion: run.versionHash,
          // As the API names them: the triggering run is a dagRunId there.
          triggeredBy: run.triggeredBy && { dagId: run.triggeredBy.dagId, dagRunId: run.triggeredBy.runId, taskId: run.triggeredBy.taskId },
          triggeredRuns: triggered.map((r) => ({ dagId: r.dagId, dagRunId: r.runId, taskId: r.triggeredBy!.taskId, state: r.state })),
          taskInstances: tis,
        });
      } else {
        console.log(`${run.runId}  ${run.state}  (${run.runType}, interval ${iso(run.dataIntervalStart)} → ${iso(run.dataIntervalEnd)}, DAG version ${run.versionHash.slice(0, 12)})`);
        for (const line of triggerLines(run, triggered)) console.log(line);
        printTable(['task_id', 'state', 'try', 'start', 'duration', 'error'], tis.map((t) => [t.taskId, t.state, `${t.tryNumber}/${t.maxTries}`, iso(t.startDate), t.durationMs === null ? '' : formatDuration(t.durationMs), t.error ?? '']));
      }
      return 0;
    });
  },
});

/** Where a run came from and what its tasks started: `sluice runs show` of either side leads to the other. */
function triggerLines(run: DagRunRecord, triggered: DagRunRecord[]): string[] {
  const by = run.triggeredBy;
  const lines = by ? [`triggered by ${by.dagId}/${by.runId}/${by.taskId}${by.mapIndex >= 0 ? `[${by.mapIndex}]` : ''}`] : [];
  for (const r of triggered) {
    const task = r.triggeredBy!;
    lines.push(`${task.taskId}${task.mapIndex >= 0 ? `[${task.mapIndex}]` : ''} triggered ${r.dagId}/${r.runId} (${r.state})`);
  }
  return lines;
}

export const RUN_COMMANDS = [list, show];
