/** Bounded concurrency for the ETL's per-part work (S3 checks, part loads). */

/**
 * Runs `work` over the items, at most `limit` at a time. The first failure stops the lanes from
 * taking more items, aborts `abort` (so work under way can stop early), and is thrown.
 */
export async function runLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, abort?: AbortController): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= error;
        abort?.abort(error);
      }
    }
  });
  await Promise.all(lanes);
  if (failure !== undefined) throw failure;
}
