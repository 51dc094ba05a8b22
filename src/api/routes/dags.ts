import { Router } from 'express';
import { z } from 'zod';
import { showValue } from '../../core/show-value.ts';
import { notFound } from '../../errors.ts';
import { listDags, listImportErrors, setPaused } from '../../store/dags.ts';
import { recentRuns } from '../../store/runs.ts';
import { page, type ApiDeps } from '../context.ts';
import { requireDag } from '../lookup.ts';
import { dagJson, dagRunJson, dagRunSummaryJson, iso, taskJson } from '../serialize.ts';
import { bool, boolString, listQuery, noQuery, pagination, parseInput, pathId } from '../validation.ts';

const tagList = z
  .union([z.string(), z.array(z.string())], {
    error: (issue) => `must be tag names, as tags=a,b or tags=a&tags=b; got ${showValue(issue.input)}`,
  })
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean));

const dagListQuery = z.strictObject({
  ...pagination,
  paused: boolString().optional(),
  tags: tagList.optional(),
  search: z.string({ error: 'must be given once, as part of a DAG id' }).optional(),
});

/** How many runs the DAG list shows of each DAG: two weeks of a daily DAG. */
export const RECENT_RUNS_PER_DAG = 14;

const dagParams = z.strictObject({ dagId: pathId() });
const patchDagBody = z.strictObject({ isPaused: bool() });

export function dagRoutes({ services: { db } }: ApiDeps): Router {
  const router = Router({ caseSensitive: true });

  router.get('/dags', async (req, res) => {
    const q = parseInput(dagListQuery, req.query, 'query');
    const { dags, total } = await listDags(db, {
      limit: q.limit ?? 100,
      offset: q.offset ?? 0,
      paused: q.paused,
      tags: q.tags,
      search: q.search,
    });
    const recent = await recentRuns(db, dags.map((d) => d.dagId), RECENT_RUNS_PER_DAG);
    res.json({
      dags: dags.map((d) => {
        const runs = recent.get(d.dagId) ?? [];
        const latest = runs[0];
        return {
          ...dagJson(d),
          latestDagRun: latest ? dagRunJson(latest) : null,
          recentDagRuns: runs.map(dagRunSummaryJson),
        };
      }),
      totalEntries: total,
    });
  });

  router.get('/dags/:dagId', async (req, res) => {
    const { dagId } = parseInput(dagParams, req.params, 'path');
    parseInput(noQuery, req.query, 'query');
    const dag = await requireDag(db, dagId);
    res.json({ ...dagJson(dag), tasks: dag.spec.tasks.map(taskJson) });
  });

  router.patch('/dags/:dagId', async (req, res) => {
    const { dagId } = parseInput(dagParams, req.params, 'path');
    parseInput(noQuery, req.query, 'query');
    const { isPaused } = parseInput(patchDagBody, req.body, 'body');
    const dag = await setPaused(db, dagId, isPaused);
    if (!dag) throw notFound(`DAG "${dagId}" not found; GET /api/v1/dags lists the DAGs there are`);
    res.json(dagJson(dag));
  });

  router.get('/importErrors', async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const errors = await listImportErrors(db);
    res.json({
      importErrors: page(errors, q).map((e) => ({ filename: e.filename, message: e.message, timestamp: iso(e.timestamp) })),
      totalEntries: errors.length,
    });
  });

  return router;
}
