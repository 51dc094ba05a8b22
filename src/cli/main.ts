/** `sluice <command>`: exit 0 success, 1 the thing ran and failed, 2 bad usage or bad input. */
import { ConfigError } from '../config.ts';
import { SluiceError } from '../errors.ts';
import { redactSecrets } from '../core/redact.ts';
import { UsageError } from './args.ts';
import { cliContext, type CliContext } from './context.ts';
import * as dags from './commands/dags.ts';
import * as processes from './commands/processes.ts';
import * as runs from './commands/runs.ts';

type Command = (ctx: CliContext, args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  'db migrate': processes.dbMigrate,
  standalone: processes.standalone,
  scheduler: processes.scheduler,
  worker: processes.worker,
  webserver: processes.webserver,
  'dags list': dags.list,
  'dags errors': dags.errors,
  'dags show': dags.show,
  'dags pause': dags.pause,
  'dags unpause': dags.unpause,
  'dags trigger': dags.trigger,
  'dags backfill': dags.backfill,
  'dags test': dags.test,
  'runs list': runs.runsList,
  'runs show': runs.runsShow,
  'tasks clear': runs.tasksClear,
  'tasks logs': runs.tasksLogs,
  'tasks test': dags.testTask,
};

const USAGE = `usage: sluice <command> [options]   (--json for machine-readable output)

  db migrate                      create / upgrade the metadata database
  standalone [--port N] [--workers N] [--concurrency N]
  scheduler | worker [--concurrency N] [--pools a,b] | webserver [--host H] [--port N]
  dags list | errors | show <dag> | pause <dag> | unpause <dag>
  dags trigger <dag> [--conf JSON] [--logical-date ISO] [--wait]
  dags backfill <dag> --from ISO --to ISO [--reprocess none|failed|completed]
                [--max-active-runs N] [--backwards] [--dry-run] [--wait]
  dags test <dag> [--logical-date ISO] [--conf JSON]
  runs list <dag> [--state S] [--limit N] | runs show <dag> <runId>
  tasks clear <dag> <runId> [--task ID]... [--downstream] [--only-failed]
  tasks logs <dag> <runId> <task> [--try N] | tasks test <dag> <task> [--logical-date ISO]
`;

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ''}`.trim();
  const [name, rest] = COMMANDS[two] ? [two, argv.slice(2)] : [argv[0]!, argv.slice(1)];
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`sluice: unknown command "${two}"; run "sluice --help" for the list\n`);
    return 2;
  }
  try {
    return await command(cliContext(), rest);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof SluiceError) {
      process.stderr.write(`sluice ${name}: ${redactSecrets(error.message)}\n`);
      return 2;
    }
    const code = (error as { code?: string }).code;
    if (code === 'ECONNREFUSED' || code === '3D000') {
      process.stderr.write(`sluice ${name}: cannot reach a service: ${redactSecrets((error as Error).message)}; ` +
        `check SLUICE_DATABASE_URL / SLUICE_REDIS_URL${code === '3D000' ? ' and run "sluice db migrate"' : ''}\n`);
      return 1;
    }
    // A driver's error may quote a connection string: its password never reaches the terminal.
    process.stderr.write(`sluice ${name}: ${redactSecrets((error as Error).stack ?? String(error))}\n`);
    return 1;
  }
}
