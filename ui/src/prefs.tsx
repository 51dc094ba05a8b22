/** Preferences every page reads: which zone times are shown in. */
import { createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { useStoredState } from './hooks.ts';
import type { TimeZoneMode } from './lib/format.ts';

const ZONES = ['local', 'utc'] as const;

interface Prefs {
  zone: TimeZoneMode;
  setZone: (zone: TimeZoneMode) => void;
}

const PrefsContext = createContext<Prefs>({ zone: 'local', setZone: () => undefined });

export function PrefsProvider({ children }: { children: ComponentChildren }) {
  const [zone, setZone] = useStoredState<TimeZoneMode>('sluice.timeZone', 'local', ZONES);
  return <PrefsContext.Provider value={{ zone, setZone }}>{children}</PrefsContext.Provider>;
}

export const usePrefs = () => useContext(PrefsContext);
