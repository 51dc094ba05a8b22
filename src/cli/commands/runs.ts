/** `sluice runs …` and the task commands that work on recorded runs. */
import { once } from 'node:events';
import { DAG_RUN_STATES, type DagRunState } from '../../core/states.ts';
import { formatDuration } from '../../core/durations.ts';
import { notFound } from '../../errors.ts';
import { formatLog } from '../../log-format.ts';
import { clearTaskInstances } from '../../engine/actions.ts';
import { logExtent, readLogPages, type LogPage } from '../../store/logs.ts';
import { getRun, listRuns } from '../../store/runs.ts';
import { getTaskInstance, listTaskInstances } from '../../store/task-instances.ts';
import { intFlag, parse, UsageError } from '../args.ts';
import { withServices, type CliContext } from '../context.ts';
import { iso, printJson, printTable } from '../output.ts';

export async function runsList(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals, values, json } = parse(args, { state: { type: 'string' }, limit: { type: 'string' } }, ['dag'], 'runs list');
  const state = values.state as string | undefined;
  if (state !== undefined && !(DAG_RUN_STATES as readonly string[]).includes(state)) {
    throw new UsageError(`--state must be one of ${DAG_RUN_STATES.join(', ')}, got "${state}"`);
  }
  const limit = intFlag(values.limit as string | undefined, '--limit', 1, 25);
  return withServices(ctx, async ({ db }) => {
    const { runs, total } = await listRuns(db, positionals[0]!, { state: state as DagRunState | undefined, limit });
    if (json) printJson({ dagRuns: runs, totalEntries: total });
    else printTable(['run_id', 'type', 'state', 'logical_date', 'start', 'end'], runs.map((r) => [r.runId, r.runType, r.state, iso(r.logicalDate), iso(r.startDate), iso(r.endDate)]));
    return 0;
  });
}

export async function runsShow(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals, json } = parse(args, {}, ['dag', 'runId'], 'runs show');
  const [dagId, runId] = positionals as [string, string];
  return withServices(ctx, async ({ db }) => {
    const run = await getRun(db, dagId, runId);
    if (!run) throw notFound(`DAG "${dagId}" has no run "${runId}"; "sluice runs list ${dagId}" shows its runs`);
    const tis = await listTaskInstances(db, dagId, runId);
    if (json) printJson({ ...run, taskInstances: tis });
    else {
      console.log(`${run.runId}  ${run.state}  (${run.runType}, interval ${iso(run.dataIntervalStart)} → ${iso(run.dataIntervalEnd)})`);
      printTable(['task_id', 'state', 'try', 'start', 'duration', 'error'], tis.map((t) => [t.taskId, t.state, `${t.tryNumber}/${t.maxTries}`, iso(t.startDate), t.durationMs === null ? '' : formatDuration(t.durationMs), t.error ?? '']));
    }
    return 0;
  });
}

export async function tasksClear(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals, values, json } = parse(
    args,
    { task: { type: 'string', multiple: true }, downstream: { type: 'boolean' }, 'only-failed': { type: 'boolean' } },
    ['dag', 'runId'],
    'tasks clear',
  );
  const [dagId, runId] = positionals as [string, string];
  return withServices(ctx, async (services) => {
    const cleared = await clearTaskInstances(services, dagId, runId, {
      taskIds: values.task as string[] | undefined,
      includeDownstream: values.downstream === true,
      onlyFailed: values['only-failed'] === true,
    });
    if (json) printJson({ cleared, totalEntries: cleared.length });
    else console.log(cleared.length ? `cleared ${cleared.join(', ')}` : 'nothing to clear');
    return 0;
  });
}

export async function tasksLogs(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals, values, json } = parse(args, { try: { type: 'string' } }, ['dag', 'runId', 'task'], 'tasks logs');
  const [dagId, runId, taskId] = positionals as [string, string, string];
  return withServices(ctx, async ({ db }) => {
    const ti = await getTaskInstance(db, dagId, runId, taskId);
    if (!ti) throw notFound(`no task "${taskId}" in run "${runId}" of DAG "${dagId}"`);
    const tryNumber = intFlag(values.try as string | undefined, '--try', 1, ti.tryNumber);
    if (ti.tryNumber === 0) throw notFound(`task "${taskId}" of run "${runId}" has not run yet`);
    if (tryNumber > ti.tryNumber) throw notFound(`task "${taskId}" has had ${ti.tryNumber} tr${ti.tryNumber === 1 ? 'y' : 'ies'}; there is no try ${tryNumber}`);
    const key = { dagId, runId, taskId, tryNumber };
    // A page at a time: a try's log may be as large as SLUICE_TASK_LOG_LIMIT lets it be.
    const pages = readLogPages(db, key, { size: (await logExtent(db, key)).size });
    if (json) await printJsonLog(tryNumber, pages);
    else for await (const page of pages) await writeOut(formatLog(page.text));
    return 0;
  });
}

/** What printJson({tryNumber, content}) prints, with `content` written a page at a time. */
async function printJsonLog(tryNumber: number, pages: AsyncIterable<LogPage>): Promise<void> {
  await writeOut(`{\n  "tryNumber": ${tryNumber},\n  "content": "`);
  // A JSON string's escaped text, without its quotes: pages end between characters, so the
  // pieces put together are the escaped whole.
  for await (const page of pages) await writeOut(JSON.stringify(formatLog(page.text)).slice(1, -1));
  await writeOut('"\n}\n');
}

/** Writes to stdout, waiting while a slow reader (a pager, a pipe) has not taken what came before. */
async function writeOut(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}
