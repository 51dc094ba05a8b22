/**
 * Every task instance of a run, or of one task in it, however many pages of the list API they
 * take: a mapped task may have 10,000 instances, ten pages. Polled, less often when large.
 */
import { useRef } from 'preact/hooks';
import { api } from './api.ts';
import { LIVE_INTERVAL_MS, usePoll, type Polled } from './hooks.ts';
import type { TaskInstance, TaskInstanceList } from './types.ts';

/** Above one page of the list API, poll every 5 s: each poll reads every page. */
const LARGE = 1000;
const LARGE_MS = 5000;

/**
 * In the list's order (task, then map index). The same array while no page of the answer changed,
 * so an unchanged poll re-renders nothing. runId null: nothing to fetch yet.
 */
export function useTaskInstances(
  dagId: string,
  runId: string | null,
  { taskId, intervalMs = LIVE_INTERVAL_MS }: { taskId?: string; intervalMs?: number } = {},
): Polled<TaskInstance[]> {
  const last = useRef<{ key: string; pages: TaskInstanceList[]; all: TaskInstance[] } | undefined>(undefined);
  const key = runId === null ? null : JSON.stringify(['task-instances', dagId, runId, taskId ?? null]);
  const large = last.current?.key === key && last.current.all.length > LARGE;
  return usePoll(
    key,
    async (signal) => {
      const pages = await api.taskInstances.listPages(dagId, runId!, taskId === undefined ? {} : { taskId }, { signal });
      const previous = last.current;
      if (previous?.key === key && previous.pages.length === pages.length && pages.every((p, i) => p === previous.pages[i])) return previous.all;
      last.current = { key: key!, pages, all: pages.flatMap((p) => p.taskInstances) };
      return last.current.all;
    },
    large ? LARGE_MS : intervalMs,
  );
}
