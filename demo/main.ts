import { setTimeout as delay } from 'node:timers/promises';
import type { MongoClient } from 'mongodb';
import { createLogger, type Logger } from '../src/log.ts';
import { ConfigError, loadDemoConfig, type DemoConfig } from './config.ts';
import { MongoUnreachableError, connectWithRetry } from './connect.ts';
import { ensureIndexes, fillShop } from './fill.ts';
import { modifyShop } from './modify.ts';
import { createRng, deriveSeed } from './shop-data.ts';

/**
 * The demo-data process: fills the shop's MongoDB once (when its collections are empty), then
 * every DEMO_MODIFY_INTERVAL changes a batch of documents and adds a few, so the ETL always has
 * something new to extract. Exit codes: 0 done or stopped, 1 MongoDB unreachable or failed,
 * 2 invalid settings.
 */

const DAY_MS = 86_400_000;

async function main(): Promise<number> {
  let config: DemoConfig;
  try {
    config = loadDemoConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`demo-data: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const log = createLogger(config.logLevel, 'demo-data');

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info({ signal }, `${signal} received; stopping`);
    stop.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  let client: MongoClient | undefined;
  try {
    client = await connectWithRetry(config.mongoUrl, { log, signal: stop.signal });
    if (!client) return 0; // stopped while waiting for MongoDB
    await run(client, config, log, stop.signal);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      log.fatal(error.message);
      return 2;
    }
    if (error instanceof MongoUnreachableError) log.fatal(error.message);
    else log.fatal({ err: error }, 'demo-data failed');
    return 1;
  } finally {
    await client?.close().catch(() => undefined);
  }
}

async function run(client: MongoClient, config: DemoConfig, log: Logger, signal: AbortSignal): Promise<void> {
  const db = client.db(config.dbName);
  const to = new Date();
  const from = new Date(to.getTime() - config.historyDays * DAY_MS);
  const started = Date.now();
  const filled = await fillShop(db, { sizes: config.sizes, seed: config.seed, from, to, badRecordRate: config.badRecordRate, log, signal });
  if (signal.aborted) return;
  await ensureIndexes(db);
  log.info({ db: config.dbName, ...filled, ms: Date.now() - started }, 'shop ready');

  if (config.modifyIntervalMs === 0) {
    log.info('DEMO_MODIFY_INTERVAL is 0: filled once, exiting');
    return;
  }
  // Seeded from the start time as well: a restarted process must not replay the last run's changes.
  const rng = createRng(deriveSeed(config.seed, `modify/${started}`));
  for (let cycle = 1; ; cycle++) {
    try {
      await delay(config.modifyIntervalMs, undefined, { signal });
    } catch {
      return; // stopped
    }
    const cycleStart = Date.now();
    try {
      const summary = await modifyShop(db, { rng, now: new Date(), batch: config.modifyBatch, badRecordRate: config.badRecordRate });
      const u = summary.updated;
      const i = summary.inserted;
      log.info(
        { cycle, ...summary, ms: Date.now() - cycleStart },
        `cycle ${cycle}: updated ${u.orders} orders, ${u.customers} customers, ${u.products} products; inserted ${i.customers} customers, ${i.orders} orders`,
      );
    } catch (error) {
      // A MongoDB restart or failover: the driver reconnects by itself, the next cycle tries again.
      log.warn({ cycle, err: error }, `cycle ${cycle} failed; trying again in the next interval`);
    }
  }
}

process.exitCode = await main();
