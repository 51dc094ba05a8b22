/** `sluice dags …`: the DAGs in the folder, pausing, triggering, backfilling and testing. */
import { CronSchedule } from '../../core/schedule.ts';
import { formatDuration } from '../../core/durations.ts';
import { formatCount } from '../../core/show-value.ts';
import { makeRunId } from '../../core/states.ts';
import { triggerDagRun } from '../../engine/actions.ts';
import { requireValidConf } from '../../engine/run-conf.ts';
import {
  createBackfill,
  DRY_RUN_PAGE_LIMIT,
  pagePlan,
  type BackfillRecord,
} from '../../engine/backfill.ts';
import { REPROCESS_BEHAVIORS, type ReprocessBehavior } from '../../core/reprocess.ts';
import { notFound } from '../../errors.ts';
import { pauseDag } from '../../engine/pause.ts';
import type { Db } from '../../store/db.ts';
import { getRun } from '../../store/runs.ts';
import { dateFlag, intFlag, jsonObjectFlag, UsageError } from '../args.ts';
import { command } from '../command.ts';
import { withServices, type CliContext } from '../context.ts';
import { withLocalSecrets } from '../local-secrets.ts';
import { instanceLabel, loadDag, printTry, runWindow, scanFolder } from '../dag-files.ts';
import { iso, printJson, printTable } from '../output.ts';
import { describeQueueWaits, queueWaitsOf } from '../queue-waits.ts';

const list = command({
  name: 'dags list',
  summary: 'the DAGs in the DAGs folder (read from the files: no scheduler needed)',
  args: [],
  flags: {},
  async run(ctx, { json }) {
    const scan = await scanFolder(ctx);
    const dags = [...scan.dags.values()].map(({ spec, fileloc }) => ({
      dagId: spec.dagId,
      fileloc,
      schedule: spec.schedule,
      ...(spec.assetSchedule ? { assetSchedule: spec.assetSchedule } : {}),
      tags: spec.tags,
      tasks: spec.tasks.length,
      description: spec.description,
    }));
    if (json) printJson({ dags, totalEntries: dags.length, importErrors: scan.errors.length });
    else {
      printTable(['dag_id', 'schedule', 'tasks', 'tags', 'fileloc'], dags.map((d) => [d.dagId, d.assetSchedule ? `on assets: ${d.assetSchedule.join(', ')}` : (d.schedule ?? 'manual'), d.tasks, d.tags.join(','), d.fileloc]));
      if (scan.errors.length) console.error(`${scan.errors.length} file(s) failed to import: see "sluice dags errors"`);
    }
    return 0;
  },
});

const errors = command({
  name: 'dags errors',
  summary: 'the DAG files that fail to import, and why; exit 1 if there are any',
  args: [],
  flags: {},
  async run(ctx, { json }) {
    const scan = await scanFolder(ctx);
    if (json) printJson({ importErrors: scan.errors, totalEntries: scan.errors.length });
    else if (scan.errors.length === 0) console.log('no import errors');
    else for (const e of scan.errors) console.log(`${e.filename}: ${e.message}`);
    return scan.errors.length ? 1 : 0;
  },
});

const show = command({
  name: 'dags show',
  summary: "one DAG's schedule, tasks and edges",
  args: ['dag'],
  flags: {},
  async run(ctx, { positionals: [dagId], json }) {
    const { spec, fileloc } = await loadDag(ctx, dagId);
    // The file is read from the folder; what its runs wait on, from the metadata database, if it answers.
    const waits = await queueWaitsOf(ctx.config.databaseUrl, dagId);
    if (json) {
      printJson({ ...spec, fileloc, ...(waits && { queuedTries: waits }) });
      return 0;
    }
    const schedule = spec.assetSchedule
      ? `on assets: ${spec.assetSchedule.join(', ')}`
      : spec.schedule
        ? `${spec.schedule} (${new CronSchedule(spec.schedule, spec.timezone).describe()})`
        : 'manual only';
    console.log(`${spec.dagId}  ${fileloc}\n  schedule: ${schedule}, catchup: ${spec.catchup}, start: ${spec.startDate ?? '-'}`);
    printTable(
      ['task_id', 'upstream', 'trigger_rule', 'retries', 'pool', 'queue'],
      spec.tasks.map((t) => [t.taskId, t.upstream.join(',') || '-', t.triggerRule, t.retries, t.pool, t.queue]),
    );
    const edges = spec.tasks.flatMap((t) => t.downstream.map((d) => `${t.taskId} -> ${d}`));
    if (edges.length) console.log(`edges:\n  ${edges.join('\n  ')}`);
    if (waits?.length) console.log(`queued tries:\n  ${describeQueueWaits(waits).join('\n  ')}`);
    return 0;
  },
});

async function setPausedCommand(ctx: CliContext, dagId: string, paused: boolean, json: boolean): Promise<number> {
  return withServices(ctx, async ({ db }) => {
    const dag = await pauseDag(db, dagId, paused, ctx.actor);
    if (!dag) throw notFound(`DAG "${dagId}" not found in the metadata database; is a scheduler running on this DAGs folder?`);
    if (json) printJson({ dagId: dag.dagId, isPaused: dag.isPaused });
    else console.log(`${dag.dagId} is ${paused ? 'paused' : 'unpaused'}`);
    return 0;
  });
}

