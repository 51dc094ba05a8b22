/** Backfills: what /backfills takes and answers. */
import { z } from 'zod';
import { INTERVAL_PLANS, REPROCESS_BEHAVIORS } from '../../core/reprocess.ts';
import { showValue } from '../../core/show-value.ts';
import { bodyId, bool, count, intString, isoDate, isoTime, isoTimeOrNull, jsonObject, jsonRecord, pagination, positiveInt, totalEntries } from './fields.ts';

export const reprocessBehavior = z.enum(REPROCESS_BEHAVIORS, {
  error: (issue) => `must be one of ${REPROCESS_BEHAVIORS.join(', ')}; got ${showValue(issue.input)}`,
});

export const intervalPlan = z.enum(INTERVAL_PLANS);

export const plannedInterval = z
  .object({
    logicalDate: isoTime,
    dataIntervalStart: isoTime,
    dataIntervalEnd: isoTime,
    plan: intervalPlan,
    existingRunId: z.string().optional().meta({ description: 'the run the date already has' }),
    existingState: z.string().optional().meta({ description: "that run's state: why the date is skipped or re-run" }),
  })
  .meta({ id: 'PlannedInterval' });

/** How far a backfill's runs have got: each counted in its current state. */
export const backfillProgress = z
  .object({ total: count(), queued: count(), running: count(), success: count(), failed: count() })
  .meta({ id: 'BackfillProgress' });

export const backfill = z
  .object({
    id: z.number().int().nullable().meta({ description: 'null for a dry run: it is not kept' }),
    dagId: z.string(),
    fromDate: isoTime,
    toDate: isoTime,
    reprocessBehavior,
    maxActiveRuns: z.number().int(),
    runBackwards: z.boolean(),
    dagRunConf: jsonRecord,
    isCancelled: z.boolean(),
    createdAt: isoTimeOrNull,
    completedAt: isoTimeOrNull,
    dagRunIds: z.array(z.string()),
    dryRun: z.boolean(),
    progress: backfillProgress.nullable().meta({ description: 'null for a dry run: it makes no runs' }),
    intervals: z.array(plannedInterval).optional().meta({ description: 'what the backfill planned for each date, when the answer lists it' }),
  })
  .meta({ id: 'Backfill' });

/** A dry run's (or a new backfill's) answer: one page of its intervals, and how many there are in all. */
export const plannedBackfill = backfill
  .extend({
    intervals: z.array(plannedInterval),
    totalEntries: totalEntries.meta({ description: 'how many intervals the backfill plans in all' }),
    planCounts: z.object({ create: count(), reprocess: count(), skip: count() }),
  })
  .meta({ id: 'PlannedBackfill' });

export const backfillList = z.object({ backfills: z.array(backfill), totalEntries }).meta({ id: 'BackfillList' });

export const createBackfillBody = z.strictObject({
  dagId: bodyId(),
  fromDate: isoDate,
  toDate: isoDate,
  reprocessBehavior: reprocessBehavior.optional().meta({ description: 'which dates that already have a run are run again; none unless given' }),
  maxActiveRuns: positiveInt().optional().meta({ description: "the backfill's own limit on runs going at once; 10 unless given" }),
  runBackwards: bool().optional(),
  dryRun: bool().optional().meta({ description: 'plan only: answer 200 with what would be done, and create nothing' }),
  dagRunConf: jsonObject.optional(),
});

/**
 * Which of the planned intervals the answer lists (a dry run only). The most one answer lists is
 * the engine's to say: it is passed in, so that this module imports nothing of the server.
 */
export function createBackfillQuery(maxIntervals: number) {
  return z.strictObject({
    limit: intString(1, maxIntervals).optional(),
    offset: pagination.offset,
  });
}

export const backfillListQuery = z.strictObject({
  ...pagination,
  dagId: z.string({ error: 'must be given once, as a DAG id' }).min(1, { error: 'must not be empty' }).optional(),
});

export type ReprocessBehavior = z.infer<typeof reprocessBehavior>;
export type IntervalPlan = z.infer<typeof intervalPlan>;
export type PlannedInterval = z.infer<typeof plannedInterval>;
export type BackfillProgress = z.infer<typeof backfillProgress>;
export type Backfill = z.infer<typeof backfill>;
export type PlannedBackfill = z.infer<typeof plannedBackfill>;
export type BackfillList = z.infer<typeof backfillList>;
export type CreateBackfillBody = z.input<typeof createBackfillBody>;
export type BackfillListQuery = z.output<typeof backfillListQuery>;
