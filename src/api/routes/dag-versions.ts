import { notFound } from '../../errors.ts';
import { getVersionSource, listDagVersions } from '../../store/dag-versions.ts';
import { requireDag } from '../lookup.ts';
import { defineRoute, SENT } from '../route.ts';
import { dagVersionList, versionPath } from '../schemas/dag-versions.ts';
import { dagPath, listQuery } from '../schemas/fields.ts';
import { iso } from '../serialize.ts';

export const dagVersionRoutes = [
  defineRoute({
    operationId: 'listDagVersions',
    method: 'get',
    path: '/dags/:dagId/versions',
    tag: 'DAGs',
    minRole: 'viewer',
    summary: "A DAG's versions, newest first",
    description:
      'Each distinct content of the DAG file together with the local modules it imports is a version; ' +
      'a run keeps the version it was created with (its dagVersion) for all its tries, retries and clears.',
    params: dagPath,
    query: listQuery,
    answers: { 200: { description: 'a page of versions', schema: dagVersionList } },
    errors: { 404: 'no such DAG' },
    async handle({ params: { dagId }, query: q }, { deps: { services: { db } } }) {
      await requireDag(db, dagId);
      const { versions, total } = await listDagVersions(db, dagId, { limit: q.limit ?? 100, offset: q.offset ?? 0 });
      return {
        status: 200,
        body: { versions: versions.map((v) => ({ version: v.version, createdAt: iso(v.createdAt), fileloc: v.fileloc })), totalEntries: total },
      };
    },
  }),

  defineRoute({
    operationId: 'getDagVersionSource',
    method: 'get',
    path: '/dags/:dagId/versions/:version/source',
    tag: 'DAGs',
    minRole: 'viewer',
    summary: "The DAG file's source text in one version",
    params: versionPath,
    answers: { 200: { description: 'the source text of the DAG file', contentType: 'text/plain' } },
    errors: { 404: 'no such DAG or version, or a version stored before Sluice kept its source' },
    async handle({ params: { dagId, version } }, { deps: { services: { db } }, res }) {
      await requireDag(db, dagId);
      const found = await getVersionSource(db, dagId, version);
      if (!found) throw notFound(`DAG "${dagId}" has no version "${version}"; GET /api/v1/dags/${dagId}/versions lists its versions`);
      const text = found.fileloc ? found.sources?.[found.fileloc] : undefined;
      if (text === undefined) {
        throw notFound(`version "${version}" of DAG "${dagId}" was stored before Sluice kept DAG source code; newer versions have it`);
      }
      res.status(200).type('text/plain; charset=utf-8').send(text);
      return SENT;
    },
  }),
];
