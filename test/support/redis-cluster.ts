/**
 * A throwaway Redis Cluster for tests and benchmarks: primaries with a replica each, of the
 * system's redis-server, on free loopback ports, each node in a temporary directory of its own
 * and with no persistence. `stop` ends every node and removes the directories, also after a test
 * failed half-way.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REDIS_SERVER = process.env.SLUICE_TEST_REDIS_SERVER ?? 'redis-server';
const REDIS_CLI = process.env.SLUICE_TEST_REDIS_CLI ?? 'redis-cli';

export interface ClusterNode {
  port: number;
  process: ChildProcess;
  exited: Promise<void>;
}

export interface RedisClusterOptions {
  primaries?: number;
  /**
   * How long a primary may be unreachable before its replica takes over (cluster-node-timeout).
   * Small, so that a test's failover takes seconds.
   */
  nodeTimeoutMs?: number;
}

export class RedisClusterProcesses {
  private constructor(
    readonly nodes: ClusterNode[],
    private readonly dir: string,
  ) {}

  /** SLUICE_REDIS_CLUSTER_NODES for this cluster: every node, as seeds. */
  get seeds(): string {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  }

  static async start(options: RedisClusterOptions = {}): Promise<RedisClusterProcesses> {
    const primaries = options.primaries ?? 3;
    await Promise.all(
      [REDIS_SERVER, REDIS_CLI].map((program) =>
        run(program, ['--version']).catch((error: Error) => {
          throw new Error(`cannot run ${program} (${error.message}): install Redis (Debian: apt-get install redis-server), or name the programs in SLUICE_TEST_REDIS_SERVER and SLUICE_TEST_REDIS_CLI`);
        }),
      ),
    );
    const dir = await mkdtemp(path.join(tmpdir(), 'sluice-redis-cluster-'));
    const cluster = new RedisClusterProcesses([], dir);
    try {
      for (let i = 0; i < primaries * 2; i++) cluster.nodes.push(await startNode(dir, i, options.nodeTimeoutMs ?? 1_000));
      await Promise.all(cluster.nodes.map((n) => waitUntil(`node ${n.port} to answer`, async () => (await cli(n.port, 'PING')) === 'PONG')));
      await run(REDIS_CLI, ['--cluster', 'create', ...cluster.nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes']);
      await cluster.waitUntilHealthy();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** Until every live node says cluster_state:ok and knows the same primaries. */
  async waitUntilHealthy(): Promise<void> {
    const live = this.nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
    await waitUntil('the cluster to be ok on every node', async () => {
      const states = await Promise.all(live.map((n) => cli(n.port, 'CLUSTER', 'INFO').catch(() => '')));
      return states.every((s) => /cluster_state:ok/.test(s));
    });
  }

  /** The primary that serves `key`'s slot now, and its replica (from CLUSTER NODES). */
  async primaryAndReplicaOf(key: string): Promise<{ primary: ClusterNode; replica: ClusterNode }> {
    const live = this.nodes.find((n) => n.process.exitCode === null)!;
    const slot = Number(await cli(live.port, 'CLUSTER', 'KEYSLOT', key));
    const lines = (await cli(live.port, 'CLUSTER', 'NODES')).split('\n').filter((l) => l.trim() !== '');
    const fields = lines.map((l) => l.split(' '));
    const owner = fields.find(
      (f) =>
        f[2]!.includes('master') &&
        !f[2]!.includes('fail') &&
        f.slice(8).some((range) => {
          const [from, to] = range.split('-').map(Number);
          return slot >= from! && slot <= (to ?? from!);
        }),
    );
    const replica = owner && fields.find((f) => f[3] === owner[0] && !f[2]!.includes('fail'));
    if (!owner || !replica) throw new Error(`no live primary with a replica serves slot ${slot}:\n${lines.join('\n')}`);
    const byAddress = (address: string) => this.nodes.find((n) => address.startsWith(`127.0.0.1:${n.port}@`))!;
    return { primary: byAddress(owner[1]!), replica: byAddress(replica[1]!) };
  }

  /** SIGKILL to one node, as a crash would end it; resolves once it has exited. */
  async kill(node: ClusterNode): Promise<void> {
    node.process.kill('SIGKILL');
    await node.exited;
  }

  /** Until `node` calls itself a primary (ROLE) and the cluster is ok again. */
  async waitForPromotion(node: ClusterNode): Promise<void> {
    await waitUntil(`node ${node.port} to be promoted`, async () => (await cli(node.port, 'ROLE').catch(() => '')).startsWith('master'));
    await this.waitUntilHealthy();
  }

  /** Ends every node and removes their directories. Safe to call more than once. */
  async stop(): Promise<void> {
    for (const n of this.nodes) n.process.kill('SIGKILL');
    await Promise.all(this.nodes.map((n) => n.exited));
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function startNode(root: string, index: number, nodeTimeoutMs: number): Promise<ClusterNode> {
  const dir = path.join(root, `node${index}`);
  const [port, busPort] = [await freePort(), await freePort()];
  await mkdir(dir);
  const child = spawn(
    REDIS_SERVER,
    [
      '--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, 'nodes.conf'),
      '--cluster-node-timeout', String(nodeTimeoutMs),
      // A replica takes over however long it was cut off from its primary.
      '--cluster-replica-validity-factor', '0',
      '--appendonly', 'no', '--save', '', '--dir', dir, '--logfile', path.join(dir, 'redis.log'),
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  return { port, process: child, exited };
}

/** A port nothing listens on now (the kernel's pick); redis-server takes it a moment later. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout.trim();
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
