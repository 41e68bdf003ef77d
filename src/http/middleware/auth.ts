import { createMiddleware } from 'hono/factory';
import { UnauthenticatedError } from '../../core/domain/errors.js';
import { authorize, type Permission } from '../../core/domain/roles.js';
import { authenticateToken } from '../../core/services/tokens.js';
import type { AppEnv } from '../env.js';

/**
 * Reads the bearer token, if any. A token that is given but not valid is refused outright and
 * counts as a failed attempt for the client's address; an address with too many recent failures
 * is refused with 429 before its token is looked at.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization');
  if (header === undefined) {
    c.set('actor', null);
    return next();
  }
  const failures = c.get('failedAttempts');
  const now = c.get('now')();
  const address = failures.addressOf(c);
  failures.assertMayTry(c, address, now);
  const match = /^Bearer\s+(\S{1,512})$/i.exec(header);
  if (!match) {
    failures.record(address, now);
    throw new UnauthenticatedError('The Authorization header must be "Bearer <token>"');
  }
  const actor = await authenticateToken(c.get('db'), match[1]!, now);
  if (!actor) {
    failures.record(address, now);
    throw new UnauthenticatedError('The token is unknown, revoked or expired');
  }
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
