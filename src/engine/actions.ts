/** What users ask for (API, CLI, UI): trigger a run, clear tasks, mark a task. */
import { downstreamClosure } from '../core/spec.ts';
import { manualInterval } from '../core/schedule.ts';
import { makeRunId, type TaskState } from '../core/states.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { recordAudit, type Actor } from '../store/audit-log.ts';
import { getDag } from '../store/dags.ts';
import { withTransaction, type Db } from '../store/db.ts';
import { getRun, insertRun, insertRunFrom, markRun, requeueRun, resumeRun, type DagRunRecord, type NewRun, type TriggeringTask } from '../store/runs.ts';
import { finishClearedTry, markByHand, resetTaskInstances, type TaskInstanceKey, type TryKey } from '../store/task-instances.ts';
import { clearXcoms } from '../store/xcom.ts';
import { traces } from '../tracing/traces.ts';
import { afterTaskStateChange, requireVersion } from './run-lifecycle.ts';
import { requireValidConf } from './run-conf.ts';
import { dispatch, wakeSchedulers, type Services } from './services.ts';

export interface TriggerRequest {
  logicalDate?: Date;
  conf?: Record<string, unknown>;
  /** The task instance asking (sluice/operators' triggerDag); unset for people (API, CLI, UI). */
  triggeredBy?: TriggeringTask;
  /**
   * The person asking (API, UI, CLI): the audit log records the trigger in the run's own
   * transaction. Unset when Sluice asks itself (a task's triggerDag), which is not audited.
   */
  actor?: Actor;
}

/** A manual run: logicalDate = the time given (default now), a zero-length data interval at it. */
export async function triggerDagRun(db: Db, dagId: string, request: TriggerRequest): Promise<DagRunRecord> {
  const dag = await getDag(db, dagId);
  if (!dag || !dag.isActive) throw notFound(`DAG "${dagId}" not found; "sluice dags list" shows the DAGs there are`);
  requireValidConf(dag.spec, request.conf ?? {});
  const manualRun = (logicalDate: Date): NewRun => {
    const interval = manualInterval(logicalDate);
    return {
      dagId,
      runId: makeRunId('manual', logicalDate),
      runType: 'manual',
      logicalDate,
      dataIntervalStart: interval.start,
      dataIntervalEnd: interval.end,
      conf: request.conf ?? {},
      triggeredBy: request.triggeredBy ?? null,
    };
  };
  // A logical date given is that one or a conflict; "now" is the first free moment from now.
  const given = request.logicalDate;
  const run = await withTransaction(db, async (tx) => {
    const made = given
      ? await insertRun(tx, manualRun(given), dag.spec, dag.versionHash)
      : await insertRunFrom(tx, new Date(), manualRun, dag.spec, dag.versionHash);
    if (made && request.actor) {
      await recordAudit(tx, request.actor, {
        action: 'trigger',
        dagId,
        dagRunId: made.runId,
        details: { logicalDate: made.logicalDate.toISOString(), conf: made.conf },
      });
    }
    return made;
  });
  if (!run) {
    throw conflict(
      given
        ? `DAG "${dagId}" already has a run with logical date ${given.toISOString()}; pick another logical date`
        : `DAG "${dagId}" has runs at every moment of the last tenth of a second; trigger it again`,
    );
  }
  await wakeSchedulers(db);
  return run;
}

/**
 * Marks a run success or failed by hand, with its task instances (markRun: to failed, running
 * tries fail and their workers stop the code at their next heartbeat; what has not started is
 * skipped). Its end lets a queued run of the DAG start: the schedulers are woken for it. The
 * audit entry (run_mark) is written for every mark asked of a run that exists, with whether it
 * changed anything.
 */
export async function markDagRun(services: Services, dagId: string, runId: string, state: 'success' | 'failed', actor?: Actor): Promise<DagRunRecord> {
  if (!(await getRun(services.db, dagId, runId))) throw notFound(`DAG "${dagId}" has no run "${runId}"`);
  const moved = await withTransaction(services.db, async (tx) => {
    const changed = await markRun(tx, dagId, runId, state);
    if (actor) await recordAudit(tx, actor, { action: 'run_mark', dagId, dagRunId: runId, details: { state, changed } });
    return changed;
  });
  if (moved) {
    if (traces.on) traces.runEnded({ dagId, runId });
    await wakeSchedulers(services.db);
  }
  return (await getRun(services.db, dagId, runId))!;
}

