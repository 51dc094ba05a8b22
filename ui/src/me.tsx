/**
 * Who is using the UI (GET /me: the token's user and role), for the header and for hiding what
 * the role may not do. The API refuses it anyway (403); hiding only spares people buttons that
 * cannot work. Until the answer is in, nothing that changes things is shown: a viewer never sees
 * a trigger button flash up.
 */
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { roleAllows, type Role } from '../../src/core/roles.ts';
import { api } from './api.ts';
import { usePoll } from './hooks.ts';
import type { CurrentUser } from './types.ts';

const Me = createContext<CurrentUser | undefined>(undefined);

export function MeProvider({ children }: { children: ComponentChildren }) {
  // A role changes only with the token (refreshAll asks again then): a minute is often enough.
  const me = usePoll('me', (signal) => api.me({ signal }), 60_000);
  return <Me.Provider value={me.data}>{children}</Me.Provider>;
}

export const useMe = (): CurrentUser | undefined => useContext(Me);

/** Whether the user may do what needs `least` (README, "Users and roles"). */
export function useCan(least: Role): boolean {
  const me = useMe();
  return me !== undefined && roleAllows(me.role, least);
}

/** Its children only for a user whose role is `role` or above. */
export function Can({ role, children }: { role: Role; children: ComponentChildren }) {
  return useCan(role) ? <>{children}</> : null;
}
