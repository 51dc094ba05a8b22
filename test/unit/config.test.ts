import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';

describe('configuration', () => {
  test('defaults follow the contract', () => {
    const c = loadConfig({});
    assert.equal(c.databaseUrl, 'postgres://postgres@127.0.0.1:5432/sluice');
    assert.equal(c.redisUrl, 'redis://127.0.0.1:6379/0');
    assert.equal(c.redisClusterNodes, null);
    assert.equal(c.queuePrefix, 'sluice');
    assert.equal(c.dagsFolder, './dags');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.apiToken, undefined);
    assert.equal(c.taskHeartbeatTimeoutMs, 30_000);
    assert.equal(c.dagRescanIntervalMs, 5_000);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.workerHeapGrowthPercent, 30);
    assert.equal(loadConfig({ SLUICE_WORKER_HEAP_GROWTH_PERCENT: '0' }).workerHeapGrowthPercent, 0);
  });
  test('bad values are rejected with the variable named', () => {
    assert.throws(() => loadConfig({ SLUICE_PORT: 'http' }), /SLUICE_PORT/);
    assert.throws(() => loadConfig({ SLUICE_TASK_HEARTBEAT_TIMEOUT: 'soon' }), /SLUICE_TASK_HEARTBEAT_TIMEOUT/);
    assert.throws(() => loadConfig({ SLUICE_LOG_LEVEL: 'loud' }), /SLUICE_LOG_LEVEL/);
    assert.throws(() => loadConfig({ SLUICE_QUEUE_PREFIX: 'a:b' }), /SLUICE_QUEUE_PREFIX/);
    for (const bad of ['-5', '30%', '1000', 'lots']) {
      assert.throws(() => loadConfig({ SLUICE_WORKER_HEAP_GROWTH_PERCENT: bad }), /SLUICE_WORKER_HEAP_GROWTH_PERCENT must be a whole number from 0 to 300/);
    }
  });
  test('SLUICE_REDIS_CLUSTER_NODES: seed nodes of a cluster, each entry checked', () => {
    const c = loadConfig({ SLUICE_REDIS_CLUSTER_NODES: 'r1:7000,r2:7001', SLUICE_REDIS_URL: 'redis://elsewhere:6379/0' });
    assert.deepEqual(c.redisClusterNodes, [{ host: 'r1', port: 7000 }, { host: 'r2', port: 7001 }]);
    assert.throws(() => loadConfig({ SLUICE_REDIS_CLUSTER_NODES: 'r1:7000,r2' }), /SLUICE_REDIS_CLUSTER_NODES: entry 2 "r2" is not a host:port/);
  });
  test('SLUICE_BASE_URL: the webserver address by default, a trailing slash dropped, only http(s) with no query or secret', () => {
    assert.equal(loadConfig({}).baseUrl, 'http://127.0.0.1:8080');
    assert.equal(loadConfig({ SLUICE_HOST: '::1', SLUICE_PORT: '9090' }).baseUrl, 'http://[::1]:9090');
    assert.equal(loadConfig({ SLUICE_BASE_URL: 'https://sluice.example.com/ui/' }).baseUrl, 'https://sluice.example.com/ui');
    assert.throws(() => loadConfig({ SLUICE_BASE_URL: 'sluice.example.com' }), /SLUICE_BASE_URL must be the UI's address/);
    assert.throws(() => loadConfig({ SLUICE_BASE_URL: 'ftp://example.com' }), /SLUICE_BASE_URL must be an http:\/\/ or https:\/\/ address/);
    assert.throws(() => loadConfig({ SLUICE_BASE_URL: 'https://u:pw@example.com' }), (e: Error) => !e.message.includes('pw'));
  });

  test('SLUICE_SECRET_KEY is 32 bytes as hex or base64; previous keys are a comma-separated list; anything else is refused', () => {
    const hex = 'ab'.repeat(32);
    const base64 = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({ SLUICE_SECRET_KEY: hex, SLUICE_SECRET_KEY_PREVIOUS: `${base64}, ${hex}` });
    assert.deepEqual(config.secretKeys.current, Buffer.from(hex, 'hex'));
    assert.deepEqual(config.secretKeys.previous, [Buffer.alloc(32, 7), Buffer.from(hex, 'hex')]);
    assert.equal(loadConfig({}).secretKeys.current, undefined);
    assert.throws(() => loadConfig({ SLUICE_SECRET_KEY: 'abc123' }), /SLUICE_SECRET_KEY must be 32 random bytes .*openssl rand -hex 32/);
    assert.throws(() => loadConfig({ SLUICE_SECRET_KEY_PREVIOUS: Buffer.alloc(16).toString('base64') }), /SLUICE_SECRET_KEY_PREVIOUS must be 32 random bytes/);
  });
});
