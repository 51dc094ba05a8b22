import { Router } from 'express';
import { z } from 'zod';
import { triggerDagRun } from '../../engine/actions.ts';
import { listRuns } from '../../store/runs.ts';
import type { ApiDeps } from '../context.ts';
import { requireDag, requireRun } from '../lookup.ts';
import { dagRunJson } from '../serialize.ts';
import { isoDate, jsonObject, noQuery, pagination, parseInput, pathId, runStateString } from '../validation.ts';

const dagParams = z.strictObject({ dagId: pathId() });
const runParams = z.strictObject({ dagId: pathId(), runId: pathId() });
const runListQuery = z.strictObject({ ...pagination, state: runStateString.optional() });
const triggerBody = z.strictObject({
  logicalDate: isoDate.nullable().optional(),
  conf: jsonObject.optional(),
});

export function dagRunRoutes({ services: { db } }: ApiDeps): Router {
  const router = Router({ caseSensitive: true });

  router.get('/dags/:dagId/dagRuns', async (req, res) => {
    const { dagId } = parseInput(dagParams, req.params, 'path');
    const q = parseInput(runListQuery, req.query, 'query');
    await requireDag(db, dagId);
    const { runs, total } = await listRuns(db, dagId, { state: q.state, limit: q.limit ?? 100, offset: q.offset ?? 0 });
    res.json({ dagRuns: runs.map(dagRunJson), totalEntries: total });
  });

  router.post('/dags/:dagId/dagRuns', async (req, res) => {
    const { dagId } = parseInput(dagParams, req.params, 'path');
    parseInput(noQuery, req.query, 'query');
    // Every field is optional, so an empty request (no body at all) triggers a run now.
    const body = parseInput(triggerBody, req.body === undefined ? {} : req.body, 'body');
    const run = await triggerDagRun(db, dagId, { logicalDate: body.logicalDate ?? undefined, conf: body.conf });
    res
      .status(201)
      .location(`/api/v1/dags/${encodeURIComponent(dagId)}/dagRuns/${encodeURIComponent(run.runId)}`)
      .json(dagRunJson(run));
  });

  router.get('/dags/:dagId/dagRuns/:runId', async (req, res) => {
    const { dagId, runId } = parseInput(runParams, req.params, 'path');
    parseInput(noQuery, req.query, 'query');
    res.json(dagRunJson(await requireRun(db, dagId, runId)));
  });

  return router;
}
