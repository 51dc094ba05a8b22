/**
 * docker-compose.yml exposes nothing beyond this machine and starts nothing unprotected: checked
 * on the file as docker-compose itself resolves it, with the check CI runs (.ci/check-compose-ports.py).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/harness.ts';

const COMPOSE_FILE = path.join(REPO_ROOT, 'docker-compose.yml');
const CHECKER = path.join(REPO_ROOT, '.ci', 'check-compose-ports.py');
/** Stand-ins for the values the compose file requires (CI uses its own). */
const REQUIRED_ENV = { SLUICE_API_TOKEN: 'test-token', MINIO_ROOT_PASSWORD: 'test-minio-password' };

function composeMissing(): string | undefined {
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return undefined;
  const reason = 'docker-compose is not installed (apt-get install -y docker-compose)';
  // .ci/run installs it: in CI a missing docker-compose is a failure, not a skip.
  if (process.env.CI) throw new Error(reason);
  return reason;
}

function envWithout(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of names) delete env[name];
  return env;
}

function composeConfig(file: string, env: NodeJS.ProcessEnv) {
  return spawnSync('docker-compose', ['-f', file, 'config'], { env, encoding: 'utf8' });
}

function checkPorts(config: string) {
  return spawnSync('python3', [CHECKER], { input: config, encoding: 'utf8' });
}

describe('docker-compose.yml', { skip: composeMissing() }, () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'sluice-compose-'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  test('refuses to resolve without an API token or a MinIO password, and says which', () => {
    for (const missing of Object.keys(REQUIRED_ENV)) {
      const others = Object.fromEntries(Object.entries(REQUIRED_ENV).filter(([name]) => name !== missing));
      const result = composeConfig(COMPOSE_FILE, { ...envWithout(...Object.keys(REQUIRED_ENV)), ...others });
      assert.notEqual(result.status, 0, `resolved without ${missing}`);
      assert.match(result.stderr, new RegExp(missing));
    }
  });

  test('publishes every port on 127.0.0.1 only, and starts nothing without a token', () => {
    const config = composeConfig(COMPOSE_FILE, { ...process.env, ...REQUIRED_ENV });
    assert.equal(config.status, 0, config.stderr);
    const check = checkPorts(config.stdout);
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /webserver 127\.0\.0\.1:8080/);
    assert.doesNotMatch(config.stdout, /SLUICE_ALLOW_INSECURE: '?1/);
    assert.doesNotMatch(config.stdout, /minioadmin/);
  });

  test('the check fails on ports published on every interface, naming each', async () => {
    const file = path.join(tmp, 'exposed.yml');
    await writeFile(
      file,
      `services:
  web:
    image: example
    ports: ["8080:8080", "127.0.0.1:8081:8081", "0.0.0.0:9000:9000", "9001", "[::1]:9002:9002", "[::]:9003:9003"]
  host_net:
    image: example
    network_mode: host
`,
    );
    const config = composeConfig(file, process.env);
    assert.equal(config.status, 0, config.stderr);
    const check = checkPorts(config.stdout);
    assert.equal(check.status, 1, check.stdout + check.stderr);
    const problems = check.stderr.trim().split('\n');
    for (const port of ['8080', '0.0.0.0:9000', '9001', ':::9003']) {
      assert.ok(problems.some((line) => line.includes(`web`) && line.includes(port)), `${port} not reported:\n${check.stderr}`);
    }
    assert.ok(problems.some((line) => /host_net.*network_mode: host/.test(line)), check.stderr);
    assert.ok(!problems.some((line) => line.includes('8081') || line.includes('9002')), check.stderr);
  });
});
