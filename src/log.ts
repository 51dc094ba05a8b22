import { pino, type Logger } from 'pino';

export type { Logger };

/** The process-wide structured logger; components take child loggers carrying their ids. */
export function createLogger(level: string, name: string, destination: 'stdout' | 'stderr' = 'stderr'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination({ dest: destination === 'stdout' ? 1 : 2, sync: true }));
}
