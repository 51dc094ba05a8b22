/**
 * Everything the ETL talks to, for one test file: S3 (s3rver behind a fault-injecting proxy), a
 * MongoDB (a real one when MONGO_URL is set, else the wire-compatible stand-in), and a warehouse
 * database of its own. `env` is what the ETL reads; all of it is removed by `close`.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient, type Db as MongoDb } from 'mongodb';
import pg from 'pg';
import { closeEtlResources } from '../../src/providers/etl/resources.ts';
import { dropDatabase } from '../../src/store/db.ts';
import { startMongoStandIn, type MongoStandIn } from './mongo-standin/server.ts';
import { startS3Testbed, type S3Testbed } from './s3-testbed.ts';

export interface EtlTestbed {
  s3: S3Testbed;
  mongo: MongoDb;
  /** The stand-in behind `mongo` (fault injection, raw BSON); undefined when MONGO_URL names a real server. */
  standIn: MongoStandIn | undefined;
  warehouse: pg.Pool;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startEtlTestbed(): Promise<EtlTestbed> {
  const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const s3 = await startS3Testbed();
  const standIn = process.env.MONGO_URL ? undefined : await startMongoStandIn();
  const base = new URL(process.env.MONGO_URL ?? standIn!.url);
  base.pathname = `/shop_${id}`;
  const mongoUrl = base.toString();
  const mongoClient = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000 });
  await mongoClient.connect();
  const warehouseUrl = `postgres://postgres@127.0.0.1:5432/sluice_wh_${id}`;
  const env = { ...s3.env, MONGO_URL: mongoUrl, WAREHOUSE_DATABASE_URL: warehouseUrl };
  const warehouse = new pg.Pool({ connectionString: warehouseUrl, max: 3 });
  warehouse.on('error', () => undefined);
  return {
    s3,
    mongo: mongoClient.db(),
    standIn,
    warehouse,
    env,
    async close() {
      await closeEtlResources();
      await warehouse.end().catch(() => undefined);
      await mongoClient.db().dropDatabase().catch(() => undefined);
      await mongoClient.close();
      await standIn?.close();
      await s3.close();
      await dropDatabase(warehouseUrl);
    },
  };
}
