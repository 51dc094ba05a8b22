import { notFound } from '../../errors.ts';
import { pauseDag } from '../../engine/pause.ts';
import { listDags, listImportErrors } from '../../store/dags.ts';
import { recentRuns } from '../../store/runs.ts';
import { page } from '../context.ts';
import { requireDag } from '../lookup.ts';
import { defineRoute } from '../route.ts';
import { dag, dagDetail, dagList, dagListQuery, importErrorList, patchDagBody } from '../schemas/dags.ts';
import { dagPath, listQuery } from '../schemas/fields.ts';
import { dagJson, dagRunJson, dagRunSummaryJson, iso, taskJson } from '../serialize.ts';

/** How many runs the DAG list shows of each DAG: two weeks of a daily DAG. */
export const RECENT_RUNS_PER_DAG = 14;

const NO_DAG = 'no such DAG';

export const dagRoutes = [
  defineRoute({
    operationId: 'listDags',
    method: 'get',
    path: '/dags',
    tag: 'DAGs',
    minRole: 'viewer',
    summary: 'The DAGs, each with its latest run and its recent runs',
    query: dagListQuery,
    answers: { 200: { description: 'a page of DAGs, by DAG id', schema: dagList } },
    async handle({ query: q }, { deps: { services: { db } } }) {
      const { dags, total } = await listDags(db, {
        limit: q.limit ?? 100,
        offset: q.offset ?? 0,
        paused: q.paused,
        tags: q.tags,
        search: q.search,
      });
      const recent = await recentRuns(db, dags.map((d) => d.dagId), RECENT_RUNS_PER_DAG);
      return {
        status: 200,
        body: {
          dags: dags.map((d) => {
            const runs = recent.get(d.dagId) ?? [];
            const latest = runs[0];
            return { ...dagJson(d), latestDagRun: latest ? dagRunJson(latest) : null, recentDagRuns: runs.map(dagRunSummaryJson) };
          }),
          totalEntries: total,
        },
      };
    },
  }),

  defineRoute({
    operationId: 'getDag',
    method: 'get',
    path: '/dags/:dagId',
    tag: 'DAGs',
    minRole: 'viewer',
    summary: 'One DAG with its tasks',
    params: dagPath,
    answers: { 200: { description: 'the DAG', schema: dagDetail } },
    errors: { 404: NO_DAG },
    async handle({ params: { dagId } }, { deps: { services: { db } } }) {
      const found = await requireDag(db, dagId);
      return { status: 200, body: { ...dagJson(found), tasks: found.spec.tasks.map(taskJson), groups: found.spec.groups ?? [] } };
    },
  }),

  defineRoute({
    operationId: 'patchDag',
    method: 'patch',
    path: '/dags/:dagId',
    tag: 'DAGs',
    minRole: 'operator',
    summary: 'Pause or unpause a DAG',
    params: dagPath,
    body: patchDagBody,
    answers: { 200: { description: 'the DAG as it is now', schema: dag } },
    errors: { 404: NO_DAG },
    async handle({ params: { dagId }, body: { isPaused } }, { deps: { services: { db } }, caller }) {
      const changed = await pauseDag(db, dagId, isPaused, caller.name);
      if (!changed) throw notFound(`DAG "${dagId}" not found; GET /api/v1/dags lists the DAGs there are`);
      return { status: 200, body: dagJson(changed) };
    },
  }),

  defineRoute({
    operationId: 'listImportErrors',
    method: 'get',
    path: '/importErrors',
    tag: 'DAGs',
    minRole: 'viewer',
    summary: 'DAG files that failed to import, and why',
    query: listQuery,
    answers: { 200: { description: 'a page of import errors, by file name', schema: importErrorList } },
    async handle({ query: q }, { deps: { services: { db } } }) {
      const errors = await listImportErrors(db);
      return {
        status: 200,
        body: {
          importErrors: page(errors, q).map((e) => ({ filename: e.filename, message: e.message, timestamp: iso(e.timestamp) })),
          totalEntries: errors.length,
        },
      };
    },
  }),
];