export interface ClearRequest {
  taskIds?: string[];
  includeDownstream?: boolean;
  onlyFailed?: boolean;
  /** Who asked: the audit log records the clear (what was asked and what it took) in its transaction. */
  actor?: Actor;
}

/**
 * Clears task instances so they run again; their try numbers go on counting and each gets its
 * retries anew. A finished run goes back to queued.
 */
export async function clearTaskInstances(
  services: Services,
  dagId: string,
  runId: string,
  request: ClearRequest,
): Promise<string[]> {
  const run = await getRun(services.db, dagId, runId);
  if (!run) throw notFound(`DAG "${dagId}" has no run "${runId}"`);
  const spec = await requireVersion(services.db, dagId, run.versionHash);
  const known = new Set(spec.tasks.map((t) => t.taskId));
  for (const id of request.taskIds ?? []) {
    if (!known.has(id)) throw badRequest(`DAG "${dagId}" has no task "${id}" (tasks: ${[...known].join(', ')})`);
  }
  let targets = request.taskIds?.length ? request.taskIds : [...known];
  if (request.includeDownstream) targets = downstreamClosure(spec, targets);
  const retries = new Map(spec.tasks.map((t) => [t.taskId, t.retries]));
  const { cleared, tries } = await withTransaction(services.db, async (tx) => {
    const { reset, stopping } = await resetTaskInstances(
      tx,
      dagId,
      runId,
      targets.map((taskId) => ({ taskId, retries: retries.get(taskId) ?? 0 })),
      request.onlyFailed ? ['failed', 'upstream_failed'] : null,
    );
    const ids = [...reset, ...stopping];
    if (request.actor) {
      await recordAudit(tx, request.actor, {
        action: 'clear',
        dagId,
        dagRunId: runId,
        details: {
          taskIds: request.taskIds ?? [],
          includeDownstream: request.includeDownstream ?? false,
          onlyFailed: request.onlyFailed ?? false,
          cleared: [...new Set(ids)],
        },
      });
    }
    if (ids.length === 0) return { cleared: ids, tries: [] };
    await clearXcoms(tx, dagId, runId, ids);
    // Tries still running are reset once their code has stopped (finishClear): not judged yet.
    const queued = (await requeueRun(tx, dagId, runId)) ? [] : await afterTaskStateChange(tx, dagId, runId, reset);
    return { cleared: ids, tries: queued };
  });
  await dispatch(services, tries);
  if (cleared.length) await wakeSchedulers(services.db);
  return cleared;
}

/**
 * The end of a try that a clear asked to stop, once its code is gone (its worker calls this; the
 * scheduler, when that worker died): the task instance is reset and judged at once, so it runs
 * again as the clear asked. Returns false when no clear was waiting for that try.
 */
export async function finishClear(services: Services, key: TryKey): Promise<boolean> {
  const tries = await withTransaction(services.db, async (tx) =>
    (await finishClearedTry(tx, key)) ? afterTaskStateChange(tx, key.dagId, key.runId, [key.taskId]) : undefined,
  );
  if (!tries) return false;
  await dispatch(services, tries);
  await wakeSchedulers(services.db);
  return true;
}

/**
 * Sets a task instance's state by hand (success or failed). A try still running is taken away
 * (and kept in its history); downstream tasks are judged at once, and a finished run is
 * re-evaluated. Marking a task with the state it already has changes nothing.
 */
export async function markTaskInstance(
  services: Services,
  key: TaskInstanceKey,
  state: Extract<TaskState, 'success' | 'failed'>,
  actor?: Actor,
): Promise<void> {
  const { dagId, runId, taskId } = key;
  const run = await getRun(services.db, dagId, runId);
  if (!run) throw notFound(`DAG "${dagId}" has no run "${runId}"`);
  const spec = await requireVersion(services.db, dagId, run.versionHash);
  const task = spec.tasks.find((t) => t.taskId === taskId);
  if (!task) throw notFound(`run "${runId}" of DAG "${dagId}" has no task "${taskId}"`);
  const tries = await withTransaction(services.db, async (tx) => {
    const downstream = await markByHand(tx, key, state);
    if (actor) {
      await recordAudit(tx, actor, { action: 'mark', dagId, dagRunId: runId, taskId, details: { state, mapIndex: key.mapIndex, changed: downstream !== undefined } });
    }
    if (!downstream) return [];
    await resumeRun(tx, dagId, runId);
    return afterTaskStateChange(tx, dagId, runId, downstream);
  });
  await dispatch(services, tries);
}
