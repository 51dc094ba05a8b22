/**
 * A real S3 API for tests: s3rver on a free port with its own directory and bucket, behind a
 * small proxy that can fail chosen requests (the way S3 fails: HTTP 500 InternalError) or stall
 * them (a store or network that stops answering), so a test can break an upload in the middle of
 * an extract, or a read in the middle of a load, without any test hook in the code.
 */
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface S3Testbed {
  endpoint: string;
  bucket: string;
  env: Record<string, string>;
  /** The next `count` requests matching `match` (method and path) answer 500. */
  failRequests(match: (method: string, url: string) => boolean, count: number): void;
  /** How many injected failures are still pending. */
  pendingFailures(): number;
  /**
   * The next `count` requests matching `match` stall until the client gives up on them (or the
   * testbed closes): at `response`, nothing is answered; at `body`, the status, headers and the
   * first half of the body are sent, the rest never is.
   */
  stallRequests(match: (method: string, url: string) => boolean, count: number, at: 'response' | 'body'): void;
  /** How many requests have stalled so far. */
  stalledRequests(): number;
  /**
   * Makes an object look written at `date` (s3rver reports its file's mtime as LastModified, to
   * the second), so a test can age objects instead of waiting.
   */
  setLastModified(key: string, date: Date): Promise<void>;
  close(): Promise<void>;
}

export async function startS3Testbed(bucket = 'sluice-test'): Promise<S3Testbed> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'sluice-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const backend = await server.run();
  let failures: { match: (method: string, url: string) => boolean; left: number }[] = [];
  let stalls: { match: (method: string, url: string) => boolean; left: number; at: 'response' | 'body' }[] = [];
  let stalled = 0;

  const proxy = http.createServer((request, response) => {
    const failure = failures.find((f) => f.left > 0 && f.match(request.method ?? 'GET', request.url ?? '/'));
    if (failure) {
      failure.left--;
      request.resume();
      response.writeHead(500, { 'content-type': 'application/xml' });
      response.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected by the test</Message></Error>');
      return;
    }
    const stall = stalls.find((s) => s.left > 0 && s.match(request.method ?? 'GET', request.url ?? '/'));
    if (stall) {
      stall.left--;
      stalled++;
    }
    if (stall?.at === 'response') {
      request.resume();
      return;
    }
    const upstream = http.request(
      { host: '127.0.0.1', port: backend.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        if (stall?.at !== 'body') {
          answer.pipe(response);
          return;
        }
        // The whole body first (the test's objects are small), so that half of it is sure to be sent.
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          response.write(body.subarray(0, Math.floor(body.length / 2)));
        });
      },
    );
    upstream.on('error', (error) => response.destroy(error));
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  return {
    endpoint,
    bucket,
    env: {
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: '1',
    },
    failRequests(match, count) {
      failures.push({ match, left: count });
    },
    pendingFailures() {
      return failures.reduce((sum, f) => sum + f.left, 0);
    },
    stallRequests(match, count, at) {
      stalls.push({ match, left: count, at });
    },
    stalledRequests() {
      return stalled;
    },
    async setLastModified(key, date) {
      // s3rver's filesystem store: <directory>/<bucket>/<key's folders>/<key's last segment>._S3rver_object
      const segments = key.split('/');
      const file = `${segments.pop()!}._S3rver_object`;
      await utimes(path.join(directory, bucket, ...segments, file), date, date);
    },
    async close() {
      failures = [];
      stalls = [];
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
