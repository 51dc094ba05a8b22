import { z } from 'zod';
import { badRequest, conflict, notFound } from '../../errors.ts';
import {
  cancelBackfill,
  createBackfill,
  DRY_RUN_PAGE_LIMIT,
  getBackfill,
  listBackfills,
  pagePlan,
} from '../../engine/backfill.ts';
import { page } from '../context.ts';
import { defineRoute } from '../route.ts';
import {
  backfill,
  backfillList,
  backfillListQuery,
  createBackfillBody,
  createBackfillQuery,
  plannedBackfill,
} from '../schemas/backfills.ts';
import { intString, nothing } from '../schemas/fields.ts';
import { backfillJson } from '../serialize.ts';

/** Airflow's default for a backfill's own limit on concurrent runs. */
export const DEFAULT_BACKFILL_MAX_ACTIVE_RUNS = 10;

const TAG = 'Backfills';
const backfillPath = z.strictObject({ id: intString(1) });
const NO_BACKFILL = 'no such backfill';

export const backfillRoutes = [
  defineRoute({
    operationId: 'createBackfill',
    method: 'post',
    path: '/backfills',
    tag: TAG,
    minRole: 'operator',
    summary: 'Backfill a DAG: a run for every data interval whose start lies in [fromDate, toDate]',
    description: 'With "dryRun": true, only plans: the answer (200) lists what would be done, a page at a time (limit, offset).',
    query: createBackfillQuery(DRY_RUN_PAGE_LIMIT),
    body: createBackfillBody,
    answers: {
      200: { description: "a dry run's plan: nothing was created", schema: plannedBackfill },
      201: { description: 'the new backfill with its runs; Location names it', schema: plannedBackfill },
    },
    errors: {
      400: 'code invalid_conf: dagRunConf breaks a typed param of the DAG or lacks a required one (a dry run too); the message names each param and its rule',
      404: 'no such DAG',
      409: 'a backfill of the DAG is still going',
    },
    async handle({ query: q, body }, { deps: { services: { db } }, caller }) {
      if (!body.dryRun && (q.limit !== undefined || q.offset !== undefined)) {
        // Refused rather than ignored: "?limit=5" could be read as "run only 5 dates".
        throw badRequest(
          'only a dry run takes limit and offset (they page its list of intervals); a backfill runs every interval in its range: send "dryRun": true, or drop them',
        );
      }
      const created = await createBackfill(db, {
        dagId: body.dagId,
        fromDate: body.fromDate,
        toDate: body.toDate,
        reprocessBehavior: body.reprocessBehavior ?? 'none',
        maxActiveRuns: body.maxActiveRuns ?? DEFAULT_BACKFILL_MAX_ACTIVE_RUNS,
        runBackwards: body.runBackwards ?? false,
        dryRun: body.dryRun ?? false,
        dagRunConf: body.dagRunConf,
        actor: caller.name,
      });
      const paged = pagePlan(created, q.offset, q.limit);
      const json = backfillJson(paged);
      // pagePlan always lists a page of intervals (possibly empty).
      const answer = { ...json, intervals: json.intervals ?? [], totalEntries: paged.totalEntries, planCounts: paged.planCounts };
      if (created.dryRun) return { status: 200, body: answer };
      return { status: 201, location: `/api/v1/backfills/${created.id}`, body: answer };
    },
  }),

  defineRoute({
    operationId: 'listBackfills',
    method: 'get',
    path: '/backfills',
    tag: TAG,
    minRole: 'viewer',
    summary: 'Backfills, newest first',
    query: backfillListQuery,
    answers: { 200: { description: 'a page of backfills, each with its progress', schema: backfillList } },
    async handle({ query: q }, { deps: { services: { db } } }) {
      const all = await listBackfills(db, q.dagId);
      return { status: 200, body: { backfills: page(all, q).map(backfillJson), totalEntries: all.length } };
    },
  }),

  defineRoute({
    operationId: 'getBackfill',
    method: 'get',
    path: '/backfills/:id',
    tag: TAG,
    minRole: 'viewer',
    summary: 'One backfill and its progress',
    params: backfillPath,
    answers: { 200: { description: 'the backfill', schema: backfill } },
    errors: { 404: NO_BACKFILL },
    async handle({ params: { id } }, { deps: { services: { db } } }) {
      const found = await getBackfill(db, id);
      if (!found) throw notFound(`backfill ${id} not found; GET /api/v1/backfills lists the backfills there are`);
      return { status: 200, body: backfillJson(found) };
    },
  }),

  defineRoute({
    operationId: 'cancelBackfill',
    method: 'post',
    path: '/backfills/:id/cancel',
    tag: TAG,
    minRole: 'operator',
    summary: 'Cancel a backfill: its runs not yet started are failed',
    params: backfillPath,
    body: nothing,
    bodyOptional: true,
    answers: { 200: { description: 'the backfill as it is now', schema: backfill } },
    errors: { 404: NO_BACKFILL, 409: 'the backfill has completed already' },
    async handle({ params: { id } }, { deps: { services: { db } }, caller }) {
      const found = await getBackfill(db, id);
      if (!found) throw notFound(`backfill ${id} not found; GET /api/v1/backfills lists the backfills there are`);
      if (found.completedAt && !found.isCancelled) {
        throw conflict(`backfill ${id} already completed at ${found.completedAt.toISOString()}; there is nothing to cancel`);
      }
      return { status: 200, body: backfillJson(await cancelBackfill(db, id, caller.name)) };
    },
  }),
];
