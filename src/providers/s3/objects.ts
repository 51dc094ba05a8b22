/**
 * The object operations the ETL needs, over any S3-compatible store: single PUTs of bodies held in
 * memory (the ETL's parts are bounded in size), streamed reads, JSON objects, listing, batched
 * deletes, and the removal of multipart uploads that other writers left unfinished.
 */
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { redactSecrets } from '../../core/redact.ts';

export interface ObjectStore {
  client: S3Client;
  bucket: string;
}

export interface StoredObject {
  key: string;
  bytes: number;
  lastModified: Date;
}

export async function readStream(store: ObjectStore, key: string, signal?: AbortSignal): Promise<Readable> {
  try {
    const response = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }), { abortSignal: signal });
    return response.Body as Readable;
  } catch (error) {
    throw new Error(`could not read s3://${store.bucket}/${key}: ${describeS3Error(error)}`, { cause: error });
  }
}

/** One PUT of a body held in memory (the SDK can retry it, unlike a stream). */
export async function putObject(store: ObjectStore, key: string, body: Buffer | string, options: { contentType?: string; signal?: AbortSignal } = {}): Promise<void> {
  try {
    await store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: key, Body: body, ContentType: options.contentType }), {
      abortSignal: options.signal,
    });
  } catch (error) {
    throw new Error(`could not write s3://${store.bucket}/${key}: ${describeS3Error(error)}`, { cause: error });
  }
}

export async function putJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  await putObject(store, key, JSON.stringify(value, null, 2), { contentType: 'application/json' });
}

/** The object's text, or undefined when there is no such object. */
export async function readText(store: ObjectStore, key: string): Promise<string | undefined> {
  try {
    const response = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
    return await response.Body!.transformToString('utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new Error(`could not read s3://${store.bucket}/${key}: ${describeS3Error(error)}`, { cause: error });
  }
}

/** The object's size, or undefined when there is no such object. */
export async function objectSize(store: ObjectStore, key: string): Promise<number | undefined> {
  try {
    const response = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }));
    return response.ContentLength ?? 0;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new Error(`could not look up s3://${store.bucket}/${key}: ${describeS3Error(error)}`, { cause: error });
  }
}

export interface ObjectHead {
  bytes: number;
  etag: string | null;
  lastModified: Date | null;
}

/** What a HEAD of the object says, or undefined when there is no such object (or no such bucket: S3 answers both 404). */
export async function headObject(store: ObjectStore, key: string, signal?: AbortSignal): Promise<ObjectHead | undefined> {
  try {
    const response = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }), { abortSignal: signal });
    return { bytes: response.ContentLength ?? 0, etag: response.ETag ?? null, lastModified: response.LastModified ?? null };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new Error(`could not look up s3://${store.bucket}/${key}: ${describeS3Error(error)}`, { cause: error });
  }
}

/** Every object under `prefix`, page by page. */
export async function* listObjects(store: ObjectStore, prefix: string): AsyncGenerator<StoredObject> {
  let token: string | undefined;
  do {
    const page = await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket, Prefix: prefix, ContinuationToken: token }));
    for (const item of page.Contents ?? []) {
      if (item.Key) yield { key: item.Key, bytes: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0) };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** Deletes the keys, 1,000 per request (S3's limit); returns how many were deleted. */
export async function deleteObjects(store: ObjectStore, keys: readonly string[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    const response = await store.client.send(
      new DeleteObjectsCommand({ Bucket: store.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
    );
    const failed = response.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new Error(`could not delete ${failed.length} object(s) in s3://${store.bucket}, first ${first.Key}: ${first.Code} ${first.Message}`);
    }
    deleted += batch.length;
  }
  return deleted;
}

/** Multipart uploads under `prefix` started before `before` and never finished (crashed writers); with `dryRun` only listed. */
export async function abortStaleUploads(store: ObjectStore, prefix: string, before: Date, options: { dryRun?: boolean } = {}): Promise<string[]> {
  const aborted: string[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await store.client.send(
      new ListMultipartUploadsCommand({ Bucket: store.bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
    );
    for (const upload of page.Uploads ?? []) {
      if (upload.Key && upload.UploadId && upload.Initiated && upload.Initiated < before) {
        if (!options.dryRun) await store.client.send(new AbortMultipartUploadCommand({ Bucket: store.bucket, Key: upload.Key, UploadId: upload.UploadId }));
        aborted.push(upload.Key);
      }
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (keyMarker);
  return aborted;
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

/** An SDK error as one line: its code, status and message (with any credentials it quotes masked). */
export function describeS3Error(error: unknown): string {
  return redactSecrets(describeSdkError(error));
}

function describeSdkError(error: unknown): string {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
  if (e.name === 'NoSuchBucket') return `the bucket does not exist${status}; create it or set S3_BUCKET`;
  if (e.name === 'InvalidAccessKeyId' || e.name === 'SignatureDoesNotMatch') {
    return `${e.name}${status}: check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY`;
  }
  return `${e.name ?? 'Error'}${status}: ${e.message ?? String(error)}`;
}
