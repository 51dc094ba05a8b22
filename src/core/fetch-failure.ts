/**
 * Why a request failed, in words: Node's fetch throws "fetch failed" and keeps the reason
 * (ECONNREFUSED, a DNS failure, a bad certificate) in its cause. Shared by what Sluice fetches
 * for users: notifiers and sensors.
 */
export function fetchFailureReason(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}
