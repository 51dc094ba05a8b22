import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, databaseName, loadDemoConfig } from '../../../demo/config.ts';

describe('demo-data settings', () => {
  it('has the documented defaults', () => {
    assert.deepEqual(loadDemoConfig({}), {
      mongoUrl: 'mongodb://127.0.0.1:27017/shop',
      dbName: 'shop',
      sizes: { customers: 2_000, products: 300, orders: 10_000 },
      historyDays: 3,
      modifyIntervalMs: 60_000,
      modifyBatch: 50,
      seed: 1,
      badRecordRate: 1 / 200,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadDemoConfig({
      MONGO_URL: 'mongodb://user:secret@mongo:27017/store?authSource=admin',
      DEMO_CUSTOMERS: '10',
      DEMO_PRODUCTS: '3',
      DEMO_ORDERS: '0',
      DEMO_HISTORY_DAYS: '0.5',
      DEMO_MODIFY_INTERVAL: '0',
      DEMO_MODIFY_BATCH: '7',
      DEMO_SEED: '4294967295',
      DEMO_BAD_RECORD_RATE: '0',
      SLUICE_LOG_LEVEL: 'WARN',
    });
    assert.equal(config.dbName, 'store');
    assert.deepEqual(config.sizes, { customers: 10, products: 3, orders: 0 });
    assert.equal(config.historyDays, 0.5);
    assert.equal(config.modifyIntervalMs, 0);
    assert.equal(config.modifyBatch, 7);
    assert.equal(config.seed, 4_294_967_295);
    assert.equal(config.badRecordRate, 0);
    assert.equal(config.logLevel, 'warn');
    assert.equal(loadDemoConfig({ DEMO_MODIFY_INTERVAL: '1m 30s' }).modifyIntervalMs, 90_000);
  });

  it('names the variable of an invalid value', () => {
    const cases: Record<string, string> = {
      DEMO_CUSTOMERS: 'many',
      DEMO_PRODUCTS: '0',
      DEMO_ORDERS: '-5',
      DEMO_HISTORY_DAYS: '0',
      DEMO_MODIFY_INTERVAL: '60',
      DEMO_MODIFY_BATCH: '1.5',
      DEMO_SEED: '-1',
      DEMO_BAD_RECORD_RATE: '2',
      SLUICE_LOG_LEVEL: 'loud',
      MONGO_URL: 'postgres://localhost/shop',
    };
    for (const [name, value] of Object.entries(cases)) {
      assert.throws(
        () => loadDemoConfig({ [name]: value }),
        (error: unknown) => error instanceof ConfigError && error.message.includes(name),
        `${name}=${value}`,
      );
    }
  });

  it('takes the database from the URL path, several hosts included', () => {
    assert.equal(databaseName('mongodb://127.0.0.1:27017'), 'shop');
    assert.equal(databaseName('mongodb://127.0.0.1:27017/?replicaSet=rs0'), 'shop');
    assert.equal(databaseName('mongodb://a:27017,b:27017/orders_db?replicaSet=rs0'), 'orders_db');
    assert.equal(databaseName('mongodb+srv://cluster.example.net/shop2'), 'shop2');
  });

  it('hides the password of a URL it refuses, even one with a raw / in it', () => {
    assert.throws(
      () => databaseName('mongo://user:se/cr3t@mongo:27017/shop'),
      (error: Error) => error instanceof ConfigError && error.message.includes('mongo://user:***@mongo:27017/shop') && !error.message.includes('cr3t'),
    );
  });
});
