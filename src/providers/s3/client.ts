/**
 * An S3 client for any S3-compatible store (AWS, MinIO, s3rver), configured from the environment.
 *
 * | variable | default |
 * |---|---|
 * | `S3_ENDPOINT` | unset: AWS itself; set for MinIO and friends, e.g. `http://127.0.0.1:9000` |
 * | `S3_REGION` | `us-east-1` |
 * | `S3_BUCKET` | `sluice-etl` |
 * | `S3_ACCESS_KEY_ID` / `S3_SECRET_ACCESS_KEY` | unset: the AWS SDK's usual credential chain |
 * | `S3_FORCE_PATH_STYLE` | `1` when `S3_ENDPOINT` is set (MinIO, s3rver), else `0` |
 */
import { S3Client } from '@aws-sdk/client-s3';
import { redactSecrets } from '../../core/redact.ts';

export interface S3Settings {
  endpoint: string | undefined;
  region: string;
  bucket: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  forcePathStyle: boolean;
}

export function s3SettingsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings {
  const read = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const endpoint = read('S3_ENDPOINT');
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new Error(`S3_ENDPOINT must be an http(s) URL such as http://127.0.0.1:9000, got "${redactSecrets(endpoint)}"`);
  }
  const accessKeyId = read('S3_ACCESS_KEY_ID');
  const secretAccessKey = read('S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new Error('set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (to use the AWS credential chain)');
  }
  const pathStyle = read('S3_FORCE_PATH_STYLE');
  return {
    endpoint,
    region: read('S3_REGION') ?? 'us-east-1',
    bucket: read('S3_BUCKET') ?? 'sluice-etl',
    accessKeyId,
    secretAccessKey,
    forcePathStyle: pathStyle === undefined ? endpoint !== undefined : pathStyle === '1' || pathStyle === 'true',
  };
}

export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials:
      settings.accessKeyId && settings.secretAccessKey
        ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
        : undefined,
    // Checksums only where S3 demands them: S3-compatible stores (s3rver, older MinIO) corrupt or
    // reject the streamed uploads that the SDK's default checksums produce.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 5,
  });
}
