import { parseApiTokens, singleTokenUser } from './core/api-tokens.ts';
import type { ApiUser } from './core/roles.ts';
import { parseDuration } from './core/durations.ts';
import { parseHostPorts, type HostPort } from './core/host-ports.ts';
import { formatByteSize, parseByteSize } from './core/sizes.ts';
import { MIN_MEMORY_LIMIT_BYTES } from './sdk/options.ts';

/** Everything Sluice reads from the environment, validated once at start-up (README, "Configuration"). */
export interface Config {
  databaseUrl: string;
  redisUrl: string;
  /**
   * SLUICE_REDIS_CLUSTER_NODES: the seed nodes of a Redis Cluster, or null for the single Redis of
   * redisUrl. When set it wins and redisUrl is not used (README, "Redis Cluster").
   */
  redisClusterNodes: HostPort[] | null;
  queuePrefix: string;
  dagsFolder: string;
  host: string;
  port: number;
  /**
   * Where people reach the UI (SLUICE_BASE_URL, default http://<host>:<port>), without a trailing
   * slash: the links callbacks are given (CallbackContext.url) start with it.
   */
  baseUrl: string;
  apiToken: string | undefined;
  /** SLUICE_API_TOKENS: users with a name and a role each (apiUsers adds the one of apiToken). */
  apiTokens: ApiUser[];
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
  /**
   * Where tries run: `process`, in runner processes of the worker (their code can be stopped,
   * and a crash or a blocked event loop is theirs alone); `inline`, in the worker's own event loop.
   */
  taskIsolation: TaskIsolation;
  /** How long a try's code has to stop after its signal is aborted, before its runner is killed. */
  taskKillGraceMs: number;
  /** The memoryLimit of tasks that set none, in bytes; null: none. */
  taskMemoryLimitBytes: number | null;
  /** How long one DAG file may take to import (in the parser process) before it is an import error. */
  dagImportTimeoutMs: number;
  /** The parser process's memory cap (its JavaScript heap), in bytes. */
  dagImportMemoryLimitBytes: number;
  /**
   * SLUICE_SECRET_KEY, which seals connection passwords and extras and secret variables, and
   * SLUICE_SECRET_KEY_PREVIOUS, keys still accepted for opening them during a rotation (README, "Secrets").
   */
  secretKeys: SecretKeys;
}

/** The keys that seal secrets at rest: 32 bytes each. */
export interface SecretKeys {
  /** What new secrets are sealed with; undefined: none set, so no secret can be stored. */
  current: Buffer | undefined;
  /** Older keys that still open what they sealed, until `sluice secrets rotate` reseals it. */
  previous: Buffer[];
}

