import { Router } from 'express';
import { z } from 'zod';
import { showValue } from '../../core/show-value.ts';
import { notFound } from '../../errors.ts';
import { clearTaskInstances, markTaskInstance } from '../../scheduler/actions.ts';
import { readLog } from '../../store/logs.ts';
import { listTaskInstances, listTries } from '../../store/task-instances.ts';
import { readXcom } from '../../store/xcom.ts';
import { page, type ApiDeps } from '../context.ts';
import { formatLog } from '../../log-format.ts';
import { requireDag, requireRun, requireTaskInstance } from '../lookup.ts';
import { taskInstanceJson, tryJson } from '../serialize.ts';
import { bool, intString, listQuery, noQuery, nonEmptyString, parseInput, pathId } from '../validation.ts';

const dagParams = z.strictObject({ dagId: pathId() });
const runParams = z.strictObject({ dagId: pathId(), runId: pathId() });
const tiParams = z.strictObject({ dagId: pathId(), runId: pathId(), taskId: pathId() });
const logParams = z.strictObject({ dagId: pathId(), runId: pathId(), taskId: pathId(), tryNumber: intString(1) });

const markBody = z.strictObject({
  state: z.enum(['success', 'failed'], {
    error: (issue) => `must be "success" or "failed", got ${showValue(issue.input)}`,
  }),
});

const clearBody = z.strictObject({
  dagRunId: nonEmptyString(),
  taskIds: z
    .array(nonEmptyString(), { error: (issue) => `must be an array of task ids, got ${showValue(issue.input)}` })
    .optional(),
  includeDownstream: bool().optional(),
  onlyFailed: bool().optional(),
});

export function taskInstanceRoutes({ services }: ApiDeps): Router {
  const { db } = services;
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
    parseInput(noQuery, req.query, 'query');
    const ti = await requireTaskInstance(db, dagId, runId, taskId);
    if (tryNumber > ti.tryNumber) {
      throw notFound(
        ti.tryNumber === 0
          ? `task "${taskId}" of run "${runId}" has not been tried yet, so it has no logs`
          : `task "${taskId}" of run "${runId}" has no try ${tryNumber}; its tries so far are 1 to ${ti.tryNumber}`,
      );
    }
    const raw = await readLog(db, dagId, runId, taskId, tryNumber);
    res.type('text/plain; charset=utf-8').send(formatLog(raw));
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
