/** A DAG's versions: what GET /dags/{dagId}/versions answers. */
import { z } from 'zod';
import { dagPath, isoTime, totalEntries } from './fields.ts';

export const dagVersion = z
  .object({
    version: z.string().meta({ description: 'the version\'s content hash (of its structure and its bundled code); a run\'s dagVersion' }),
    createdAt: isoTime,
    fileloc: z.string().nullable().meta({ description: 'the DAG file, relative to the DAGs folder; null for a version stored before Sluice kept it' }),
  })
  .meta({ id: 'DagVersion' });

export const dagVersionList = z.object({ versions: z.array(dagVersion), totalEntries }).meta({ id: 'DagVersionList' });

export const versionPath = dagPath.extend({ version: z.string().regex(/^[0-9a-f]{1,64}$/, 'a version is a hexadecimal hash, as GET /dags/{dagId}/versions lists them') });

export type DagVersion = z.infer<typeof dagVersion>;
export type DagVersionList = z.infer<typeof dagVersionList>;
