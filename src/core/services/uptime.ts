import { eq } from 'drizzle-orm';
import { assets, missionFunctions } from '../store/schema/index.js';
import { NotFoundError } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import { availability, type Availability } from '../monitor/history.js';
import type { ServiceContext } from './context.js';
import { DAY_MS } from '../domain/time.js';

const WINDOWS = { '24h': DAY_MS, '30d': 30 * DAY_MS, '90d': 90 * DAY_MS } as const;

/** Availability over 24 h, 30 d and 90 d, from the rollups. */
export async function uptimeOf(ctx: ServiceContext, subject: { kind: 'asset' | 'function'; id: number }): Promise<Record<keyof typeof WINDOWS, Availability>> {
  authorize(ctx.actor, 'read');
  const table = subject.kind === 'asset' ? assets : missionFunctions;
  const [exists] = await ctx.db.select({ id: table.id }).from(table).where(eq(table.id, subject.id));
  if (!exists) throw new NotFoundError(subject.kind === 'asset' ? 'asset' : 'mission function', subject.id);
  const now = ctx.now();
  const entries = await Promise.all(
    Object.entries(WINDOWS).map(async ([name, ms]) => [name, await availability(ctx.db, subject, now, ms)] as const),
  );
  return Object.fromEntries(entries) as Record<keyof typeof WINDOWS, Availability>;
}
