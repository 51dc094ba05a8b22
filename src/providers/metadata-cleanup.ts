/**
 * `pruneSluiceMetadata` as `sluice/providers` gives it to DAG files: the engine's retention task
 * (src/engine/metadata-cleanup.ts), loaded when a task first calls it. That code brings BullMQ and
 * ioredis, a third of what loading `sluice/providers` cost every runner process (0.3 of 0.8 s)
 * whatever the DAG used, and most DAGs that import the providers never prune metadata.
 */
import type { TaskContext } from '../sdk/context.ts';
import type { MetadataCleanupOptions, MetadataCleanupReport } from '../engine/metadata-cleanup.ts';

export type { MetadataCleanupOptions, MetadataCleanupReport };

export async function pruneSluiceMetadata(ctx: TaskContext, options: MetadataCleanupOptions = {}): Promise<MetadataCleanupReport> {
  const engine = await import('../engine/metadata-cleanup.ts');
  return engine.pruneSluiceMetadata(ctx, options);
}
