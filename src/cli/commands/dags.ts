/** `sluice dags …`: the DAGs in the folder, pausing, triggering, backfilling and testing. */
import { CronSchedule, intervalFor, manualInterval } from '../../core/schedule.ts';
import { formatDuration } from '../../core/durations.ts';
import { makeRunId } from '../../core/states.ts';
import { notFound } from '../../errors.ts';
import { DagFolder } from '../../loader/dag-folder.ts';
import { formatLine } from '../../log-format.ts';
import { triggerDagRun } from '../../engine/actions.ts';
import {
  createBackfill,
  DRY_RUN_PAGE_LIMIT,
  pagePlan,
  REPROCESS_BEHAVIORS,
  type BackfillRecord,
  type ReprocessBehavior,
} from '../../engine/backfill.ts';
import { formatCount } from '../../core/show-value.ts';
import { setPaused } from '../../store/dags.ts';
import type { Db } from '../../store/db.ts';
import { getRun } from '../../store/runs.ts';
import { runDagLocally, runTaskLocally } from '../../../workers/local-run.ts';
import { dateFlag, intFlag, jsonObjectFlag, parse, UsageError } from '../args.ts';
import { withServices, type CliContext } from '../context.ts';
import { iso, printJson, printTable } from '../output.ts';

async function scanFolder(ctx: CliContext) {
  return new DagFolder(ctx.config.dagsFolder).scan();
}

async function loadDag(ctx: CliContext, dagId: string) {
  const scan = await scanFolder(ctx);
  const found = scan.dags.get(dagId);
  if (!found) {
    const hint = scan.dags.size ? `DAGs in ${ctx.config.dagsFolder}: ${[...scan.dags.keys()].join(', ')}` : `no DAGs in ${ctx.config.dagsFolder}`;
    throw new UsageError(`DAG "${dagId}" not found (${hint})`);
  }
  return found;
}

export async function list(ctx: CliContext, args: string[]): Promise<number> {
  const { json } = parse(args, {}, [], 'dags list');
  const scan = await scanFolder(ctx);
  const dags = [...scan.dags.values()].map(({ spec, fileloc }) => ({
    dagId: spec.dagId,
    fileloc,
    schedule: spec.schedule,
    tags: spec.tags,
    tasks: spec.tasks.length,
    description: spec.description,
  }));
  if (json) printJson({ dags, totalEntries: dags.length, importErrors: scan.errors.length });
  else {
    printTable(['dag_id', 'schedule', 'tasks', 'tags', 'fileloc'], dags.map((d) => [d.dagId, d.schedule ?? 'manual', d.tasks, d.tags.join(','), d.fileloc]));
    if (scan.errors.length) console.error(`${scan.errors.length} file(s) failed to import: see "sluice dags errors"`);
  }
  return 0;
}

export async function errors(ctx: CliContext, args: string[]): Promise<number> {
  const { json } = parse(args, {}, [], 'dags errors');
  const scan = await scanFolder(ctx);
  if (json) printJson({ importErrors: scan.errors, totalEntries: scan.errors.length });
  else if (scan.errors.length === 0) console.log('no import errors');
  else for (const e of scan.errors) console.log(`${e.filename}: ${e.message}`);
  return scan.errors.length ? 1 : 0;
}

export async function show(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals, json } = parse(args, {}, ['dag'], 'dags show');
  const { spec, fileloc } = await loadDag(ctx, positionals[0]!);
  if (json) {
    printJson({ ...spec, fileloc });
    return 0;
  }
  const schedule = spec.schedule ? `${spec.schedule} (${new CronSchedule(spec.schedule, spec.timezone).describe()})` : 'manual only';
  console.log(`${spec.dagId}  ${fileloc}\n  schedule: ${schedule}, catchup: ${spec.catchup}, start: ${spec.startDate ?? '-'}`);
  printTable(
    ['task_id', 'upstream', 'trigger_rule', 'retries', 'pool', 'queue'],
    spec.tasks.map((t) => [t.taskId, t.upstream.join(',') || '-', t.triggerRule, t.retries, t.pool, t.queue]),
  );
  const edges = spec.tasks.flatMap((t) => t.downstream.map((d) => `${t.taskId} -> ${d}`));
  if (edges.length) console.log(`edges:\n  ${edges.join('\n  ')}`);
  return 0;
}