const pause = command({
  name: 'dags pause',
  summary: 'stop creating scheduled runs (manual runs and backfills still run)',
  args: ['dag'],
  flags: {},
  run: (ctx, { positionals: [dagId], json }) => setPausedCommand(ctx, dagId, true, json),
});

const unpause = command({
  name: 'dags unpause',
  summary: 'create scheduled runs again',
  args: ['dag'],
  flags: {},
  run: (ctx, { positionals: [dagId], json }) => setPausedCommand(ctx, dagId, false, json),
});

/** Polls until the run ends; returns its final state. */
async function waitForRun(db: Db, dagId: string, runId: string): Promise<string> {
  for (;;) {
    const run = await getRun(db, dagId, runId);
    if (!run) throw notFound(`run ${runId} of DAG ${dagId} disappeared`);
    if (run.state === 'success' || run.state === 'failed') return run.state;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const trigger = command({
  name: 'dags trigger',
  summary: 'a manual run; prints its run id. With --wait: exit 0 if the run succeeded, 1 if it failed',
  args: ['dag'],
  flags: {
    conf: { type: 'string', value: 'JSON' },
    'logical-date': { type: 'string', value: 'ISO' },
    wait: { type: 'boolean' },
  },
  async run(ctx, { positionals: [dagId], values, json }) {
    const conf = jsonObjectFlag(values.conf, '--conf');
    const ld = values['logical-date'];
    const logicalDate = ld === undefined ? undefined : dateFlag(ld, '--logical-date');
    return withServices(ctx, async ({ db }) => {
      const run = await triggerDagRun(db, dagId, { logicalDate, conf, actor: ctx.actor });
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
  },
});

const backfill = command({
  name: 'dags backfill',
  summary:
    'a run for every data interval whose start lies in [from, to]; --dry-run lists the dates (a page of them: --offset, --limit)',
  args: ['dag'],
  flags: {
    from: { type: 'string', value: 'ISO', required: true },
    to: { type: 'string', value: 'ISO', required: true },
    reprocess: { type: 'string', value: REPROCESS_BEHAVIORS.join('|') },
    'max-active-runs': { type: 'string', value: 'N' },
    backwards: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    wait: { type: 'boolean' },
    conf: { type: 'string', value: 'JSON' },
    offset: { type: 'string', value: 'N' },
    limit: { type: 'string', value: 'N' },
  },
  async run(ctx, { positionals: [dagId], values, json }) {
    if (!values['dry-run'] && (values.limit !== undefined || values.offset !== undefined)) {
      throw new UsageError('dags backfill: --limit and --offset page the dates of a --dry-run; a backfill runs every date in its range');
    }
    const offset = intFlag(values.offset, '--offset', 0, 0);
    const limit = intFlag(values.limit, '--limit', 1, DRY_RUN_PAGE_LIMIT);
    const reprocess = values.reprocess ?? 'none';
    if (!isReprocessBehavior(reprocess)) {
      throw new UsageError(`--reprocess must be one of ${REPROCESS_BEHAVIORS.join(', ')}, got "${reprocess}"`);
    }
    const request = {
      dagId,
      fromDate: dateFlag(values.from, '--from'),
      toDate: dateFlag(values.to, '--to'),
      reprocessBehavior: reprocess,
      maxActiveRuns: intFlag(values['max-active-runs'], '--max-active-runs', 1, 10),
      runBackwards: values.backwards,
      dryRun: values['dry-run'],
      dagRunConf: jsonObjectFlag(values.conf, '--conf'),
      actor: ctx.actor,
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
  },
});

function isReprocessBehavior(value: string): value is ReprocessBehavior {
  return (REPROCESS_BEHAVIORS as readonly string[]).includes(value);
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

const test = command({
  name: 'dags test',
  summary: "one whole run in this process, no Redis or workers needed; prints each task's state; exit 0/1",
  args: ['dag'],
  flags: {
    'logical-date': { type: 'string', value: 'ISO' },
    conf: { type: 'string', value: 'JSON' },
  },
  async run(ctx, { positionals: [dagId], values, json }) {
    const { dag, spec } = await loadDag(ctx, dagId);
    const ld = values['logical-date'];
    const logicalDate = ld ? dateFlag(ld, '--logical-date') : new Date();
    const interval = runWindow(spec, logicalDate);
    const conf = jsonObjectFlag(values.conf, '--conf') ?? {};
    requireValidConf(spec, conf);
    const result = await withLocalSecrets(ctx, (secrets) =>
      ctx.runtime.runDagLocally(dag, spec, {
        runId: makeRunId('manual', logicalDate),
        logicalDate,
        dataIntervalStart: interval.start,
        dataIntervalEnd: interval.end,
        conf,
        secrets,
        onLog: printTry(json),
        onTaskEnd: (t) => {
          if (!json) console.log(`${instanceLabel(t)}: ${t.state}${t.tries > 1 ? ` after ${t.tries} tries` : ''}${t.error ? ` (${t.error})` : ''}`);
        },
      }),
    );
    if (json) printJson(result);
    else {
      printTable(['task_id', 'state', 'tries', 'duration', 'error'], result.tasks.map((t) => [instanceLabel(t), t.state, t.tries, formatDuration(t.durationMs), t.error ?? '']));
      console.log(`run ${result.state}`);
    }
    return result.state === 'success' ? 0 : 1;
  },
});

export const DAG_COMMANDS = [list, errors, show, pause, unpause, trigger, backfill, test];
