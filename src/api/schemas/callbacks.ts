/** A run's callbacks: what GET /dags/{dagId}/dagRuns/{runId}/callbacks answers. */
import { z } from 'zod';
import { CALLBACK_EVENTS } from '../../sdk/callbacks.ts';
import { isoTime, isoTimeOrNull, runPath, totalEntries } from './fields.ts';

export const callbackEvent = z.enum(CALLBACK_EVENTS as [string, ...string[]]).meta({
  description: 'what happened: a run ended (dag_*), a task ended for good (task_success, task_failure), or a try failed and another follows (task_retry)',
});

/** As the API shows a callback: one a worker is running counts as pending until it ends. */
export const CALLBACK_API_STATES = ['pending', 'success', 'failed'] as const;

export const callback = z
  .object({
    id: z.number().int().min(1),
    event: callbackEvent,
    taskId: z.string().nullable().meta({ description: 'the task of a task event; null for a run event' }),
    mapIndex: z.number().int().min(-1).meta({ description: 'the mapped task instance (-1: not mapped, or a run event)' }),
    state: z.enum(CALLBACK_API_STATES).meta({ description: 'pending (waiting for a worker, running, or waiting to be tried again), success, or failed after its last try' }),
    tries: z.number().int().min(0).meta({ description: 'tries started so far (at most 3)' }),
    error: z.string().nullable().meta({ description: "the last failed try's error; null once a try succeeded, or before any failed" }),
    createdAt: isoTime,
    endDate: isoTimeOrNull,
  })
  .meta({ id: 'Callback' });

export const callbackList = z.object({ callbacks: z.array(callback), totalEntries }).meta({ id: 'CallbackList' });

export const callbackPath = runPath.extend({
  callbackId: z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/, 'a callback id is a positive integer, as GET …/dagRuns/{runId}/callbacks lists them')
    .transform(Number)
    .meta({ override: { pattern: '^[1-9][0-9]{0,14}$' }, description: "a callback's id" }),
});

export type Callback = z.infer<typeof callback>;
export type CallbackList = z.infer<typeof callbackList>;