async function setPausedCommand(ctx: CliContext, args: string[], paused: boolean): Promise<number> {
  const command = paused ? 'dags pause' : 'dags unpause';
  const { positionals, json } = parse(args, {}, ['dag'], command);
  return withServices(ctx, async ({ db }) => {
    const dag = await setPaused(db, positionals[0]!, paused);
    if (!dag) throw notFound(`DAG "${positionals[0]}" not found in the metadata database; is a scheduler running on this DAGs folder?`);
    if (json) printJson({ dagId: dag.dagId, isPaused: dag.isPaused });
    else console.log(`${dag.dagId} is ${paused ? 'paused' : 'unpaused'}`);
    return 0;
  });
}

export const pause = (ctx: CliContext, args: string[]) => setPausedCommand(ctx, args, true);
export const unpause = (ctx: CliContext, args: string[]) => setPausedCommand(ctx, args, false);

/** Polls until the run ends; returns its final state. */
async function waitForRun(db: Db, dagId: string, runId: string): Promise<string> {
  for (;;) {
    const run = await getRun(db, dagId, runId);
    if (!run) throw notFound(`run ${runId} of DAG ${dagId} disappeared`);
    if (run.state === 'success' || run.state === 'failed') return run.state;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function trigger(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals, values, json } = parse(
    args,
    { conf: { type: 'string' }, 'logical-date': { type: 'string' }, wait: { type: 'boolean' } },
    ['dag'],
    'dags trigger',
  );
  const conf = jsonObjectFlag(values.conf as string | undefined, '--conf');
  const ld = values['logical-date'] as string | undefined;
  const logicalDate = ld === undefined ? undefined : dateFlag(ld, '--logical-date');
  return withServices(ctx, async ({ db }) => {
    const run = await triggerDagRun(db, positionals[0]!, { logicalDate, conf });
    if (!values.wait) {
      if (json) printJson({ dagRunId: run.runId, state: run.state });
      else console.log(run.runId);
      return 0;
    }
    const state = await waitForRun(db, run.dagId, run.runId);
    if (json) printJson({ dagRunId: run.runId, state });
    else console.log(`${run.runId} ${state}`);
    return state === 'success' ? 0 : 1;
  });
}

export async function backfill(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals, values, json } = parse(
    args,
    {
      from: { type: 'string' },
      to: { type: 'string' },
      reprocess: { type: 'string' },
      'max-active-runs': { type: 'string' },
      backwards: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      wait: { type: 'boolean' },
      conf: { type: 'string' },
      limit: { type: 'string' },
      offset: { type: 'string' },
    },
    ['dag'],
    'dags backfill',
  );
  if (!values.from || !values.to) throw new UsageError('dags backfill: --from and --to are required (ISO dates)');
  if (!values['dry-run'] && (values.limit !== undefined || values.offset !== undefined)) {
    throw new UsageError('dags backfill: --limit and --offset page the dates of a --dry-run; a backfill runs every date in its range');
  }
  const offset = intFlag(values.offset as string | undefined, '--offset', 0, 0);
  const limit = intFlag(values.limit as string | undefined, '--limit', 1, DRY_RUN_PAGE_LIMIT);
  const reprocess = (values.reprocess as string | undefined) ?? 'none';
  if (!(REPROCESS_BEHAVIORS as readonly string[]).includes(reprocess)) {
    throw new UsageError(`--reprocess must be one of ${REPROCESS_BEHAVIORS.join(', ')}, got "${reprocess}"`);
  }
  const request = {
    dagId: positionals[0]!,
    fromDate: dateFlag(values.from as string, '--from'),
    toDate: dateFlag(values.to as string, '--to'),
    reprocessBehavior: reprocess as ReprocessBehavior,
    maxActiveRuns: intFlag(values['max-active-runs'] as string | undefined, '--max-active-runs', 1, 10),
    runBackwards: values.backwards === true,
    dryRun: values['dry-run'] === true,
    dagRunConf: jsonObjectFlag(values.conf as string | undefined, '--conf'),
  };
  return withServices(ctx, async ({ db }) => {
    const created = await createBackfill(db, request);
    if (request.dryRun) {
      printDryRun(created, offset, limit, json);
      return 0;
    }
    if (!json) console.log(`backfill ${created.id}: ${created.dagRunIds.length} run(s) for ${request.dagId}`);
    if (!values.wait) {
      if (json) printJson(pagePlan(created));
      return 0;
    }
    const started = Date.now();
    let failed = 0;
    for (const [i, runId] of created.dagRunIds.entries()) {
      const state = await waitForRun(db, request.dagId, runId);
      if (state === 'failed') failed++;
      if (!json) process.stderr.write(`\r${i + 1}/${created.dagRunIds.length} runs done, ${failed} failed (${formatDuration(Date.now() - started)})`);
    }
    if (!json) process.stderr.write('\n');
    if (json) printJson({ ...pagePlan(created), failedRuns: failed });
    return failed ? 1 : 0;
  });
}

