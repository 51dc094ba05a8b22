import { parseDuration } from './core/durations.ts';
import { formatByteSize, parseByteSize } from './core/sizes.ts';

/** Everything Sluice reads from the environment, validated once at start-up (README, "Configuration"). */
export interface Config {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  dagsFolder: string;
  host: string;
  port: number;
  apiToken: string | undefined;
  allowInsecure: boolean;
  taskHeartbeatTimeoutMs: number;
  dagRescanIntervalMs: number;
  logLevel: string;
  /** How often the scheduler's safety-net loop runs; the fast path does not wait for it. */
  schedulerLoopMs: number;
  /** How long a stopping worker lets running tries finish before handing them back. */
  workerShutdownGraceMs: number;
  /**
   * How far a worker's JavaScript heap may grow past what is live before a full collection, in
   * percent (V8's --heap-growing-percent); 0 leaves it to V8, which lets it grow up to 4×.
   */
  workerHeapGrowthPercent: number;
  /**
   * The most log a try keeps, in bytes: the worker drops the lines past it (and says so in the
   * log), so one chatty task cannot fill the metadata database or the worker's memory.
   */
  taskLogLimitBytes: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
// Below 1 KiB not even the line saying the log was cut fits; above 1 GiB a log is no longer
// something to keep in the metadata database and read in a browser.
export const TASK_LOG_LIMIT_RANGE = { min: 1_024, max: 1_073_741_824 };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = (name: string, fallback: string): string => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? fallback : value.trim();
  };
  const duration = (name: string, fallback: string): number => {
    try {
      return parseDuration(read(name, fallback), name);
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
  };
  const size = (name: string, fallback: string): number => {
    try {
      return parseByteSize(read(name, fallback), name);
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
  };
  const port = Number(read('SLUICE_PORT', '8080'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`SLUICE_PORT must be a port number between 0 and 65535, got "${env.SLUICE_PORT}"`);
  }
  const logLevel = read('SLUICE_LOG_LEVEL', 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`SLUICE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.SLUICE_LOG_LEVEL}"`);
  }
  const heapGrowthText = read('SLUICE_WORKER_HEAP_GROWTH_PERCENT', '30');
  const workerHeapGrowthPercent = Number(heapGrowthText);
  if (!/^\d+$/.test(heapGrowthText) || workerHeapGrowthPercent > 300) {
    throw new ConfigError(
      `SLUICE_WORKER_HEAP_GROWTH_PERCENT must be a whole number from 0 to 300 (0: V8's own heap sizing), got "${env.SLUICE_WORKER_HEAP_GROWTH_PERCENT}"`,
    );
  }
  const taskLogLimitBytes = size('SLUICE_TASK_LOG_LIMIT', '20MB');
  if (taskLogLimitBytes < TASK_LOG_LIMIT_RANGE.min || taskLogLimitBytes > TASK_LOG_LIMIT_RANGE.max) {
    throw new ConfigError(
      `SLUICE_TASK_LOG_LIMIT must be from ${formatByteSize(TASK_LOG_LIMIT_RANGE.min)} to ${formatByteSize(TASK_LOG_LIMIT_RANGE.max)} ` +
        `(e.g. 20MB, the default), got "${env.SLUICE_TASK_LOG_LIMIT}"`,
    );
  }
  const queuePrefix = read('SLUICE_QUEUE_PREFIX', 'sluice');
  if (!/^[A-Za-z0-9_.-]+$/.test(queuePrefix)) {
    throw new ConfigError(`SLUICE_QUEUE_PREFIX may contain only letters, digits, '_', '.' and '-', got "${queuePrefix}"`);
  }
  return {
    databaseUrl: read('SLUICE_DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/sluice'),
    redisUrl: read('SLUICE_REDIS_URL', 'redis://127.0.0.1:6379/0'),
    queuePrefix,
    dagsFolder: read('SLUICE_DAGS_FOLDER', './dags'),
    host: read('SLUICE_HOST', '127.0.0.1'),
    port,
    apiToken: env.SLUICE_API_TOKEN ? env.SLUICE_API_TOKEN : undefined,
    allowInsecure: read('SLUICE_ALLOW_INSECURE', '0') === '1',
    taskHeartbeatTimeoutMs: duration('SLUICE_TASK_HEARTBEAT_TIMEOUT', '30s'),
    dagRescanIntervalMs: duration('SLUICE_DAG_RESCAN_INTERVAL', '5s'),
    logLevel,
    schedulerLoopMs: duration('SLUICE_SCHEDULER_LOOP_INTERVAL', '1s'),
    workerShutdownGraceMs: duration('SLUICE_WORKER_SHUTDOWN_GRACE', '25s'),
    workerHeapGrowthPercent,
    taskLogLimitBytes,
  };
}
