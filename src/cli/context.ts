import { loadConfig, type Config } from '../config.ts';
import type { Services } from '../engine/services.ts';
import { createLogger, type Logger } from '../log.ts';
import { cliActor } from './actor.ts';
import type { CliRuntime } from './runtime.ts';

export interface CliContext {
  config: Config;
  log: Logger;
  runtime: CliRuntime;
  /** Who the audit log names for a change made by this command: `cli:<os user>`. */
  actor: string;
}

export function cliContext(runtime: CliRuntime): CliContext {
  const config = loadConfig();
  // Command output goes to stdout; our own logs go to stderr so `--json` stays parseable.
  return { config, log: createLogger(config.logLevel, 'sluice'), runtime, actor: cliActor() };
}

/**
 * Database and queue connections for one command, closed when `work` is done. Loaded here, not
 * imported above: BullMQ and ioredis take some 0.4 s to import, which `--help`, a usage error
 * and the commands that need no connection should not wait for.
 */
export async function withServices<T>(ctx: CliContext, work: (services: Services) => Promise<T>): Promise<T> {
  const { openServices } = await import('../engine/open-services.ts');
  const { services, close } = openServices(ctx.config, ctx.log, { poolSize: 4 });
  try {
    return await work(services);
  } finally {
    await close();
  }
}
