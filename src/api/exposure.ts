/**
 * Who can reach the webserver: the rule that decides whether it may listen on an address at all,
 * checked by the CLI before anything is started and again by the webserver itself.
 */
import { isIP } from 'node:net';
import { ConfigError, tokensConfigured, type Config } from '../config.ts';

/** 127.0.0.0/8, ::1 (also IPv4-mapped), localhost and *.localhost: names of this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  if (isIP(v4) === 4) return v4.split('.')[0] === '127';
  if (isIP(h) === 6) return new URL(`http://[${h}]`).hostname === '[::1]';
  return false;
}

/**
 * Throws (a ConfigError: the CLI prints it on one line and exits 2) when `host` is an address
 * other machines can reach and no API token protects it: anyone there could trigger and mark runs.
 * SLUICE_ALLOW_INSECURE=1 lets it listen anyway, and answer whatever name it is addressed by: the
 * operator's word that the network is trusted.
 */
export function refuseUnprotectedBind(host: string, config: Pick<Config, 'apiToken' | 'apiTokens' | 'allowInsecure'>): void {
  if (isLoopbackHost(host) || tokensConfigured(config) || config.allowInsecure) return;
  throw new ConfigError(
    `refusing to serve on ${host}, which other machines can reach, without an API token: ` +
      'set SLUICE_API_TOKEN or SLUICE_API_TOKENS (every caller then sends a token), or serve on 127.0.0.1 (SLUICE_HOST or --host); ' +
      'or, if every machine that can reach it may trigger, clear and mark runs, set SLUICE_ALLOW_INSECURE=1',
  );
}
