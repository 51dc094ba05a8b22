/**
 * SLUICE_API_TOKENS (README, "Users and roles"): `name:token:role` entries separated by commas,
 * read once at start-up. Every mistake names the entry (by position, never by its token) and says
 * how to write it instead, since a typo here locks people out or lets them in as the wrong role.
 */
import { ROLES, type ApiUser, type Role } from './roles.ts';

/** The user SLUICE_API_TOKEN stands for: an admin named `admin`. */
export const SINGLE_TOKEN_USER = 'admin';

const NAME = /^[A-Za-z0-9_.@-]{1,100}$/;
const SHAPE = 'write each entry as name:token:role, e.g. SLUICE_API_TOKENS="alice:tok1:admin,ci:tok2:operator"';

/** The user of SLUICE_API_TOKEN, if it is set. */
export function singleTokenUser(token: string | undefined): ApiUser[] {
  return token ? [{ name: SINGLE_TOKEN_USER, token, role: 'admin' }] : [];
}

/**
 * The users of SLUICE_API_TOKENS. Names and tokens are unique among them and the user of
 * SLUICE_API_TOKEN: a token shared by two users would make the audit log name the wrong one.
 */
export function parseApiTokens(text: string | undefined, singleToken: string | undefined): ApiUser[] {
  const users = singleTokenUser(singleToken);
  const entries = (text ?? '').split(',').map((entry) => entry.trim());
  if (entries.length === 1 && entries[0] === '') return [];
  entries.forEach((entry, i) => {
    const where = `SLUICE_API_TOKENS entry ${i + 1}`;
    if (entry === '') throw new Error(`${where} is empty (two commas in a row, or one at an end); remove it`);
    const parts = entry.split(':');
    if (parts.length !== 3) {
      throw new Error(`${where} has ${parts.length} part${parts.length === 1 ? '' : 's'} separated by ":", not 3 (a token may not contain ":" or ","); ${SHAPE}`);
    }
    const [name, token, role] = parts.map((p) => p.trim()) as [string, string, string];
    if (!NAME.test(name)) {
      throw new Error(`${where}: the name "${name}" must be 1 to 100 letters, digits, "_", ".", "@" or "-"; ${SHAPE}`);
    }
    if (token === '') throw new Error(`${where} (user "${name}") has an empty token; give it one, e.g. from "openssl rand -hex 32"`);
    if (/\s/.test(token)) throw new Error(`${where} (user "${name}"): the token contains whitespace, which an Authorization header cannot carry; pick another`);
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new Error(`${where} (user "${name}") has the role "${role}"; the roles are ${ROLES.join(', ')}`);
    }
    const twin = users.find((u) => u.name === name || u.token === token);
    if (twin) {
      const from = twin.name === SINGLE_TOKEN_USER && singleToken ? 'SLUICE_API_TOKEN' : 'SLUICE_API_TOKENS';
      throw new Error(
        twin.name === name
          ? `${where}: the name "${name}" is taken already (${from === 'SLUICE_API_TOKEN' ? 'SLUICE_API_TOKEN is the user "admin"' : 'by an earlier entry'}); give each user a name of its own`
          : `${where} (user "${name}") has the same token as the user "${twin.name}" (${from}); give each user a token of its own, so the audit log can tell them apart`,
      );
    }
    users.push({ name, token, role: role as Role });
  });
  return users.slice(singleToken ? 1 : 0);
}
