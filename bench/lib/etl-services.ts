/**
 * What the ETL scenario's DAG talks to besides Sluice's own stores: a MongoDB (the real one at
 * MONGO_URL when set, else the wire-compatible stand-in as a process of its own, so it does not
 * share an event loop with the bench or the workers), S3 (s3rver in the bench process, files
 * under the scenario's folder) and a warehouse database named like every bench database, so the
 * leftover check would see it. `close()` removes all of it.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { MongoClient, type Db as MongoDb } from 'mongodb';
import S3rver from 's3rver';
import { dropDatabase } from '../../src/store/db.ts';
import type { BenchEnvironment } from './env.ts';
import { REPO_ROOT } from './paths.ts';
import { BenchProcess } from './processes.ts';
import { waitFor } from './wait.ts';

const BUCKET = 'sluice-bench';
const STAND_IN = path.join('test', 'support', 'mongo-standin', 'main.ts');

export interface EtlServices {
  mongo: MongoDb;
  /** The stand-in's process, when there is no real MongoDB. */
  standIn?: BenchProcess;
  warehouseUrl: string;
  /** The environment the scheduler and workers need for the ETL (Mongo, S3, warehouse). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startEtlServices(env: BenchEnvironment): Promise<EtlServices> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: Error) => console.error(error.message));
  };
  try {
    const s3Directory = path.join(path.dirname(env.dagsFolder), 's3');
    await mkdir(s3Directory, { recursive: true });
    const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Directory, configureBuckets: [{ name: BUCKET }] });
    const { port: s3Port } = await s3.run();
    cleanups.push(() => s3.close(), () => rm(s3Directory, { recursive: true, force: true }));

    let standIn: BenchProcess | undefined;
    let serverUrl = process.env.MONGO_URL;
    if (!serverUrl) {
      // The stand-in keeps every document in memory: 10,000,000 of them (BENCH_ETL_DOCUMENTS) need
      // more than V8's default heap limit of about 4 GiB.
      const child = spawn(process.execPath, ['--max-old-space-size=16384', '--import', 'tsx', STAND_IN, '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      standIn = new BenchProcess('mongo-standin', child);
      cleanups.push(() => standIn!.stop());
      serverUrl = await waitFor('the MongoDB stand-in to listen', async () => standIn!.lines.find((l) => l.startsWith('mongodb://')), 30_000);
    }
    const mongoUrl = new URL(serverUrl);
    mongoUrl.pathname = `/${env.databaseName}`; // unique per run, dropped by close()
    const client = new MongoClient(mongoUrl.toString(), { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
    cleanups.push(async () => {
      await client.db().dropDatabase();
      await client.close();
    });

    const warehouse = new URL(env.databaseUrl);
    warehouse.pathname = `/${env.databaseName}_wh`;
    const warehouseUrl = warehouse.toString();
    cleanups.push(() => dropDatabase(warehouseUrl));

    return {
      mongo: client.db(),
      standIn,
      warehouseUrl,
      env: {
        MONGO_URL: mongoUrl.toString(),
        S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
        S3_BUCKET: BUCKET,
        S3_ACCESS_KEY_ID: 'S3RVER',
        S3_SECRET_ACCESS_KEY: 'S3RVER',
        S3_FORCE_PATH_STYLE: '1',
        S3_REGION: 'us-east-1',
        WAREHOUSE_DATABASE_URL: warehouseUrl,
        // The SDK's notice that its 2027 releases need Node 22 (once per worker) is not the engine's
        // warning; the row of engine warnings should count only those.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
