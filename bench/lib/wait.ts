import { setTimeout as sleep } from 'node:timers/promises';

type Probe<T> = () => Promise<T | undefined | null | false>;

let healthCheck: () => void = () => undefined;

/** Called on every poll, so a crashed child fails the wait at once instead of at its timeout. */
export function setHealthCheck(check: () => void): void {
  healthCheck = check;
}

/** Polls `probe` every `intervalMs` until it returns something truthy, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: Probe<T>, timeoutMs: number, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    healthCheck();
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}
