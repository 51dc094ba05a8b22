/**
 * Mapped tasks (README, "Mapped tasks"): `d.task(id, { expand: source }, fn)` runs `fn` once per
 * element of an array known only at run time (what `source`, a task of the same DAG, returned) or
 * of a literal array. This module checks the two task options that declare it; the expansion
 * itself happens in the metadata store when the task may run (ti_expand_mapped.sql).
 */
import type { TaskMapping } from '../core/spec.ts';
import { showValue } from '../core/show-value.ts';
import { Task } from './task.ts';
import { checkInteger, checkJsonValue } from './validate.ts';

/** A task's own options that map it; not allowed in defaultArgs (a mapping belongs to one task). */
export const MAPPING_OPTION_KEYS = ['expand', 'maxMapLength'] as const;

/** The most instances a mapped task may have unless it sets maxMapLength (Airflow's max_map_length). */
export const DEFAULT_MAX_MAP_LENGTH = 1024;

export interface MappingOptions {
  /**
   * A task of the same DAG whose return value (an array) the task is mapped over, becoming its
   * upstream; or a literal array. One task instance runs per element, with `ctx.mapIndex` and
   * `ctx.mapItem`.
   */
  expand?: Task | readonly unknown[];
  /** The most elements the task may be mapped over (default 1024); more fails the task. */
  maxMapLength?: number;
}

/** The mapping the options declare, its source task (to link upstream), or null for a plain task. */
export interface ResolvedMapping {
  spec: TaskMapping;
  source: Task | null;
}

/** Reads `expand` and `maxMapLength` of a task's options (already checked to be an object). */
export function resolveMapping(taskId: string, options: unknown): ResolvedMapping | null {
  const given = (options ?? {}) as MappingOptions;
  const where = (key: string) => `option "${key}" of task "${taskId}"`;
  const { expand, maxMapLength } = given;
  if (expand === undefined) {
    if (maxMapLength !== undefined) {
      throw new Error(`${where('maxMapLength')} applies only to a mapped task; add expand: <a task or an array>, or drop maxMapLength`);
    }
    return null;
  }
  const max = maxMapLength === undefined ? DEFAULT_MAX_MAP_LENGTH : checkInteger(maxMapLength, where('maxMapLength'), 1);
  if (expand instanceof Task) return { spec: { expand: { source: expand.taskId }, maxMapLength: max }, source: expand };
  if (Array.isArray(expand)) {
    const items = checkJsonValue(expand, where('expand'), 'expand') as unknown[];
    if (items.length > max) {
      throw new Error(
        `${where('expand')} is an array of ${items.length} items, more than its maxMapLength of ${max}; raise maxMapLength or pass fewer items`,
      );
    }
    return { spec: { expand: { items }, maxMapLength: max }, source: null };
  }
  throw new Error(
    `${where('expand')} must be a task of this DAG (its return value is the array to map over) or a literal array; got ${showValue(expand)}`,
  );
}
