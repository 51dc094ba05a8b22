/**
 * Users and roles (README, "Users and roles"): who may call what. Each role may do everything the
 * one before it may: a viewer reads; an operator also runs things (trigger, clear, mark, pause,
 * backfill, asset events); an admin also changes the installation's settings (pools, and
 * connections and variables).
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Someone the API knows by a token: `name` is who the audit log says did a change. */
export interface ApiUser {
  name: string;
  token: string;
  role: Role;
}

/** Who is calling: a configured user, or `anonymous` (an admin) when no token is configured at all. */
export interface Caller {
  name: string;
  role: Role;
}

/** Everyone when no token is configured: today's behaviour, a Sluice open to whoever reaches it. */
export const ANONYMOUS: Caller = Object.freeze({ name: 'anonymous', role: 'admin' });

/** Whether `role` may do what needs `least`. */
export function roleAllows(role: Role, least: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(least);
}

/** Every role that may do what needs `least`, least first: how errors and the API document say it. */
export function rolesAllowed(least: Role): Role[] {
  return ROLES.filter((role) => roleAllows(role, least));
}
