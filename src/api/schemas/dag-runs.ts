/** A DAG's runs: what GET and POST /dags/{dagId}/dagRuns take and answer. */
import { z } from 'zod';
import { showValue } from '../../core/show-value.ts';
import { DAG_RUN_STATES, RUN_TYPES } from '../../core/states.ts';
import { consumedAssetEvent } from './assets.ts';
import { isoDate, isoTime, isoTimeOrNull, jsonObject, jsonRecord, mapIndexString, pagination, runStateString, totalEntries } from './fields.ts';

export const dagRunState = z.enum(DAG_RUN_STATES);
export const runType = z.enum(RUN_TYPES);

/** The task instance whose code triggered a run. */
export const triggeredBy = z
  .object({
    dagId: z.string(),
    dagRunId: z.string(),
    taskId: z.string(),
  })
  .meta({ id: 'TriggeredBy' });

export const dagRun = z
  .object({
    dagId: z.string(),
    dagRunId: z.string().meta({ description: '<runType>__<logicalDate ISO>' }),
    runType,
    state: dagRunState,
    logicalDate: isoTime,
    dataIntervalStart: isoTime,
    dataIntervalEnd: isoTime,
    conf: jsonRecord,
    queuedAt: isoTime,
    startDate: isoTimeOrNull,
    endDate: isoTimeOrNull,
    backfillId: z.number().int().nullable(),
    dagVersion: z.string().meta({ description: 'the DAG version the run runs, for all its tries (GET /dags/{dagId}/versions)' }),
    consumedAssetEvents: z.array(consumedAssetEvent).meta({ description: 'the asset events an asset_triggered run consumed, oldest first; [] for any other run' }),
    triggeredBy: triggeredBy.nullable().meta({ description: 'the task that created this run (triggerDag of sluice/operators); null for any other run' }),
  })
  .meta({ id: 'DagRun' });

/** A run as a list view's row of coloured squares shows it: no conf, no intervals. */
export const runSummary = z
  .object({
    dagRunId: z.string(),
    state: dagRunState,
    runType,
    logicalDate: isoTime,
    startDate: isoTimeOrNull,
    endDate: isoTimeOrNull,
  })
  .meta({ id: 'DagRunSummary' });

export const dagRunList = z.object({ dagRuns: z.array(dagRun), totalEntries }).meta({ id: 'DagRunList' });

export const dagRunListQuery = z.strictObject({
  ...pagination,
  state: runStateString.optional().meta({ description: 'only runs in this state' }),
});

/** Beyond the contract: which of a run's triggered runs to list. */
export const triggeredRunsQuery = z
  .strictObject({
    taskId: z.string().min(1).optional().meta({ description: 'only the runs this task triggered' }),
    mapIndex: mapIndexString.optional().meta({ description: "with taskId, only those of this instance of it (-1: the task is not mapped); without, all its instances'" }),
  })
  .refine((q) => q.mapIndex === undefined || q.taskId !== undefined, { error: 'mapIndex needs taskId: name the task whose instance it is', path: ['mapIndex'] });

export const markDagRunBody = z.strictObject({
  state: z.enum(['success', 'failed'], { error: (issue) => `must be "success" or "failed", got ${showValue(issue.input)}` }).meta({
    description: 'success: every unfinished task instance succeeds; failed: running ones fail (their code is stopped), the others not finished are skipped',
  }),
});

export const triggerDagRunBody = z.strictObject({
  logicalDate: isoDate.nullable().optional().meta({ description: 'the run\'s logical date; now if left out or null' }),
  conf: jsonObject.optional().meta({ description: 'the run\'s conf, merged over the DAG\'s params' }),
});

export type DagRunState = z.infer<typeof dagRunState>;
export type RunType = z.infer<typeof runType>;
export type DagRun = z.infer<typeof dagRun>;
export type TriggeredBy = z.infer<typeof triggeredBy>;
export type RunSummary = z.infer<typeof runSummary>;
export type DagRunList = z.infer<typeof dagRunList>;
export type DagRunListQuery = z.output<typeof dagRunListQuery>;
export type TriggeredRunsQuery = z.input<typeof triggeredRunsQuery>;
export type TriggerDagRunBody = z.input<typeof triggerDagRunBody>;
export type MarkDagRunBody = z.input<typeof markDagRunBody>;
