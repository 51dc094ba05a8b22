/**
 * `s3KeySensor({ bucket, key, endpoint?, region?, accessKeyId?, secretAccessKey?, forcePathStyle? })`:
 * waits for an object to exist in any S3-compatible store, by HeadObject, as Airflow's
 * S3KeySensor does. The client is the ETL's (providers/s3/client.ts), and a setting the options
 * leave out comes from the same S3_* variables, read where the check runs (the worker), not where
 * the DAG file is parsed.
 */
import { checkOptionsObject } from '../sdk/validate.ts';
import { showValue } from '../core/show-value.ts';
import { createS3Client, s3SettingsFromEnv } from '../providers/s3/client.ts';
import { headObject } from '../providers/s3/objects.ts';
import { requireText, type SensorCheck } from './checks.ts';

export interface S3KeySensorOptions {
  bucket: string;
  /** The object's key, e.g. 'exports/2026-12-07/orders.csv'. */
  key: string;
  /** Default S3_ENDPOINT (unset: AWS itself). */
  endpoint?: string;
  /** Default S3_REGION, else us-east-1. */
  region?: string;
  /** Default S3_ACCESS_KEY_ID (both keys or neither: unset, the AWS SDK's credential chain). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Default S3_FORCE_PATH_STYLE, else true when an endpoint is set (MinIO, s3rver). */
  forcePathStyle?: boolean;
}

export interface S3KeyResult {
  bucket: string;
  key: string;
  size: number;
  etag: string | null;
  lastModified: string | null;
}

const FN = 's3KeySensor()';
const KEYS = ['bucket', 'key', 'endpoint', 'region', 'accessKeyId', 'secretAccessKey', 'forcePathStyle'] as const;

/** Done (with the object's size and ETag) once the object exists; a 404 is "not yet", any other error fails the try. */
export function s3KeySensor(options: S3KeySensorOptions): SensorCheck<S3KeyResult> {
  const given = checkOptionsObject(options, FN, KEYS);
  const bucket = requireText(given.bucket, `${FN}: bucket`, "s3KeySensor({ bucket: 'landing', key: 'orders.csv' })");
  const key = requireText(given.key, `${FN}: key`, "s3KeySensor({ bucket: 'landing', key: 'orders.csv' })");
  const overrides = settingsAsEnv(given);

  return async (ctx) => {
    // The options win over the environment by standing in for its variables: one reader of S3
    // settings (s3SettingsFromEnv), with its checks and defaults, for the ETL and the sensor.
    const settings = s3SettingsFromEnv({ ...process.env, ...overrides });
    const client = createS3Client(settings);
    try {
      const head = await headObject({ client, bucket }, key, ctx.signal);
      if (!head) {
        ctx.log.info({ bucket, key }, `not yet: no object s3://${bucket}/${key}`);
        return null;
      }
      return { bucket, key, size: head.bytes, etag: head.etag, lastModified: head.lastModified?.toISOString() ?? null };
    } finally {
      // A client per check: between checks (minutes, in reschedule mode) no socket stays open.
      client.destroy();
    }
  };
}

/** The connection options given, as the S3_* variables they replace; checked now, so a typo is an import error. */
function settingsAsEnv(given: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  const text = (name: string, variable: string, example: string) => {
    const value = given[name];
    if (value === undefined) return;
    env[variable] = requireText(value, `${FN}: ${name}`, example);
  };
  text('endpoint', 'S3_ENDPOINT', "endpoint: 'http://127.0.0.1:9000'");
  text('region', 'S3_REGION', "region: 'eu-west-1'");
  text('accessKeyId', 'S3_ACCESS_KEY_ID', 'accessKeyId: process.env.LANDING_KEY_ID');
  text('secretAccessKey', 'S3_SECRET_ACCESS_KEY', 'secretAccessKey: process.env.LANDING_SECRET');
  if (env.S3_ENDPOINT !== undefined && !/^https?:\/\/[^/]+/.test(env.S3_ENDPOINT)) {
    throw new Error(`${FN}: endpoint must be an http(s) URL such as http://127.0.0.1:9000`);
  }
  if ((env.S3_ACCESS_KEY_ID === undefined) !== (env.S3_SECRET_ACCESS_KEY === undefined)) {
    throw new Error(`${FN}: give both accessKeyId and secretAccessKey, or neither (then S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or the AWS credential chain)`);
  }
  if (given.forcePathStyle !== undefined) {
    if (typeof given.forcePathStyle !== 'boolean') throw new Error(`${FN}: forcePathStyle must be true or false; got ${showValue(given.forcePathStyle)}`);
    env.S3_FORCE_PATH_STYLE = given.forcePathStyle ? '1' : '0';
  }
  return env;
}
