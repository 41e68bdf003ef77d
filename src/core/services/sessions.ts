import { and, eq, gt } from 'drizzle-orm';
import type { Db } from '../store/client.js';
import { apiTokens, appSecrets, sessions } from '../store/schema/index.js';
import type { Actor } from '../domain/roles.js';
import { actorOf, findUsableToken, tokenUsable } from './tokens.js';
import { randomHex } from '../domain/random.js';

export const SESSION_COOKIE = 'cw_session';
export const SESSION_HOURS = 12;

/** The key that signs session cookies: made once per database, so restarts keep people signed in. */
export async function sessionSigningKey(db: Db, now: number): Promise<string> {
  const [existing] = await db.select().from(appSecrets).where(eq(appSecrets.name, 'session_cookie_key'));
  if (existing) return existing.value;
  await db.insert(appSecrets).values({ name: 'session_cookie_key', value: randomHex(32), createdAt: now }).onConflictDoNothing();
  const [row] = await db.select().from(appSecrets).where(eq(appSecrets.name, 'session_cookie_key'));
  return row!.value;
}

/** Signs in with an API token: a session tied to that token (revoking the token ends it). */
export async function openSession(db: Db, tokenSecret: string, now: number): Promise<{ id: string; actor: Actor } | null> {
  const token = await findUsableToken(db, tokenSecret, now);
  if (!token) return null;
  const id = randomHex(32);
  await db.insert(sessions).values({ id, tokenId: token.id, csrf: randomHex(24), createdAt: now, expiresAt: now + SESSION_HOURS * 3_600_000 });
  return { id, actor: actorOf(token) };
}

export interface SessionInfo {
  id: string;
  actor: Actor;
  csrf: string;
  expiresAt: number;
}

export async function resolveSession(db: Db, id: string, now: number): Promise<SessionInfo | null> {
  const [row] = await db
    .select({ session: sessions, token: apiTokens })
    .from(sessions)
    .innerJoin(apiTokens, eq(apiTokens.id, sessions.tokenId))
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, now)));
  if (!row || !tokenUsable(row.token, now)) return null;
  return { id, actor: actorOf(row.token), csrf: row.session.csrf, expiresAt: row.session.expiresAt };
}

export async function closeSession(db: Db, id: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, id));
}
