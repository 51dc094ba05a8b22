/**
 * An extract thread: reads one `_id` range of a window (extract-range.ts) with its own MongoDB
 * and S3 clients, and posts back its log lines and then its result or its failure. Started by
 * extract-threads.ts inside the try's runner process, so killing the runner kills it too.
 *
 * It is an entry of every bundle of Sluice's own code (own-code-bundle.mjs), a file beside the
 * bundle, and under tsx it is loaded through extract-thread-entry.mjs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { deserialize } from 'bson';
import { redactError } from '../../core/redact.ts';
import { openMongoSource } from '../mongo/source.ts';
import { createS3Client, type S3Settings } from '../s3/client.ts';
import { extractRange, type RangeExtract, type RangeJob } from './extract-range.ts';

/** What a thread is started with: its range's `_id` condition as BSON (ObjectIds do not survive structured cloning). */
export interface ThreadData {
  job: Omit<RangeJob, 'window'> & { window: Omit<RangeJob['window'], 'ids'> };
  ids: Uint8Array;
  mongoUrl: string;
  s3: S3Settings;
}

export type ThreadMessage =
  | { type: 'log'; level: 'info' | 'warn'; fields: Record<string, unknown>; message: string }
  | { type: 'done'; result: RangeExtract }
  | { type: 'failed'; message: string };

const port = parentPort;
if (port) void run(port, workerData as ThreadData);

async function run(port: NonNullable<typeof parentPort>, data: ThreadData): Promise<void> {
  const post = (message: ThreadMessage) => port.postMessage(message);
  const { ids } = deserialize(data.ids) as { ids?: RangeJob['window']['ids'] };
  const job: RangeJob = { ...data.job, window: { ...data.job.window, ids } };
  const source = openMongoSource(data.mongoUrl);
  const store = { client: createS3Client(data.s3), bucket: data.s3.bucket };
  // The task stops a thread by terminating it: nothing here aborts on its own.
  const signal = new AbortController().signal;
  const log = {
    info: (fields: Record<string, unknown>, message: string) => post({ type: 'log', level: 'info', fields, message }),
    warn: (fields: Record<string, unknown>, message: string) => post({ type: 'log', level: 'warn', fields, message }),
  };
  try {
    post({ type: 'done', result: await extractRange(job, { source, store, log, signal }) });
  } catch (error) {
    post({ type: 'failed', message: redactError(error).message });
  } finally {
    await source.close().catch(() => undefined);
    store.client.destroy();
  }
}
