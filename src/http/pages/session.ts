import { getSignedCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import { roleAtLeast, PERMISSIONS, type Permission } from '../../core/domain/roles.js';
import { resolveSession, SESSION_COOKIE, sessionSigningKey, type SessionInfo } from '../../core/services/sessions.js';
import { constantTimeEqual } from '../../core/services/tokens.js';
import type { AppEnv } from '../env.js';
import type { ServiceContext } from '../../core/services/context.js';

export type PageEnv = AppEnv & { Variables: AppEnv['Variables'] & { session: SessionInfo | null } };

/** Reads the signed session cookie, if any. */
export const readSession = createMiddleware<PageEnv>(async (c, next) => {
  const db = c.get('db');
  const now = c.get('now')();
  const id = await getSignedCookie(c, await sessionSigningKey(db, now), SESSION_COOKIE);
  const session = id ? await resolveSession(db, id, now) : null;
  c.set('session', session);
  c.set('actor', session?.actor ?? null);
  await next();
});

/** Pages behind sign-in: no session → the sign-in page; a role too low → 403. */
export function requirePage(permission: Permission) {
  return createMiddleware<PageEnv>(async (c, next) => {
    const session = c.get('session');
    if (!session) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    if (!roleAtLeast(session.actor.role, PERMISSIONS[permission])) {
      return c.html(`<!doctype html><title>Not allowed</title><p>This page needs the ${PERMISSIONS[permission]} role.</p><p><a href="/">Back</a></p>`, 403);
    }
    await next();
  });
}

/** Forms post the session's CSRF token as `_csrf`; anything else is refused. */
export async function verifyCsrf(c: Context<PageEnv>, form: Record<string, unknown>): Promise<boolean> {
  const session = c.get('session');
  return Boolean(session && typeof form._csrf === 'string' && constantTimeEqual(form._csrf, session.csrf));
}

export function pageContext(c: Context<PageEnv>): ServiceContext {
  const session = c.get('session');
  if (!session) throw new Error('pageContext needs a session');
  return { db: c.get('db'), actor: session.actor, now: c.get('now'), elementsMaxAgeDays: c.get('elementsMaxAgeDays') };
}
