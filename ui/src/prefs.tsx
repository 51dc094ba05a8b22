/** Preferences every page reads: which zone times are shown in, and which task groups are collapsed. */
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useMemo, useState } from 'preact/hooks';
import { useStoredState } from './hooks.ts';
import type { TimeZoneMode } from './lib/format.ts';

const ZONES = ['local', 'utc'] as const;

/** localStorage key of the collapsed groups: `{[dagId]: groupId[]}`, DAGs with none left out. */
const COLLAPSED_GROUPS_KEY = 'sluice.collapsedGroups';

type CollapsedGroups = Readonly<Record<string, readonly string[]>>;

interface Prefs {
  zone: TimeZoneMode;
  setZone: (zone: TimeZoneMode) => void;
  collapsedGroups: CollapsedGroups;
  setCollapsedGroups: (dagId: string, groupIds: readonly string[]) => void;
}

const PrefsContext = createContext<Prefs>({ zone: 'local', setZone: () => undefined, collapsedGroups: {}, setCollapsedGroups: () => undefined });

export function PrefsProvider({ children }: { children: ComponentChildren }) {
  const [zone, setZone] = useStoredState<TimeZoneMode>('sluice.timeZone', 'local', ZONES);
  const [collapsedGroups, setAll] = useState<CollapsedGroups>(readCollapsedGroups);
  const setCollapsedGroups = useCallback((dagId: string, groupIds: readonly string[]) => {
    setAll((all) => {
      const next: Record<string, readonly string[]> = { ...all, [dagId]: [...new Set(groupIds)] };
      if (groupIds.length === 0) delete next[dagId];
      localStorage.setItem(COLLAPSED_GROUPS_KEY, JSON.stringify(next));
      return next;
    });
  }, []);
  return <PrefsContext.Provider value={{ zone, setZone, collapsedGroups, setCollapsedGroups }}>{children}</PrefsContext.Provider>;
}

export const usePrefs = () => useContext(PrefsContext);

/**
 * The task groups of a DAG shown collapsed, kept across visits; the graph and the grid share
 * them, so a group folded in one is folded in the other. The set is the same object until it
 * changes, so it can key a memoised layout.
 */
export function useCollapsedGroups(dagId: string): [ReadonlySet<string>, (groupIds: Iterable<string>) => void] {
  const { collapsedGroups, setCollapsedGroups } = usePrefs();
  const stored = collapsedGroups[dagId];
  const collapsed = useMemo(() => new Set(stored ?? []), [stored]);
  const set = useCallback((groupIds: Iterable<string>) => setCollapsedGroups(dagId, [...groupIds]), [dagId, setCollapsedGroups]);
  return [collapsed, set];
}

/** What localStorage holds, or nothing if it holds something else (an older format, a hand edit). */
function readCollapsedGroups(): CollapsedGroups {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(COLLAPSED_GROUPS_KEY) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const entries = Object.entries(parsed).filter((entry): entry is [string, string[]] => Array.isArray(entry[1]) && entry[1].every((g) => typeof g === 'string'));
    return Object.fromEntries(entries);
  } catch {
    return {};
  }
}
