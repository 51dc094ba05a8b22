/**
 * One collection's staging tables into the warehouse, inside promote's transaction: a first load
 * when its parent table is empty (promote-first-load.ts), otherwise the changed rows only: the
 * parents that are new or newer (promote-parent.ts), then their child rows that differ
 * (promote-children.ts).
 */
import type pg from 'pg';
import { quoteQualified } from './column-names.ts';
import { childTablesOf, deleteUnstagedChildren, replaceStagedChildren, requireChildKey, type ChildCounts } from './promote-children.ts';
import { firstLoad, isEmpty } from './promote-first-load.ts';
import { CHANGED_PARENTS, upsertParent, type ParentCounts } from './promote-parent.ts';
import type { StagedTable, StageResult } from './stage-load.ts';

export interface LoadedCollection {
  firstLoad: boolean;
  parent: ParentCounts;
  /** Child rows written, by child table (staged or not). */
  children: Map<string, ChildCounts>;
}

export async function loadCollection(client: pg.PoolClient, schema: string, stage: StageResult, parent: StagedTable, runId: string): Promise<LoadedCollection> {
  const qualified = (table: string) => quoteQualified(`${schema}.${table}`);
  const target = qualified(parent.table);
  const childTables = new Map((await childTablesOf(client, schema, parent.table)).map((table) => [table, qualified(table)]));
  // A staged array whose table does not reference the parent has nowhere to go (as before).
  const staged = stage.tables.filter((t) => !t.parent && childTables.has(t.table));
  for (const child of staged) await requireChildKey(client, childTables.get(child.table)!);

  // Nothing staged, nothing to gain: an empty collection's hourly promote must not rebuild keys.
  if (parent.rows > 0 && (await isEmpty(client, target))) {
    const loaded = await firstLoad(client, target, parent, staged, childTables, runId);
    if (loaded) {
      return {
        firstLoad: true,
        parent: { inserted: loaded.inserted, updated: 0, unchanged: 0 },
        children: new Map([...loaded.children].map(([table, inserted]) => [table, { inserted, updated: 0, deleted: 0 }])),
      };
    }
  }

  const counts = await upsertParent(client, target, parent, stage.modifiedColumn, runId);
  const children = new Map<string, ChildCounts>();
  for (const [table, childTarget] of childTables) {
    const child = staged.find((t) => t.table === table);
    children.set(table, child ? await replaceStagedChildren(client, childTarget, child) : { inserted: 0, updated: 0, deleted: await deleteUnstagedChildren(client, childTarget) });
  }
  await client.query(`DROP TABLE ${CHANGED_PARENTS}`);
  return { firstLoad: false, parent: counts, children };
}

/** Rows inserted, updated or deleted in a child table. */
export function writtenRows(counts: ChildCounts | undefined): number {
  return counts ? counts.inserted + counts.updated + counts.deleted : 0;
}
