/**
 * Every try of every task instance of a run (the Gantt chart's bars), however many pages of the
 * API they take. Polled like the run's task instances (instances.ts): less often when large.
 */
import { useRef } from 'preact/hooks';
import { api } from './api.ts';
import { LIVE_INTERVAL_MS, usePoll, type Polled } from './hooks.ts';
import type { TaskTry, TaskTryList } from './types.ts';

const PAGE = 1000;
/** Above one page, poll every 5 s: each poll reads every page. */
const LARGE_MS = 5000;

/** The same array while no page of the answer changed, so an unchanged poll re-renders nothing. */
export function useRunTries(dagId: string, runId: string): Polled<TaskTry[]> {
  const last = useRef<{ pages: TaskTryList[]; all: TaskTry[] } | undefined>(undefined);
  const large = (last.current?.all.length ?? 0) > PAGE;
  return usePoll(
    JSON.stringify(['run-tries', dagId, runId]),
    async (signal) => {
      const first = await api.taskInstances.runTries(dagId, runId, { limit: PAGE }, { signal });
      const offsets: number[] = [];
      for (let offset = PAGE; offset < first.totalEntries; offset += PAGE) offsets.push(offset);
      const rest = await Promise.all(offsets.map((offset) => api.taskInstances.runTries(dagId, runId, { limit: PAGE, offset }, { signal })));
      const pages = [first, ...rest];
      const previous = last.current;
      if (previous && previous.pages.length === pages.length && pages.every((p, i) => p === previous.pages[i])) return previous.all;
      last.current = { pages, all: pages.flatMap((p) => p.taskInstanceTries) };
      return last.current.all;
    },
    large ? LARGE_MS : LIVE_INTERVAL_MS,
  );
}
