import { markDagRun, triggerDagRun } from '../../engine/actions.ts';
import { listRuns, runsTriggeredBy } from '../../store/runs.ts';
import { requireDag, requireRun } from '../lookup.ts';
import { defineRoute } from '../route.ts';
import { dagRun, dagRunList, dagRunListQuery, markDagRunBody, triggerDagRunBody, triggeredRunsQuery } from '../schemas/dag-runs.ts';
import { dagPath, runPath } from '../schemas/fields.ts';
import { dagRunJson } from '../serialize.ts';

export const dagRunRoutes = [
  defineRoute({
    operationId: 'listDagRuns',
    method: 'get',
    path: '/dags/:dagId/dagRuns',
    tag: 'DAG runs',
    minRole: 'viewer',
    summary: "A DAG's runs, newest first",
    params: dagPath,
    query: dagRunListQuery,
    answers: { 200: { description: 'a page of runs, newest logical date first', schema: dagRunList } },
    errors: { 404: 'no such DAG' },
    async handle({ params: { dagId }, query: q }, { deps: { services: { db } } }) {
      await requireDag(db, dagId);
      const { runs, total } = await listRuns(db, dagId, { state: q.state, limit: q.limit ?? 100, offset: q.offset ?? 0 });
      return { status: 200, body: { dagRuns: runs.map(dagRunJson), totalEntries: total } };
    },
  }),

  defineRoute({
    operationId: 'triggerDagRun',
    method: 'post',
    path: '/dags/:dagId/dagRuns',
    tag: 'DAG runs',
    minRole: 'operator',
    summary: 'Trigger a run (also of a paused DAG)',
    params: dagPath,
    // Every field is optional, so an empty request (no body at all) triggers a run now.
    body: triggerDagRunBody,
    bodyOptional: true,
    answers: { 201: { description: 'the new run; Location names it', schema: dagRun } },
    errors: { 400: 'code invalid_conf: the conf breaks a typed param of the DAG or lacks a required one; the message names each param and its rule', 404: 'no such DAG', 409: 'the DAG already has a run with that logical date' },
    async handle({ params: { dagId }, body }, { deps: { services: { db } }, caller }) {
      const run = await triggerDagRun(db, dagId, { logicalDate: body.logicalDate ?? undefined, conf: body.conf, actor: caller.name });
      return {
        status: 201,
        location: `/api/v1/dags/${encodeURIComponent(dagId)}/dagRuns/${encodeURIComponent(run.runId)}`,
        body: dagRunJson(run),
      };
    },
  }),

  defineRoute({
    operationId: 'getDagRun',
    method: 'get',
    path: '/dags/:dagId/dagRuns/:runId',
    tag: 'DAG runs',
    minRole: 'viewer',
    summary: 'One run',
    params: runPath,
    answers: { 200: { description: 'the run', schema: dagRun } },
    errors: { 404: 'no such DAG, or no such run of it' },
    async handle({ params: { dagId, runId } }, { deps: { services: { db } } }) {
      return { status: 200, body: dagRunJson(await requireRun(db, dagId, runId)) };
    },
  }),

  defineRoute({
    operationId: 'markDagRun',
    method: 'patch',
    path: '/dags/:dagId/dagRuns/:runId',
    tag: 'DAG runs',
    minRole: 'operator',
    summary: 'Mark a run success or failed by hand, with its task instances',
    params: runPath,
    body: markDagRunBody,
    answers: { 200: { description: 'the run as it is now (a run already in that state is left as it is)', schema: dagRun } },
    errors: { 404: 'no such DAG, or no such run of it' },
    async handle({ params: { dagId, runId }, body: { state } }, { deps: { services }, caller }) {
      await requireRun(services.db, dagId, runId);
      return { status: 200, body: dagRunJson(await markDagRun(services, dagId, runId, state, caller.name)) };
    },
  }),

  defineRoute({
    operationId: 'listTriggeredDagRuns',
    method: 'get',
    path: '/dags/:dagId/dagRuns/:runId/triggeredRuns',
    tag: 'DAG runs',
    minRole: 'viewer',
    summary: "The runs this run's tasks triggered, oldest first",
    description: "Runs of any DAG created by triggerDag (sluice/operators) in a task of this run; each names that task in triggeredBy.",
    params: runPath,
    query: triggeredRunsQuery,
    answers: { 200: { description: 'every run the tasks of this run (or the one task, or task instance, asked for) triggered', schema: dagRunList } },
    errors: { 400: 'mapIndex without taskId, or not a map index', 404: 'no such DAG, or no such run of it' },
    async handle({ params: { dagId, runId }, query: q }, { deps: { services: { db } } }) {
      await requireRun(db, dagId, runId);
      const runs = await runsTriggeredBy(db, dagId, runId, q.taskId === undefined ? undefined : { taskId: q.taskId, mapIndex: q.mapIndex });
      return { status: 200, body: { dagRuns: runs.map(dagRunJson), totalEntries: runs.length } };
    },
  }),
];
