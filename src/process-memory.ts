import { readFileSync } from 'node:fs';

/** Linux's page size on every architecture Sluice's images run on. */
const PAGE_BYTES = 4096;

/**
 * A child process's resident memory in bytes (Linux: /proc/<pid>/statm, a read of a few bytes,
 * cheap enough to poll), or undefined where that cannot be read (another OS, a process gone).
 */
export function rssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES;
  } catch {
    return undefined;
  }
}
