import type { Server } from 'node:http';
import { isIP } from 'node:net';
import type { Config } from '../config.ts';
import { openServices } from '../engine/open-services.ts';
import type { Logger } from '../log.ts';
import { createApp, type ApiDeps } from './app.ts';
import { refuseUnprotectedBind } from './exposure.ts';

export { isLoopbackHost } from './exposure.ts';

export interface Webserver {
  url: string;
  close(): Promise<void>;
}

/** In-flight requests get this long to finish when the webserver stops. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Serves the API and UI on host:port (port 0: any free port). Refuses a non-loopback host without
 * an API token, since anyone who can reach it could then trigger and mark runs. (The CLI checks
 * this before it connects to anything; this check is for every other caller.)
 */
export async function startWebserver(deps: ApiDeps, options: { host: string; port: number }): Promise<Webserver> {
  const { host, port } = options;
  refuseUnprotectedBind(host, deps.config);
  const app = createApp(deps);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host);
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is already in use; stop what uses it or pick another with --port or SLUICE_PORT`
            : `cannot listen on ${host}:${port}: ${error.message}`,
        ),
      );
    };
    s.once('error', onError);
    s.once('listening', () => {
      s.off('error', onError);
      resolve(s);
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = isIP(host) === 6 ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${boundPort}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        force.unref();
        server.close((error) => {
          clearTimeout(force);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/**
 * The webserver with connections of its own, as `sluice webserver` and `standalone` run it:
 * closing it stops the server first (in-flight requests still use the pool), then the connections.
 */
export async function openWebserver(config: Config, log: Logger, options: { host: string; port: number }): Promise<Webserver> {
  const { services, redis, close } = openServices(config, log, { poolSize: 10 });
  let server: Webserver;
  try {
    server = await startWebserver({ services, redis, config }, options);
  } catch (error) {
    await close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    close: () => (closing ??= server.close().finally(close)),
  };
}
