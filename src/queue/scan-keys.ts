import { Cluster, type Redis } from 'ioredis';

/**
 * Every key that matches `pattern` (a SCAN glob), a batch at a time, with the server that holds
 * the batch: SCAN (never KEYS, which blocks Redis) on the one server, or on each primary of a
 * cluster in turn, since a cluster node's SCAN sees only the keys of its own slots. A key written
 * during the scan may be missed, as SCAN promises; one moved to another primary by a resharding
 * meanwhile may be missed too.
 */
export async function* scanKeys(redis: Redis | Cluster, pattern: string): AsyncGenerator<{ node: Redis; keys: string[] }> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) yield { node, keys };
    } while (cursor !== '0');
  }
}

/** SCAN's MATCH is a glob: a prefix with * ? [ ] or \ in it must match only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
