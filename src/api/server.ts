import type { Server } from 'node:http';
import { isIP } from 'node:net';
import { createApp, type ApiDeps } from './app.ts';

export interface Webserver {
  url: string;
  close(): Promise<void>;
}

/** In-flight requests get this long to finish when the webserver stops. */
const CLOSE_GRACE_MS = 5_000;

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  if (isIP(v4) === 4) return v4.split('.')[0] === '127';
  if (isIP(h) === 6) return new URL(`http://[${h}]`).hostname === '[::1]';
  return false;
}

/**
 * Serves the API and UI on host:port (port 0: any free port). Refuses a non-loopback host without
 * an API token, since anyone who can reach it could then trigger and mark runs.
 */
export async function startWebserver(deps: ApiDeps, options: { host: string; port: number }): Promise<Webserver> {
  const { host, port } = options;
  if (!isLoopbackHost(host) && !deps.config.apiToken && !deps.config.allowInsecure) {
    throw new Error(
      `refusing to serve on ${host}, which other machines can reach, without an API token: ` +
        'set SLUICE_API_TOKEN, or bind 127.0.0.1, or set SLUICE_ALLOW_INSECURE=1 if the network is trusted',
    );
  }
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
