/** The UI's page addresses: one place that builds them and one that reads them. */

export type Route =
  | { page: 'dags' }
  | { page: 'dag'; dagId: string; tab: DagTab }
  | { page: 'run'; dagId: string; runId: string; tab: RunTab }
  /** A task in a run: an unmapped task's instance, or a mapped task's list of instances; with mapIndex, one of those. */
  | { page: 'task'; dagId: string; runId: string; taskId: string; mapIndex?: number }
  | { page: 'backfills' }
  | { page: 'assets' }
  | { page: 'pools' }
  | { page: 'audit' }
  | { page: 'connections' }
  | { page: 'variables' }
  | { page: 'not-found'; path: string };

export const DAG_TABS = ['grid', 'graph', 'runs', 'backfills', 'details', 'code', 'durations', 'audit'] as const;
export type DagTab = (typeof DAG_TABS)[number];

/** A run page's views: its task instances (no suffix) and the Gantt chart of their tries. */
export const RUN_TABS = ['instances', 'gantt'] as const;
export type RunTab = (typeof RUN_TABS)[number];

const enc = encodeURIComponent;

export const href = {
  dags: () => '/',
  backfills: () => '/backfills',
  /** With a URI: that asset's events shown below the list. */
  pools: () => '/pools',
  audit: () => '/audit',
  connections: () => '/connections',
  variables: () => '/variables',
  assets: (uri?: string) => `/assets${uri ? `?uri=${enc(uri)}` : ''}`,
  dag: (dagId: string, tab: DagTab = 'grid') => `/dags/${enc(dagId)}${tab === 'grid' ? '' : `/${tab}`}`,
  run: (dagId: string, runId: string, tab: RunTab = 'instances') => `/dags/${enc(dagId)}/runs/${enc(runId)}${tab === 'instances' ? '' : `/${tab}`}`,
  task: (dagId: string, runId: string, taskId: string, tryNumber?: number) =>
    `/dags/${enc(dagId)}/runs/${enc(runId)}/tasks/${enc(taskId)}${tryNumber ? `?try=${tryNumber}` : ''}`,
  /** One instance of a mapped task, under its task's page (which lists them all). */
  mappedInstance: (dagId: string, runId: string, taskId: string, mapIndex: number, tryNumber?: number) =>
    `/dags/${enc(dagId)}/runs/${enc(runId)}/tasks/${enc(taskId)}/${mapIndex}${tryNumber ? `?try=${tryNumber}` : ''}`,
};

/** A map index as a path segment writes it: 0, 1, … with no sign, leading zero or fraction. */
const MAP_INDEX = /^(0|[1-9][0-9]{0,8})$/;

/** The route a path names; segments are percent-decoded (ids may hold any character). */
export function parseRoute(path: string): Route {
  const segments = path.split('/').filter(Boolean);
  let parts: string[];
  try {
    parts = segments.map(decodeURIComponent);
  } catch {
    return { page: 'not-found', path };
  }
  const [first, dagId, third, runId, fifth, taskId, ...rest] = parts;
  if (parts.length === 0) return { page: 'dags' };
  if (first === 'dags' && parts.length === 1) return { page: 'dags' };
  if (first === 'backfills' && parts.length === 1) return { page: 'backfills' };
  if (first === 'assets' && parts.length === 1) return { page: 'assets' };
  if (first === 'pools' && parts.length === 1) return { page: 'pools' };
  if (first === 'audit' && parts.length === 1) return { page: 'audit' };
  if (first === 'connections' && parts.length === 1) return { page: 'connections' };
  if (first === 'variables' && parts.length === 1) return { page: 'variables' };
  if (first !== 'dags' || dagId === undefined) return { page: 'not-found', path };
  if (third === undefined) return { page: 'dag', dagId, tab: 'grid' };
  if ((DAG_TABS as readonly string[]).includes(third) && parts.length === 3) return { page: 'dag', dagId, tab: third as DagTab };
  if (third !== 'runs' || runId === undefined) return { page: 'not-found', path };
  if (fifth === undefined) return { page: 'run', dagId, runId, tab: 'instances' };
  if (fifth === 'gantt' && taskId === undefined) return { page: 'run', dagId, runId, tab: 'gantt' };
  if (fifth === 'tasks' && taskId !== undefined && rest.length === 0) return { page: 'task', dagId, runId, taskId };
  if (fifth === 'tasks' && taskId !== undefined && rest.length === 1 && MAP_INDEX.test(rest[0]!)) {
    return { page: 'task', dagId, runId, taskId, mapIndex: Number(rest[0]) };
  }
  return { page: 'not-found', path };
}
