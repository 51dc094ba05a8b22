import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { apiUsers, type Config } from '../config.ts';
import { ANONYMOUS, type Caller } from '../core/roles.ts';
import { SluiceError } from '../errors.ts';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

const HOW = 'send your token (SLUICE_API_TOKEN, or yours in SLUICE_API_TOKENS) as "Authorization: Bearer <token>"';

/**
 * `Authorization: Bearer <token>` on every request when any token is configured; the caller it
 * names (user and role) is kept for the route's role check (registerRoutes) and the audit log.
 * Both sides are hashed first, so each comparison takes the same time whatever the length or
 * content of a guess, and the guess is compared with every token, with no early exit, so the time
 * taken does not tell which token (or how many) it was checked against before a match.
 */
export function authenticate(config: Pick<Config, 'apiToken' | 'apiTokens'>): RequestHandler {
  const users = apiUsers(config).map((u) => ({ caller: { name: u.name, role: u.role }, digest: digest(u.token) }));
  if (users.length === 0) {
    return (_req, res, next) => {
      res.locals.caller = ANONYMOUS;
      next();
    };
  }
  return (req, res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (match) {
      const presented = digest(match[1]!);
      let caller: Caller | undefined;
      for (const user of users) {
        const same = timingSafeEqual(presented, user.digest);
        caller = same ? user.caller : caller;
      }
      if (caller) {
        res.locals.caller = caller;
        next();
        return;
      }
    }
    res.set('WWW-Authenticate', 'Bearer realm="sluice"');
    next(
      new SluiceError(
        401,
        'unauthorized',
        !header
          ? `this Sluice requires an API token; ${HOW}`
          : match
            ? `the API token is wrong; ${HOW}`
            : 'the Authorization header must read "Bearer <token>", with your token (SLUICE_API_TOKEN, or yours in SLUICE_API_TOKENS)',
      ),
    );
  };
}

/** Who made this request, as `authenticate` found (it runs before every route). */
export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new Error('no caller: authenticate() must run before the routes');
  return caller;
}
