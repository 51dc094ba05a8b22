/** `sluice tasks …`: clearing a run's tasks, reading a try's log, and running one task in this process. */
import { once } from 'node:events';
import { makeRunId } from '../../core/states.ts';
import { clearTaskInstances } from '../../engine/actions.ts';
import { notFound } from '../../errors.ts';
import { formatLog } from '../../log-format.ts';
import { logExtent, readLogPages, type LogPage } from '../../store/logs.ts';
import type { Queryable } from '../../store/db.ts';
import { getTaskInstance, whyNoTaskInstance } from '../../store/task-instance-reads.ts';
import { dateFlag, intFlag, UsageError } from '../args.ts';
import { command } from '../command.ts';
import { withServices } from '../context.ts';
import { withLocalSecrets } from '../local-secrets.ts';
import { loadDag, printTry, runWindow } from '../dag-files.ts';
import { printJson } from '../output.ts';

const clear = command({
  name: 'tasks clear',
  summary: 're-run those tasks (all of the run by default); their try number goes on counting',
  args: ['dag', 'runId'],
  flags: {
    task: { type: 'string', value: 'ID', multiple: true },
    downstream: { type: 'boolean' },
    'only-failed': { type: 'boolean' },
  },
  async run(ctx, { positionals: [dagId, runId], values, json }) {
    return withServices(ctx, async (services) => {
      const cleared = await clearTaskInstances(services, dagId, runId, {
        taskIds: values.task,
        includeDownstream: values.downstream,
        onlyFailed: values['only-failed'],
        actor: ctx.actor,
      });
      if (json) printJson({ cleared, totalEntries: cleared.length });
      else console.log(cleared.length ? `cleared ${cleared.join(', ')}` : 'nothing to clear');
      return 0;
    });
  },
});

const logs = command({
  name: 'tasks logs',
  summary: "a try's log (the latest try by default)",
  args: ['dag', 'runId', 'task'],
  flags: { try: { type: 'string', value: 'N' }, 'map-index': { type: 'string', value: 'N' } },
  async run(ctx, { positionals: [dagId, runId, taskId], values, json }) {
    const mapIndex = intFlag(values['map-index'], '--map-index', -1, -1);
    return withServices(ctx, async ({ db }) => {
      const ti = await getTaskInstance(db, dagId, runId, taskId, mapIndex);
      if (!ti) throw await noTaskInstance(db, dagId, runId, taskId, mapIndex);
      const tryNumber = intFlag(values.try, '--try', 1, ti.tryNumber);
      if (ti.tryNumber === 0) throw notFound(`task "${taskId}" of run "${runId}" has not run yet`);
      if (tryNumber > ti.tryNumber) throw notFound(`task "${taskId}" has had ${ti.tryNumber} tr${ti.tryNumber === 1 ? 'y' : 'ies'}; there is no try ${tryNumber}`);
      const key = { dagId, runId, taskId, mapIndex, tryNumber };
      // A page at a time: a try's log may be as large as SLUICE_TASK_LOG_LIMIT lets it be.
      const pages = readLogPages(db, key, { size: (await logExtent(db, key)).size });
      if (json) await printJsonLog(tryNumber, pages);
      else for await (const page of pages) await writeOut(formatLog(page.text));
      return 0;
    });
  },
});

/** Why there is no such task instance: no such task, or a mapped task named without (or with a wrong) map index. */
async function noTaskInstance(db: Queryable, dagId: string, runId: string, taskId: string, mapIndex: number): Promise<Error> {
  const why = await whyNoTaskInstance(db, dagId, runId, taskId);
  if (why.kind === 'mapped') {
    const n = why.instances;
    return notFound(
      mapIndex < 0
        ? `task "${taskId}" of run "${runId}" is mapped into ${n} instances; pick one with --map-index 0 to ${n - 1}`
        : `task "${taskId}" of run "${runId}" has ${n} mapped instances, 0 to ${n - 1}: there is no --map-index ${mapIndex}`,
    );
  }
  if (why.kind === 'not_mapped') return notFound(`task "${taskId}" of run "${runId}" is not mapped: drop --map-index`);
  return notFound(`no task "${taskId}" in run "${runId}" of DAG "${dagId}"`);
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

const test = command({
  name: 'tasks test',
  summary: 'one task in this process, from the DAG file, with no database, Redis or workers; prints what it returned',
  args: ['dag', 'task'],
  flags: { 'logical-date': { type: 'string', value: 'ISO' } },
  async run(ctx, { positionals: [dagId, taskId], values, json }) {
    const { dag, spec } = await loadDag(ctx, dagId);
    const task = spec.tasks.find((t) => t.taskId === taskId);
    if (!task) throw new UsageError(`DAG "${spec.dagId}" has no task "${taskId}" (tasks: ${spec.tasks.map((t) => t.taskId).join(', ')})`);
    const ld = values['logical-date'];
    const logicalDate = ld ? dateFlag(ld, '--logical-date') : new Date();
    const interval = runWindow(spec, logicalDate);
    const result = await withLocalSecrets(ctx, (secrets) =>
      ctx.runtime.runTaskLocally(dag, task, spec.params, {
        runId: makeRunId('manual', logicalDate),
        logicalDate,
        dataIntervalStart: interval.start,
        dataIntervalEnd: interval.end,
        conf: {},
        secrets,
        onLog: printTry(json),
      }, () => undefined),
    );
    if (json) printJson(result);
    else console.log(`${task.taskId}: ${result.state}${result.error ? ` (${result.error})` : ''}${result.xcom !== undefined ? `\nreturned ${JSON.stringify(result.xcom)}` : ''}`);
    return result.state === 'success' || result.state === 'skipped' ? 0 : 1;
  },
});

export const TASK_COMMANDS = [clear, logs, test];
