/**
 * What the commands that read the DAGs folder themselves share (`dags list`, `dags show`,
 * `dags test`, `tasks test`): they work with no scheduler or database, straight from the files.
 */
import { CronSchedule, intervalFor, manualInterval } from '../core/schedule.ts';
import { DagFolder } from '../loader/dag-folder.ts';
import { ParserProcess } from '../loader/parser-process.ts';
import { formatLine } from '../log-format.ts';
import { UsageError } from './args.ts';
import type { CliContext } from './context.ts';

/**
 * The folder's DAGs and import errors, each file parsed in a parser process as the scheduler
 * does (a file that never finishes importing is an import error after SLUICE_DAG_IMPORT_TIMEOUT,
 * not a command that hangs).
 */
export async function scanFolder(ctx: CliContext) {
  const parser = new ParserProcess({ timeoutMs: ctx.config.dagImportTimeoutMs, memoryLimitBytes: ctx.config.dagImportMemoryLimitBytes, env: process.env });
  try {
    return await new DagFolder(ctx.config.dagsFolder, parser.parse).scan();
  } finally {
    await parser.close();
  }
}

/**
 * The DAG `dagId` as its file defines it now, with its task functions (parsed in this process: the
 * commands that run tasks here need them); a usage error listing the others if there is none.
 */
export async function loadDag(ctx: CliContext, dagId: string) {
  const scan = await new DagFolder(ctx.config.dagsFolder).scan();
  const found = scan.dags.get(dagId);
  if (!found) {
    const hint = scan.dags.size ? `DAGs in ${ctx.config.dagsFolder}: ${[...scan.dags.keys()].join(', ')}` : `no DAGs in ${ctx.config.dagsFolder}`;
    throw new UsageError(`DAG "${dagId}" not found (${hint})`);
  }
  // Parsed in this process (the folder's default parser), so its task functions are here.
  if (!found.dag) throw new Error(`internal error: DAG ${dagId} was parsed without its task functions`);
  return { ...found, dag: found.dag };
}

/** The data interval a test run at `logicalDate` covers: its cron interval, or none for a manual DAG. */
export function runWindow(spec: { schedule: string | null; timezone: string }, logicalDate: Date) {
  return spec.schedule ? intervalFor(new CronSchedule(spec.schedule, spec.timezone), logicalDate) : manualInterval(logicalDate);
}

/** A task instance as a test run prints it: `load`, or `load[3]` for a mapped task's instance. */
export const instanceLabel = (t: { taskId: string; mapIndex?: number }): string =>
  t.mapIndex === undefined || t.mapIndex < 0 ? t.taskId : `${t.taskId}[${t.mapIndex}]`;

/** Prints a test run's log lines as they come, each with its task and try; nothing with --json. */
export function printTry(json: boolean) {
  return (taskId: string, tryNumber: number, line: string) => {
    if (!json) process.stdout.write(`[${taskId} #${tryNumber}] ${formatLine(line.trimEnd())}\n`);
  };
}
