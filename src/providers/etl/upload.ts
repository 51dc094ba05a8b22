/**
 * upload_<collection>: commits an extract. Checks that every part the extract reported is in S3
 * with the size it wrote, then writes the manifest naming exactly those parts. stage_load reads
 * only what a manifest names; parts of other tries stay orphans until cleanup removes them.
 */
import type { TaskContext } from '../../sdk/context.ts';
import { FailTask } from '../../sdk/errors.ts';
import { objectSize, putJson } from '../s3/objects.ts';
import { manifestKey } from './layout.ts';
import { runLimited } from './limited.ts';
import { manifestParts, manifestVersionOf, type ExtractResult, type Manifest } from './manifest.ts';
import type { EtlResources } from './resources.ts';
import { etlResourcesOf } from './connections.ts';
import { etlSettings, type EtlSettings } from './settings.ts';

export interface CommitOptions extends Partial<EtlSettings> {
  /** The extract task of the same collection, whose result (XCom) lists the parts. */
  extractTask: string;
  resources?: EtlResources;
}

export interface CommitResult {
  collection: string;
  manifestKey: string;
  documents: number;
  parts: number;
  bytes: number;
  rows: Record<string, number>;
}

export async function commitExtract(ctx: TaskContext, options: CommitOptions): Promise<CommitResult> {
  const settings = etlSettings(options);
  const store = (options.resources ?? (await etlResourcesOf(ctx, ['store']))).store();
  const extract = await ctx.xcom<ExtractResult>(options.extractTask);
  if (!extract?.tables) {
    throw new FailTask(`task "${options.extractTask}" left no result in this run; clear it too so that it extracts again before this upload`);
  }
  const parts = manifestParts(extract);
  const problems: string[] = [];
  await runLimited(parts, 8, async ({ part }) => {
    const size = await objectSize(store, part.key);
    if (size === undefined) problems.push(`${part.key} is missing`);
    else if (size !== part.bytes) problems.push(`${part.key} has ${size} bytes, the extract wrote ${part.bytes}`);
  });
  if (problems.length > 0) {
    throw new FailTask(
      `the parts of "${options.extractTask}" (try ${extract.tryNumber}) are not all in s3://${store.bucket}: ${problems.slice(0, 3).join('; ')}` +
        `${problems.length > 3 ? ` and ${problems.length - 3} more` : ''}. Clear "${options.extractTask}" with its downstream tasks to extract again`,
    );
  }
  const key = manifestKey(settings.prefix, ctx, extract.collection);
  // An extract of an older release (NDJSON parts, no column lists) committed after an upgrade stays version 1.
  const version = manifestVersionOf(parts.map(({ part }) => part));
  const manifest: Manifest = { version, dagId: ctx.dagId, runId: ctx.runId, committedAt: new Date().toISOString(), ...extract };
  await putJson(store, key, manifest);
  const result: CommitResult = {
    collection: extract.collection,
    manifestKey: key,
    documents: extract.documents,
    parts: parts.length,
    bytes: parts.reduce((sum, { part }) => sum + part.bytes, 0),
    rows: Object.fromEntries(Object.entries(extract.tables).map(([table, t]) => [table, t.rows])),
  };
  ctx.log.info({ ...result, tryNumber: extract.tryNumber }, 'manifest committed');
  return result;
}
