import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { SluiceError } from '../errors.ts';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * `Authorization: Bearer <token>` on every request when a token is configured. Both sides are
 * hashed first so the comparison takes the same time whatever the length or content of a guess.
 */
export function requireToken(token: string | undefined): RequestHandler {
  if (!token) return (_req, _res, next) => next();
  const expected = digest(token);
  return (req, res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (match && timingSafeEqual(digest(match[1]!), expected)) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Bearer realm="sluice"');
    next(
      new SluiceError(
        401,
        'unauthorized',
        !header
          ? 'this Sluice requires an API token; send the one in SLUICE_API_TOKEN as "Authorization: Bearer <token>"'
          : match
            ? 'the API token is wrong; send the one in SLUICE_API_TOKEN as "Authorization: Bearer <token>"'
            : 'the Authorization header must read "Bearer <token>", with the token in SLUICE_API_TOKEN',
      ),
    );
  };
}
