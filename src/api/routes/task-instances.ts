import { Router } from 'express';
import { z } from 'zod';
import { formatCount, showValue } from '../../core/show-value.ts';
import { notFound } from '../../errors.ts';
import { clearTaskInstances, markTaskInstance } from '../../engine/actions.ts';
import { DEFAULT_PAGE_BYTES, logExtent, MAX_PAGE_BYTES } from '../../store/logs.ts';
import { listTaskInstances, listTries } from '../../store/task-instances.ts';
import { readXcom } from '../../store/xcom.ts';
import { page, type ApiDeps } from '../context.ts';
import { requireDag, requireRun, requireTaskInstance } from '../lookup.ts';
import { taskInstanceJson, tryJson } from '../serialize.ts';
import { sendLogPage, streamWholeLog } from '../task-log-response.ts';
import { bodyId, bool, intString, listQuery, noQuery, parseInput, pathId } from '../validation.ts';

const dagParams = z.strictObject({ dagId: pathId() });
const runParams = z.strictObject({ dagId: pathId(), runId: pathId() });
const tiParams = z.strictObject({ dagId: pathId(), runId: pathId(), taskId: pathId() });
const logParams = z.strictObject({ dagId: pathId(), runId: pathId(), taskId: pathId(), tryNumber: intString(1) });

// Without either, the whole log; with either, one page.
const logQuery = z.strictObject({
  offset: intString(0, Number.MAX_SAFE_INTEGER, "a byte offset into the stored log, e.g. the previous page's X-Log-Next-Offset").optional(),
  limit: intString(1, MAX_PAGE_BYTES, 'the most bytes of stored log to return').optional(),
});

const markBody = z.strictObject({
  state: z.enum(['success', 'failed'], {
    error: (issue) => `must be "success" or "failed", got ${showValue(issue.input)}`,
  }),
});

/** More task ids than any DAG should have; leaving taskIds out clears them all. */
const MAX_CLEARED_TASK_IDS = 10_000;

const clearBody = z.strictObject({
  dagRunId: bodyId(),
  taskIds: z
    .array(bodyId(), { error: (issue) => `must be an array of task ids, got ${showValue(issue.input)}` })
    .max(MAX_CLEARED_TASK_IDS, { error: `must name at most ${formatCount(MAX_CLEARED_TASK_IDS)} task ids; leave it out to clear every task of the run` })
    .optional(),
  includeDownstream: bool().optional(),
  onlyFailed: bool().optional(),
});

export function taskInstanceRoutes({ services }: ApiDeps): Router {
  const { db } = services;
  const log = services.log.child({ component: 'api' });
  const router = Router({ caseSensitive: true });
  const base = '/dags/:dagId/dagRuns/:runId/taskInstances';

  router.get(base, async (req, res) => {
    const { dagId, runId } = parseInput(runParams, req.params, 'path');
    const q = parseInput(listQuery, req.query, 'query');
    await requireRun(db, dagId, runId);
    const tis = await listTaskInstances(db, dagId, runId);
    res.json({ taskInstances: page(tis, q, 1000).map(taskInstanceJson), totalEntries: tis.length });
  });

  router.get(`${base}/:taskId`, async (req, res) => {
    const { dagId, runId, taskId } = parseInput(tiParams, req.params, 'path');
    parseInput(noQuery, req.query, 'query');
    res.json(taskInstanceJson(await requireTaskInstance(db, dagId, runId, taskId)));
  });

  router.patch(`${base}/:taskId`, async (req, res) => {
    const { dagId, runId, taskId } = parseInput(tiParams, req.params, 'path');
    parseInput(noQuery, req.query, 'query');
    const { state } = parseInput(markBody, req.body, 'body');
    await requireTaskInstance(db, dagId, runId, taskId);
    await markTaskInstance(services, dagId, runId, taskId, state);
    res.json(taskInstanceJson(await requireTaskInstance(db, dagId, runId, taskId)));
  });

  // Beyond the contract: every try of a task instance, for the UI's try picker.
  router.get(`${base}/:taskId/tries`, async (req, res) => {
    const { dagId, runId, taskId } = parseInput(tiParams, req.params, 'path');
    const q = parseInput(listQuery, req.query, 'query');
    await requireTaskInstance(db, dagId, runId, taskId);
    const tries = await listTries(db, dagId, runId, taskId);
    res.json({
      taskInstanceTries: page(tries, q, 1000).map((t) => tryJson(dagId, runId, taskId, t)),
      totalEntries: tries.length,
    });
  });

  router.get(`${base}/:taskId/logs/:tryNumber`, async (req, res) => {
    const { dagId, runId, taskId, tryNumber } = parseInput(logParams, req.params, 'path');
    const { offset, limit } = parseInput(logQuery, req.query, 'query');
    const ti = await requireTaskInstance(db, dagId, runId, taskId);
    if (tryNumber > ti.tryNumber) {
      throw notFound(
        ti.tryNumber === 0
          ? `task "${taskId}" of run "${runId}" has not been tried yet, so it has no logs`
          : `task "${taskId}" of run "${runId}" has no try ${tryNumber}; its tries so far are 1 to ${ti.tryNumber}`,
      );
    }
    const key = { dagId, runId, taskId, tryNumber };
    // Read before any text: a try whose state is final has all its lines stored (they commit
    // with its outcome), so a reader told "complete" that reads up to this size has them all.
    const extent = await logExtent(db, key);
    if (offset === undefined && limit === undefined) await streamWholeLog(res, db, key, extent, log);
    else await sendLogPage(res, db, key, extent, { offset: offset ?? 0, limit: limit ?? DEFAULT_PAGE_BYTES });
  });

  router.get(`${base}/:taskId/xcom`, async (req, res) => {
    const { dagId, runId, taskId } = parseInput(tiParams, req.params, 'path');
    parseInput(noQuery, req.query, 'query');
    const ti = await requireTaskInstance(db, dagId, runId, taskId);
    const xcom = await readXcom(db, dagId, runId, taskId);
    if (!xcom.found) {
      throw notFound(
        ti.state === 'success'
          ? `task "${taskId}" of run "${runId}" returned nothing, so it has no XCom value`
          : `task "${taskId}" of run "${runId}" has no XCom value: its state is "${ti.state}", and only a task ` +
              'that succeeded has one (if it returned something)',
      );
    }
    res.json({ value: xcom.value });
  });

  router.post('/dags/:dagId/clearTaskInstances', async (req, res) => {
    const { dagId } = parseInput(dagParams, req.params, 'path');
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(clearBody, req.body, 'body');
    await requireDag(db, dagId);
    const cleared = await clearTaskInstances(services, dagId, body.dagRunId, {
      taskIds: body.taskIds,
      includeDownstream: body.includeDownstream,
      onlyFailed: body.onlyFailed,
    });
    const ids = new Set(cleared);
    const tis = (await listTaskInstances(db, dagId, body.dagRunId)).filter((ti) => ids.has(ti.taskId));
    res.json({ taskInstances: tis.map(taskInstanceJson), totalEntries: tis.length });
  });

  return router;
}