/** A page of the dates, then what the whole range holds and how to see the rest. */
function printDryRun(plan: BackfillRecord, offset: number, limit: number, json: boolean): void {
  const paged = pagePlan(plan, offset, limit);
  if (json) {
    printJson(paged);
    return;
  }
  const { intervals = [], totalEntries, planCounts } = paged;
  printTable(
    ['logical_date', 'data_interval_end', 'plan', 'existing_run'],
    intervals.map((i) => [iso(i.logicalDate), iso(i.dataIntervalEnd), i.plan, i.existingRunId ? `${i.existingRunId} (${i.existingState})` : '']),
  );
  const counts = `${formatCount(planCounts.create)} new, ${formatCount(planCounts.reprocess)} re-run, ${formatCount(planCounts.skip)} skipped`;
  const shown = intervals.length === totalEntries
    ? ''
    : intervals.length === 0
      ? `; none shown from --offset ${offset}`
      : `; showing ${formatCount(offset + 1)} to ${formatCount(offset + intervals.length)} (see others with --offset N and --limit N)`;
  console.log(`${formatCount(totalEntries)} interval${totalEntries === 1 ? '' : 's'}: ${counts}${shown}`);
}

function runWindow(spec: { schedule: string | null; timezone: string }, logicalDate: Date) {
  return spec.schedule ? intervalFor(new CronSchedule(spec.schedule, spec.timezone), logicalDate) : manualInterval(logicalDate);
}

function printTry(json: boolean) {
  return (taskId: string, tryNumber: number, line: string) => {
    if (!json) process.stdout.write(`[${taskId} #${tryNumber}] ${formatLine(line.trimEnd())}\n`);
  };
}

export async function test(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals, values, json } = parse(args, { 'logical-date': { type: 'string' }, conf: { type: 'string' } }, ['dag'], 'dags test');
  const { dag, spec } = await loadDag(ctx, positionals[0]!);
  const ld = values['logical-date'] as string | undefined;
  const logicalDate = ld ? dateFlag(ld, '--logical-date') : new Date();
  const interval = runWindow(spec, logicalDate);
  const result = await runDagLocally(dag, spec, {
    runId: makeRunId('manual', logicalDate),
    logicalDate,
    dataIntervalStart: interval.start,
    dataIntervalEnd: interval.end,
    conf: jsonObjectFlag(values.conf as string | undefined, '--conf') ?? {},
    onLog: printTry(json),
    onTaskEnd: (t) => {
      if (!json) console.log(`${t.taskId}: ${t.state}${t.tries > 1 ? ` after ${t.tries} tries` : ''}${t.error ? ` (${t.error})` : ''}`);
    },
  });
  if (json) printJson(result);
  else {
    printTable(['task_id', 'state', 'tries', 'duration', 'error'], result.tasks.map((t) => [t.taskId, t.state, t.tries, formatDuration(t.durationMs), t.error ?? '']));
    console.log(`run ${result.state}`);
  }
  return result.state === 'success' ? 0 : 1;
}

export async function testTask(ctx: CliContext, args: string[]): Promise<number> {
  const { positionals, values, json } = parse(args, { 'logical-date': { type: 'string' } }, ['dag', 'task'], 'tasks test');
  const { dag, spec } = await loadDag(ctx, positionals[0]!);
  const task = spec.tasks.find((t) => t.taskId === positionals[1]);
  if (!task) throw new UsageError(`DAG "${spec.dagId}" has no task "${positionals[1]}" (tasks: ${spec.tasks.map((t) => t.taskId).join(', ')})`);
  const ld = values['logical-date'] as string | undefined;
  const logicalDate = ld ? dateFlag(ld, '--logical-date') : new Date();
  const interval = runWindow(spec, logicalDate);
  const result = await runTaskLocally(dag, task, spec.params, {
    runId: makeRunId('manual', logicalDate),
    logicalDate,
    dataIntervalStart: interval.start,
    dataIntervalEnd: interval.end,
    conf: {},
    onLog: printTry(json),
  }, () => undefined);
  if (json) printJson(result);
  else console.log(`${task.taskId}: ${result.state}${result.error ? ` (${result.error})` : ''}${result.xcom !== undefined ? `\nreturned ${JSON.stringify(result.xcom)}` : ''}`);
  return result.state === 'success' || result.state === 'skipped' ? 0 : 1;
}
