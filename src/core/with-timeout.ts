/**
 * `work`, or a rejection saying `what` did not answer within `ms` if it takes longer: for a
 * caller that must answer anyway (a health check, a command that shows what it has). The work
 * itself goes on; its outcome is then ignored.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms}ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