export const TASK_ISOLATIONS = ['process', 'inline'] as const;
export type TaskIsolation = (typeof TASK_ISOLATIONS)[number];

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
  const taskIsolation = read('SLUICE_TASK_ISOLATION', 'process').toLowerCase();
  if (!(TASK_ISOLATIONS as readonly string[]).includes(taskIsolation)) {
    throw new ConfigError(
      `SLUICE_TASK_ISOLATION must be "process" (each try in a runner process, the default) or "inline" (in the worker's own process), got "${env.SLUICE_TASK_ISOLATION}"`,
    );
  }
  const memoryLimitText = read('SLUICE_TASK_MEMORY_LIMIT', '');
  const taskMemoryLimitBytes = memoryLimitText === '' ? null : size('SLUICE_TASK_MEMORY_LIMIT', memoryLimitText);
  if (taskMemoryLimitBytes !== null && taskMemoryLimitBytes < MIN_MEMORY_LIMIT_BYTES) {
    throw new ConfigError(
      `SLUICE_TASK_MEMORY_LIMIT must be at least 64MB (it counts a task's whole runner process, about 50 MB before the task starts), got "${memoryLimitText}"`,
    );
  }
  const dagImportMemoryLimitBytes = size('SLUICE_DAG_IMPORT_MEMORY_LIMIT', '1GB');
  if (dagImportMemoryLimitBytes < MIN_MEMORY_LIMIT_BYTES) {
    throw new ConfigError(`SLUICE_DAG_IMPORT_MEMORY_LIMIT must be at least 64MB (e.g. 1GB, the default), got "${env.SLUICE_DAG_IMPORT_MEMORY_LIMIT}"`);
  }
  const host = read('SLUICE_HOST', '127.0.0.1');
  const baseUrl = readBaseUrl(read('SLUICE_BASE_URL', `http://${host.includes(':') ? `[${host}]` : host}:${port}`));
  const queuePrefix = read('SLUICE_QUEUE_PREFIX', 'sluice');
  if (!/^[A-Za-z0-9_.-]+$/.test(queuePrefix)) {
    throw new ConfigError(`SLUICE_QUEUE_PREFIX may contain only letters, digits, '_', '.' and '-', got "${queuePrefix}"`);
  }
  const apiToken = env.SLUICE_API_TOKEN ? env.SLUICE_API_TOKEN : undefined;
  let apiTokens: ApiUser[];
  try {
    apiTokens = parseApiTokens(env.SLUICE_API_TOKENS, apiToken);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return {
    databaseUrl: read('SLUICE_DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/sluice'),
    redisUrl: read('SLUICE_REDIS_URL', 'redis://127.0.0.1:6379/0'),
    redisClusterNodes: readClusterNodes(read('SLUICE_REDIS_CLUSTER_NODES', '')),
    queuePrefix,
    dagsFolder: read('SLUICE_DAGS_FOLDER', './dags'),
    host,
    port,
    baseUrl,
    apiToken,
    apiTokens,
    allowInsecure: read('SLUICE_ALLOW_INSECURE', '0') === '1',
    taskHeartbeatTimeoutMs: duration('SLUICE_TASK_HEARTBEAT_TIMEOUT', '30s'),
    dagRescanIntervalMs: duration('SLUICE_DAG_RESCAN_INTERVAL', '5s'),
    logLevel,
    schedulerLoopMs: duration('SLUICE_SCHEDULER_LOOP_INTERVAL', '1s'),
    workerShutdownGraceMs: duration('SLUICE_WORKER_SHUTDOWN_GRACE', '25s'),
    workerHeapGrowthPercent,
    secretKeys: {
      current: env.SLUICE_SECRET_KEY?.trim() ? readSecretKey('SLUICE_SECRET_KEY', env.SLUICE_SECRET_KEY.trim()) : undefined,
      previous: read('SLUICE_SECRET_KEY_PREVIOUS', '')
        .split(',')
        .filter((k) => k.trim() !== '')
        .map((k) => readSecretKey('SLUICE_SECRET_KEY_PREVIOUS', k.trim())),
    },
    taskLogLimitBytes,
    taskIsolation: taskIsolation as TaskIsolation,
    taskKillGraceMs: duration('SLUICE_TASK_KILL_GRACE', '5s'),
    taskMemoryLimitBytes,
    dagImportTimeoutMs: duration('SLUICE_DAG_IMPORT_TIMEOUT', '30s'),
    dagImportMemoryLimitBytes,
  };
}

function readClusterNodes(text: string): HostPort[] | null {
  if (text === '') return null;
  try {
    return parseHostPorts(text, 'SLUICE_REDIS_CLUSTER_NODES');
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/**
 * Everyone with a token: the admin of SLUICE_API_TOKEN, then the users of SLUICE_API_TOKENS. None
 * means no authentication at all (every caller is an anonymous admin).
 */
export function apiUsers(config: Pick<Config, 'apiToken' | 'apiTokens'>): ApiUser[] {
  return [...singleTokenUser(config.apiToken), ...config.apiTokens];
}

/** Whether the webserver asks callers for a token (any configured). */
export function tokensConfigured(config: Pick<Config, 'apiToken' | 'apiTokens'>): boolean {
  return apiUsers(config).length > 0;
}

/** SLUICE_BASE_URL: an http(s) URL with no query or fragment; a trailing slash is dropped. */
function readBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`SLUICE_BASE_URL must be the UI's address as people reach it, like https://sluice.example.com, got "${text}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`SLUICE_BASE_URL must be an http:// or https:// address with no query, fragment or password, like https://sluice.example.com/sluice, got "${url.protocol}//${url.host}…"`);
  }
  return url.href.replace(/\/+$/, '');
}

/** A key of 32 bytes, written as 64 hex characters or as base64 (`openssl rand -hex 32` / `-base64 32`). */
function readSecretKey(name: string, text: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(text) ? Buffer.from(text, 'base64') : undefined;
  if (key?.length !== 32) {
    throw new ConfigError(
      `${name} must be 32 random bytes written as 64 hex characters or as base64 (make one with "openssl rand -hex 32"); ` +
        `got ${text.length} characters that are neither`,
    );
  }
  return key;
}
