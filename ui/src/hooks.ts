/** Live data: every view polls what it shows, so states change on screen within about a second. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.ts';

/** How often a page refetches what it shows while the tab is visible. */
export const LIVE_INTERVAL_MS = 1000;

const refreshListeners = new Set<() => void>();

/** After an action (trigger, clear, mark, a new token): every view refetches now, not at its next tick. */
export function refreshAll(): void {
  for (const listener of refreshListeners) listener();
}

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** True until the first answer (or error) for the current key. */
  loading: boolean;
  reload: () => void;
}

/**
 * Fetches with `load` now and every `intervalMs` while the tab is visible; `key` names what is
 * fetched (a new key starts over). `load` should return the same object for an unchanged answer
 * (the API's reads do): the state then stays as it is and nothing re-renders. `key` null: nothing to
 * fetch (yet).
 */
export function usePoll<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>, intervalMs = LIVE_INTERVAL_MS): Polled<T> {
  const [state, setState] = useState<{ key: string | null; data?: T; error?: ApiError }>({ key });
  const loadRef = useRef(load);
  loadRef.current = load;
  const tick = useRef<() => void>(() => undefined);

  useEffect(() => {
    if (key === null) return;
    let stopped = false;
    let inFlight: AbortController | undefined;
    let timer: number | undefined;
    setState((s) => (s.key === key ? s : { key }));

    const run = async () => {
      window.clearTimeout(timer);
      if (inFlight || stopped) return;
      const controller = new AbortController();
      inFlight = controller;
      try {
        const data = await loadRef.current(controller.signal);
        if (!stopped) setState((s) => (s.key === key && s.data === data && !s.error ? s : { key, data }));
      } catch (error) {
        if (!stopped && (error as Error).name !== 'AbortError') {
          const apiError = error instanceof ApiError ? error : new ApiError(0, 'error', (error as Error).message);
          // Keep showing the last good data under the error: a blip should not blank the page.
          setState((s) => (s.key === key ? { ...s, error: apiError } : { key, error: apiError }));
        }
      } finally {
        inFlight = undefined;
        if (!stopped) timer = window.setTimeout(() => void runIfVisible(), intervalMs);
      }
    };
    const runIfVisible = () => (document.hidden ? (timer = window.setTimeout(() => void runIfVisible(), intervalMs)) : run());
    const runNow = () => void run();
    tick.current = runNow;
    const onVisible = () => {
      if (!document.hidden) void run();
    };
    refreshListeners.add(runNow);
    document.addEventListener('visibilitychange', onVisible);
    void run();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      inFlight?.abort();
      refreshListeners.delete(runNow);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [key, intervalMs]);

  const reload = useCallback(() => tick.current(), []);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: key !== null && (!current || (state.data === undefined && state.error === undefined)),
    reload,
  };
}

/**
 * The current time, updated every `intervalMs` while `ticking`: for "3 min ago" and the durations
 * of things still running (a finished one need not re-render).
 */
export function useNow(intervalMs = 1000, ticking = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs, ticking]);
  return now;
}

/** A value kept in localStorage: preferences that outlive the tab (time zone, grid size). */
export function useStoredState<T extends string>(key: string, fallback: T, allowed: readonly T[]): [T, (value: T) => void] {
  const read = (): T => {
    const stored = localStorage.getItem(key);
    return stored !== null && (allowed as readonly string[]).includes(stored) ? (stored as T) : fallback;
  };
  const [value, setValue] = useState<T>(read);
  const set = useCallback(
    (next: T) => {
      localStorage.setItem(key, next);
      setValue(next);
    },
    [key],
  );
  return [value, set];
}
