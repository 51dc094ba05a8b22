import { Router } from 'express';
import { z } from 'zod';
import { showValue } from '../../core/show-value.ts';
import { badRequest, conflict, notFound } from '../../errors.ts';
import {
  cancelBackfill,
  createBackfill,
  DRY_RUN_PAGE_LIMIT,
  getBackfill,
  listBackfills,
  pagePlan,
  REPROCESS_BEHAVIORS,
} from '../../engine/backfill.ts';
import { page, type ApiDeps } from '../context.ts';
import { backfillJson } from '../serialize.ts';
import {
  bodyId,
  bool,
  intString,
  isoDate,
  jsonObject,
  noQuery,
  pagination,
  parseInput,
  positiveInt,
} from '../validation.ts';

/** Airflow's default for a backfill's own limit on concurrent runs. */
export const DEFAULT_BACKFILL_MAX_ACTIVE_RUNS = 10;

const createBody = z.strictObject({
  dagId: bodyId(),
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

/** Which of the planned intervals the answer lists. */
const createQuery = z.strictObject({
  limit: intString(1, DRY_RUN_PAGE_LIMIT).optional(),
  offset: pagination.offset,
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
    const q = parseInput(createQuery, req.query, 'query');
    const body = parseInput(createBody, req.body, 'body');
    if (!body.dryRun && (q.limit !== undefined || q.offset !== undefined)) {
      // Refused rather than ignored: "?limit=5" could be read as "run only 5 dates".
      throw badRequest(
        'only a dry run takes limit and offset (they page its list of intervals); a backfill runs every interval in its range: send "dryRun": true, or drop them',
      );
    }
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
    const paged = pagePlan(backfill, q.offset, q.limit);
    const answer = { ...backfillJson(paged), totalEntries: paged.totalEntries, planCounts: paged.planCounts };
    if (backfill.dryRun) {
      res.status(200).json(answer);
      return;
    }
    res.status(201).location(`/api/v1/backfills/${backfill.id}`).json(answer);
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
