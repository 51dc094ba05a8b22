/**
 * The worker's heap policy. Left alone, V8 lets the heap of a process on a large machine grow up
 * to four times what is live before it collects, so a worker streaming millions of rows (each row
 * garbage a moment later) holds hundreds of MB it does not need. A bounded growth keeps a
 * worker's memory near its working set; full collections come more often, which costs little
 * while the live heap is small, as it is for streaming tasks.
 */
import v8 from 'node:v8';

/** The V8 flag for a growth in percent, or undefined for V8's own sizing (0). */
export function heapGrowthFlag(percent: number): string | undefined {
  return percent > 0 ? `--heap-growing-percent=${percent}` : undefined;
}

/** Applies the policy to this process (V8 reads this flag at every full collection, so it works after start-up). */
export function applyHeapGrowth(percent: number): void {
  const flag = heapGrowthFlag(percent);
  if (flag) v8.setFlagsFromString(flag);
}
