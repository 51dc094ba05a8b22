import { Router } from 'express';
import { z } from 'zod';
import { showValue } from '../../core/show-value.ts';
import { conflict, notFound } from '../../errors.ts';
import { cancelBackfill, createBackfill, getBackfill, listBackfills, REPROCESS_BEHAVIORS } from '../../scheduler/backfill.ts';
import { page, type ApiDeps } from '../context.ts';
import { backfillJson } from '../serialize.ts';
import {
  bool,
  intString,
  isoDate,
  jsonObject,
  noQuery,
  nonEmptyString,
  pagination,
  parseInput,
  positiveInt,
} from '../validation.ts';

/** Airflow's default for a backfill's own limit on concurrent runs. */
export const DEFAULT_BACKFILL_MAX_ACTIVE_RUNS = 10;

const createBody = z.strictObject({
  dagId: nonEmptyString(),
  fromDate: isoDate,
  toDate: isoDate,
  reprocessBehavior: z
    .enum(REPROCESS_BEHAVIORS, {
      error: (issue) => `must be one of ${REPROCESS_BEHAVIORS.join(', ')}; got ${showValue(issue.input)}`,
    })
    .optional(),
  maxActiveRuns: positiveInt().optional(),
  runBackwards: bool().optional(),
  dryRun: bool().optional(),
  dagRunConf: jsonObject.optional(),
});

const listQuery = z.strictObject({
  ...pagination,
  dagId: z.string({ error: 'must be given once, as a DAG id' }).min(1, { error: 'must not be empty' }).optional(),
});
const idParams = z.strictObject({ id: intString(1) });
const emptyBody = z.strictObject({});

export function backfillRoutes({ services: { db } }: ApiDeps): Router {
  const router = Router({ caseSensitive: true });

  router.post('/backfills', async (req, res) => {
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(createBody, req.body, 'body');
    const backfill = await createBackfill(db, {
      dagId: body.dagId,
      fromDate: body.fromDate,
      toDate: body.toDate,
      reprocessBehavior: body.reprocessBehavior ?? 'none',
      maxActiveRuns: body.maxActiveRuns ?? DEFAULT_BACKFILL_MAX_ACTIVE_RUNS,
      runBackwards: body.runBackwards ?? false,
      dryRun: body.dryRun ?? false,
      dagRunConf: body.dagRunConf,
    });
    if (backfill.dryRun) {
      res.status(200).json(backfillJson(backfill));
      return;
    }
    res.status(201).location(`/api/v1/backfills/${backfill.id}`).json(backfillJson(backfill));
  });

  router.get('/backfills', async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const backfills = await listBackfills(db, q.dagId);
    res.json({ backfills: page(backfills, q).map(backfillJson), totalEntries: backfills.length });
  });

  router.get('/backfills/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    parseInput(noQuery, req.query, 'query');
    const backfill = await getBackfill(db, id);
    if (!backfill) throw notFound(`backfill ${id} not found; GET /api/v1/backfills lists the backfills there are`);
    res.json(backfillJson(backfill));
  });

  router.post('/backfills/:id/cancel', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    parseInput(noQuery, req.query, 'query');
    parseInput(emptyBody, req.body === undefined ? {} : req.body, 'body');
    const backfill = await getBackfill(db, id);
    if (!backfill) throw notFound(`backfill ${id} not found; GET /api/v1/backfills lists the backfills there are`);
    if (backfill.completedAt && !backfill.isCancelled) {
      throw conflict(`backfill ${id} already completed at ${backfill.completedAt.toISOString()}; there is nothing to cancel`);
    }
    res.json(backfillJson(await cancelBackfill(db, id)));
  });

  return router;
}
