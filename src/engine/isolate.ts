import type { Logger } from '../log.ts';

/**
 * Runs `work` for each item on its own: one item's failure is logged and the rest go on, so one
 * broken DAG or run can never stall the scheduler for all the others. The next loop retries it.
 */
export async function forEachIsolated<T>(
  items: T[],
  work: (item: T) => Promise<void>,
  log: Logger,
  describe: (item: T) => Record<string, unknown>,
): Promise<void> {
  for (const item of items) {
    try {
      await work(item);
    } catch (err) {
      log.error({ err, ...describe(item) }, 'scheduler step failed for this item; will retry');
    }
  }
}
