import { createMiddleware } from 'hono/factory';
import { UnauthenticatedError } from '../domain/errors.js';
import { authorize, type Permission } from '../domain/roles.js';
import { authenticateToken } from '../services/tokens.js';
import type { AppEnv } from './env.js';

/** Reads the bearer token, if any. A token that is given but not valid is refused outright. */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization');
  if (header === undefined) {
    c.set('actor', null);
    return next();
  }
  const match = /^Bearer\s+(\S{1,512})$/i.exec(header);
  if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>"');
  const actor = await authenticateToken(c.get('db'), match[1]!, c.get('now')());
  if (!actor) throw new UnauthenticatedError('The token is unknown, revoked or expired');
  c.set('actor', actor);
  return next();
});

/** Route guard: 401 without a token, 403 when the token's role is too low. Runs before validation. */
export function requires(permission: Permission) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const actor = c.get('actor');
    if (!actor) throw new UnauthenticatedError();
    authorize(actor, permission);
    return next();
  });
}
