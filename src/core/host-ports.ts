/** One `host:port` of a list such as SLUICE_REDIS_CLUSTER_NODES. */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * Reads a comma-separated list of `host:port` entries (`[::1]:7000` for an IPv6 address); blank
 * entries (a trailing comma) are skipped. A bad entry throws an error that names the variable,
 * quotes the entry and shows the form expected.
 */
export function parseHostPorts(text: string, variable: string): HostPort[] {
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length === 0) throw new Error(`${variable} lists no node; write it like "10.0.0.1:6379,10.0.0.2:6379"`);
  return entries.map((entry, i) => {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/@]+)):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[3]) : NaN;
    if (!match || port < 1 || port > 65535) {
      throw new Error(
        `${variable}: entry ${i + 1} "${entry}" is not a host:port; write each node as host:port with a port from 1 to 65535 ` +
          '(e.g. "10.0.0.1:6379,10.0.0.2:6379", an IPv6 address in brackets: "[::1]:6379")',
      );
    }
    return { host: match[1] ?? match[2]!, port };
  });
}
