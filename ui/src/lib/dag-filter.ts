/** The DAG list's filters: pure, so what the list shows for a filter is unit-tested. */

export interface FilterableDag {
  dagId: string;
  description: string;
  isPaused: boolean;
  tags: string[];
  latestDagRun: { state: string } | null;
}

export interface DagFilter {
  /** Part of the id or description, any case. */
  search: string;
  tag?: string;
  status: 'all' | 'active' | 'paused';
  /** A run state, or 'none' for DAGs that have never run. */
  lastRunState?: string;
}

export interface FilteredDags<T> {
  shown: T[];
  /** How many DAGs each status button would show with the other filters as they are. */
  counts: Record<DagFilter['status'], number>;
}

export function filterDags<T extends FilterableDag>(dags: readonly T[], filter: DagFilter): FilteredDags<T> {
  const needle = filter.search.trim().toLowerCase();
  const matching = dags.filter(
    (dag) =>
      (!needle || dag.dagId.toLowerCase().includes(needle) || dag.description.toLowerCase().includes(needle)) &&
      (!filter.tag || dag.tags.includes(filter.tag)) &&
      (!filter.lastRunState || (dag.latestDagRun?.state ?? 'none') === filter.lastRunState),
  );
  const paused = matching.filter((dag) => dag.isPaused).length;
  const counts = { all: matching.length, active: matching.length - paused, paused };
  const shown = filter.status === 'all' ? matching : matching.filter((dag) => dag.isPaused === (filter.status === 'paused'));
  return { shown, counts };
}

/** Every tag in use, sorted, for the tag filter. */
export function tagsOf(dags: readonly { tags: string[] }[]): string[] {
  return [...new Set(dags.flatMap((dag) => dag.tags))].sort((a, b) => a.localeCompare(b));
}
