export interface RetryPolicy {
  retryDelayMs: number;
  retryExponentialBackoff: boolean;
  maxRetryDelayMs: number;
}

/** How long to wait before the try after `failedTryNumber` (1 for the first try). */
export function retryDelayFor(policy: RetryPolicy, failedTryNumber: number): number {
  const { retryDelayMs, retryExponentialBackoff, maxRetryDelayMs } = policy;
  // Bounded so that 2 ** exponent stays finite (0 * Infinity would be NaN); the cap below wins anyway.
  const exponent = Math.min(Math.max(0, Math.floor(failedTryNumber) - 1), 60);
  const delay = retryExponentialBackoff ? retryDelayMs * 2 ** exponent : retryDelayMs;
  return Math.max(0, Math.min(delay, maxRetryDelayMs));
}
