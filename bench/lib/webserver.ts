/**
 * The webserver (API and UI) inside the bench process, as `sluice webserver` builds it, against a
 * scenario's database and Redis prefix, on 127.0.0.1 and a free port.
 */
import { openWebserver } from '../../src/api/server.ts';
import { loadConfig } from '../../src/config.ts';
import type { BenchEnvironment } from './env.ts';

export interface BenchWebserver {
  url: string;
  /** Stops the server and closes its pool and Redis connection; safe to call more than once. */
  close(): Promise<void>;
}

export async function startBenchWebserver(env: BenchEnvironment): Promise<BenchWebserver> {
  // No API token, whatever the shell has: the browser opens the UI without signing in.
  const config = loadConfig(env.childEnv({ SLUICE_API_TOKEN: '' }));
  return openWebserver(config, env.log, { host: '127.0.0.1', port: 0 });
}
