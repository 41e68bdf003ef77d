import { eq } from 'drizzle-orm';
import type { Db } from '../store/client.js';
import { checks, pushHeartbeats } from '../store/schema/index.js';
import { NotFoundError } from '../domain/errors.js';

export interface Heartbeat {
  status: 'up' | 'degraded' | 'down';
  message?: string;
  metrics?: Record<string, number>;
}

/** Records a heartbeat from an asset behind a firewall. The secret in the URL is the credential. */
export async function recordHeartbeat(db: Db, token: string, heartbeat: Heartbeat, now: number): Promise<{ checkKey: string }> {
  const [check] = await db.select({ id: checks.id, key: checks.key }).from(checks).where(eq(checks.pushToken, token));
  if (!check) throw new NotFoundError('push check for token', `${token.slice(0, 4)}…`);
  const row = { at: now, status: heartbeat.status, message: heartbeat.message ?? null, metrics: heartbeat.metrics ?? null };
  await db.insert(pushHeartbeats).values({ checkId: check.id, ...row }).onConflictDoUpdate({ target: pushHeartbeats.checkId, set: row });
  return { checkKey: check.key };
}
