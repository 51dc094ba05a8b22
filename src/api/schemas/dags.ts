/** DAGs and import errors: what /dags and /importErrors take and answer. */
import { z } from 'zod';
import { PARAM_FORMATS, PARAM_TYPES } from '../../core/params.ts';
import { showValue } from '../../core/show-value.ts';
import { TRIGGER_RULES } from '../../core/trigger-rules.ts';
import { dagRun, runSummary } from './dag-runs.ts';
import { bool, boolString, isoTimeOrNull, isoTime, pagination, totalEntries } from './fields.ts';

export const triggerRule = z.enum(TRIGGER_RULES);

/** A param's rules: the JSON Schema subset of param() (src/core/params.ts), {} for a plain value. */
export const paramSchema = z
  .object({
    type: z.enum(PARAM_TYPES).optional(),
    enum: z.array(z.unknown()).optional().meta({ description: 'the only values allowed' }),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    minLength: z.number().int().optional(),
    maxLength: z.number().int().optional(),
    pattern: z.string().optional().meta({ description: 'a regular expression (Unicode) the value must contain a match of' }),
    format: z.enum(PARAM_FORMATS).optional().meta({ description: 'date: YYYY-MM-DD; date-time: RFC 3339, with seconds and a zone' }),
    description: z.string().optional(),
    required: z.boolean().optional().meta({ description: 'true: it has no default; a run\'s conf must give it' }),
  })
  .meta({ id: 'ParamSchema' });

export const dagParam = z
  .object({
    schema: paramSchema,
    default: z.unknown().optional().meta({ description: 'absent when the param has none (a required param)' }),
  })
  .meta({ id: 'DagParam' });

export const dag = z
  .object({
    dagId: z.string(),
    description: z.string(),
    schedule: z.string().nullable().meta({ description: 'a cron or a preset as the DAG file writes it; null: manual runs only' }),
    timezone: z.string(),
    isPaused: z.boolean(),
    tags: z.array(z.string()),
    fileloc: z.string(),
    catchup: z.boolean(),
    maxActiveRuns: z.number().int(),
    maxActiveTasks: z.number().int(),
    nextDagRunDataIntervalStart: isoTimeOrNull,
    nextDagRunDataIntervalEnd: isoTimeOrNull,
    scheduleDescription: z.string().nullable().meta({ description: 'the schedule in words ("every day at 00:00 UTC")' }),
    assetSchedule: z.array(z.string()).nullable().meta({ description: 'the URIs of the assets the DAG is scheduled on (schedule is then null); null for a cron or manual-only DAG' }),
    startDate: isoTimeOrNull,
    endDate: isoTimeOrNull,
    params: z.record(z.string(), dagParam).meta({ description: 'its params in declaration order, each with its rules and default; a run\'s conf is merged over the defaults' }),
    dagrunTimeoutMs: z.number().int().nullable(),
    isActive: z.boolean().meta({ description: 'false once its file no longer defines it' }),
    lastParsedAt: isoTime,
  })
  .meta({ id: 'Dag' });

export const taskDefinition = z
  .object({
    taskId: z.string(),
    group: z.string().nullable().meta({ description: 'the innermost task group the task is declared in (its id), or null' }),
    upstream: z.array(z.string()),
    triggerRule,
    retries: z.number().int(),
    pool: z.string(),
    queue: z.string(),
    downstream: z.array(z.string()),
    retryDelayMs: z.number().int(),
    retryExponentialBackoff: z.boolean(),
    maxRetryDelayMs: z.number().int(),
    executionTimeoutMs: z.number().int().nullable(),
    memoryLimitBytes: z.number().int().nullable().meta({ description: 'the task\'s memoryLimit in bytes; null: the worker\'s SLUICE_TASK_MEMORY_LIMIT, if any' }),
    poolSlots: z.number().int(),
    priorityWeight: z.number().int(),
    mapped: z.boolean().meta({ description: 'declared with expand: at run time one task instance per element of its array' }),
    sensor: z
      .object({
        mode: z.enum(['reschedule', 'poke']),
        pokeIntervalMs: z.number().int(),
        timeoutMs: z.number().int(),
        softFail: z.boolean(),
        exponentialBackoff: z.boolean(),
      })
      .nullable()
      .meta({ description: "a sensor's settings (declared with d.sensor), or null for any other task" }),
  })
  .meta({ id: 'Task' });

export const taskGroup = z
  .object({
    groupId: z.string().meta({ description: 'its parent group\'s id, a dot, and its own; its tasks\' ids start with it and a dot' }),
    tooltip: z.string().meta({ description: 'as the DAG file gives it; empty if none' }),
  })
  .meta({ id: 'TaskGroup' });

export const dagDetail = dag
  .extend({ tasks: z.array(taskDefinition), groups: z.array(taskGroup).meta({ description: 'its task groups, subgroups included, in declaration order' }) })
  .meta({ id: 'DagDetail' });

export const dagListEntry = dag
  .extend({
    latestDagRun: dagRun.nullable(),
    recentDagRuns: z.array(runSummary).meta({ description: 'the newest runs, newest first' }),
  })
  .meta({ id: 'DagListEntry' });

export const dagList = z.object({ dags: z.array(dagListEntry), totalEntries }).meta({ id: 'DagList' });

export const importError = z
  .object({ filename: z.string(), message: z.string(), timestamp: isoTime })
  .meta({ id: 'ImportError' });

export const importErrorList = z.object({ importErrors: z.array(importError), totalEntries }).meta({ id: 'ImportErrorList' });

const tagList = z
  .union([z.string(), z.array(z.string())], {
    error: (issue) => `must be tag names, as tags=a,b or tags=a&tags=b; got ${showValue(issue.input)}`,
  })
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean))
  .meta({ description: 'DAGs with any of these tags: tags=a,b or tags=a&tags=b' });

export const dagListQuery = z.strictObject({
  ...pagination,
  paused: boolString().optional().meta({ description: 'only paused (true) or unpaused (false) DAGs' }),
  tags: tagList.optional(),
  search: z.string({ error: 'must be given once, as part of a DAG id' }).optional().meta({ description: 'part of a DAG id' }),
});

export const patchDagBody = z.strictObject({ isPaused: bool() });

export type TriggerRule = z.infer<typeof triggerRule>;
export type Dag = z.infer<typeof dag>;
export type DagParam = z.infer<typeof dagParam>;
export type TaskDefinition = z.infer<typeof taskDefinition>;
export type DagDetail = z.infer<typeof dagDetail>;
export type DagListEntry = z.infer<typeof dagListEntry>;
export type DagList = z.infer<typeof dagList>;
export type ImportError = z.infer<typeof importError>;
export type ImportErrorList = z.infer<typeof importErrorList>;
export type DagListQuery = z.output<typeof dagListQuery>;
export type PatchDagBody = z.input<typeof patchDagBody>;
