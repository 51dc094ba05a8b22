import { ConfigError } from '../src/config.ts';
import { parseDuration } from '../src/core/durations.ts';
import { redactSecrets } from '../src/core/redact.ts';
import { DEFAULT_BAD_RECORD_RATE, DEFAULT_SEED } from './shop-data.ts';

/** A setting that cannot be used (Sluice's own error type); the message names the variable. main.ts exits with 2. */
export { ConfigError };

/** The demo-data process's settings, from the environment, checked before anything connects. */
export interface DemoConfig {
  mongoUrl: string;
  /** From the URL's path; 'shop' when the URL names none. */
  dbName: string;
  sizes: { customers: number; products: number; orders: number };
  historyDays: number;
  /** 0: fill once and exit. */
  modifyIntervalMs: number;
  modifyBatch: number;
  seed: number;
  badRecordRate: number;
  logLevel: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const read = (name: string, fallback: string): string => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? fallback : value;
  };
  const wholeNumber = (name: string, fallback: number, min: number): number => {
    const text = read(name, String(fallback));
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < min) throw new ConfigError(`${name} must be a whole number ≥ ${min}, got "${text}"`);
    return value;
  };

  const mongoUrl = read('MONGO_URL', 'mongodb://127.0.0.1:27017/shop');
  const sizes = {
    customers: wholeNumber('DEMO_CUSTOMERS', 2_000, 0),
    products: wholeNumber('DEMO_PRODUCTS', 300, 0),
    orders: wholeNumber('DEMO_ORDERS', 10_000, 0),
  };
  // The modify cycle adds orders of existing customers for existing products.
  if (sizes.customers === 0) throw new ConfigError('DEMO_CUSTOMERS must be at least 1: orders need customers');
  if (sizes.products === 0) throw new ConfigError('DEMO_PRODUCTS must be at least 1: orders need products');

  const historyText = read('DEMO_HISTORY_DAYS', '3');
  const historyDays = Number(historyText);
  if (!/^\d+(\.\d+)?$/.test(historyText) || !(historyDays > 0)) {
    throw new ConfigError(`DEMO_HISTORY_DAYS must be a number of days greater than 0, got "${historyText}"`);
  }

  const intervalText = read('DEMO_MODIFY_INTERVAL', '60s');
  let modifyIntervalMs: number;
  if (/^\d+$/.test(intervalText) && intervalText !== '0') {
    // parseDuration's hint for this case is about code ("pass the number"), not an environment variable.
    throw new ConfigError(`DEMO_MODIFY_INTERVAL "${intervalText}" has no unit; write e.g. '${intervalText}s' or '${intervalText}m' ('0' fills once and exits)`);
  }
  try {
    // A bare '0' is how people write "never".
    modifyIntervalMs = intervalText === '0' ? 0 : parseDuration(intervalText, 'DEMO_MODIFY_INTERVAL');
  } catch (error) {
    throw new ConfigError(`${(error as Error).message} ('0' fills once and exits)`);
  }

  const seedText = read('DEMO_SEED', String(DEFAULT_SEED));
  const seed = Number(seedText);
  if (!/^\d+$/.test(seedText) || !Number.isSafeInteger(seed) || seed > 0xffffffff) {
    throw new ConfigError(`DEMO_SEED must be a whole number from 0 to 4294967295, got "${seedText}"`);
  }

  const rateText = read('DEMO_BAD_RECORD_RATE', String(DEFAULT_BAD_RECORD_RATE));
  const badRecordRate = Number(rateText);
  if (rateText === '' || !Number.isFinite(badRecordRate) || badRecordRate < 0 || badRecordRate > 1) {
    throw new ConfigError(`DEMO_BAD_RECORD_RATE must be a number from 0 to 1, got "${rateText}"`);
  }

  const logLevel = read('SLUICE_LOG_LEVEL', 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`SLUICE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  return {
    mongoUrl,
    dbName: databaseName(mongoUrl),
    sizes,
    historyDays,
    modifyIntervalMs,
    modifyBatch: wholeNumber('DEMO_MODIFY_BATCH', 50, 0),
    seed,
    badRecordRate,
    logLevel,
  };
}

/**
 * The database named by a MongoDB URL's path ('shop' when it names none). Parsed by hand because
 * `new URL` rejects the several-hosts form ('mongodb://a:27017,b:27017/shop').
 */
export function databaseName(mongoUrl: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/([^/?#]*)(?:\/([^?#]*))?/.exec(mongoUrl);
  if (!match || match[1] === '') {
    throw new ConfigError(`MONGO_URL must look like mongodb://host:27017/shop, got "${redactSecrets(mongoUrl)}"`);
  }
  const name = decodeURIComponent(match[2] ?? '');
  if (name === '') return 'shop';
  if (/[/\\. "$]/.test(name)) throw new ConfigError(`MONGO_URL names the database "${name}", which MongoDB does not allow`);
  return name;
}
