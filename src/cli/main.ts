/** `sluice <command>`: exit 0 success, 1 the thing ran and failed, 2 bad usage or bad input. */
import { ConfigError } from '../config.ts';
import { SluiceError } from '../errors.ts';
import { redactSecrets } from '../core/redact.ts';
import { UsageError } from './args.ts';
import { helpText, type Command } from './command.ts';
import { cliContext } from './context.ts';
import { ASSET_COMMANDS } from './commands/assets.ts';
import { POOL_COMMANDS } from './commands/pools.ts';
import { CONNECTION_COMMANDS } from './commands/connections.ts';
import { VARIABLE_COMMANDS } from './commands/variables.ts';
import { SECRET_COMMANDS } from './commands/secrets.ts';
import { DAG_COMMANDS } from './commands/dags.ts';
import { PROCESS_COMMANDS } from './commands/processes.ts';
import { RUN_COMMANDS } from './commands/runs.ts';
import { TASK_COMMANDS } from './commands/tasks.ts';
import type { CliRuntime } from './runtime.ts';

/** Every command, in the order the help text lists them. */
export const COMMANDS: readonly Command[] = [...PROCESS_COMMANDS, ...DAG_COMMANDS, ...RUN_COMMANDS, ...TASK_COMMANDS, ...ASSET_COMMANDS, ...POOL_COMMANDS,
  ...CONNECTION_COMMANDS, ...VARIABLE_COMMANDS, ...SECRET_COMMANDS];

const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));

/** Runs `sluice <argv>` and returns its exit status; `runtime` is what workers/ lends the CLI. */
export async function main(argv: string[], runtime: CliRuntime): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(helpText(COMMANDS));
    return argv.length === 0 ? 2 : 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ''}`.trim();
  const [name, rest] = BY_NAME.has(two) ? [two, argv.slice(2)] : [argv[0]!, argv.slice(1)];
  const command = BY_NAME.get(name);
  if (!command) {
    process.stderr.write(`sluice: unknown command "${two}"; run "sluice --help" for the list\n`);
    return 2;
  }
  try {
    return await command.execute(cliContext(runtime), rest);
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
