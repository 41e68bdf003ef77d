// Following an ally's coopwatch: the sources we read (admin registers each with the partner token
// the ally minted for us, and the push secret when it pushes too), the follow step a host runs on
// a timer (the gap-filler when a push goes missing; pushes land through allied-push.ts), and the
// allied picture the watch floor shows read-only, with its owner and a staleness mark when the feed
// goes quiet.
import { asc, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { commitAtomically } from '../store/client.js';
import { alliedEvents, alliedItems, alliedSources } from '../store/schema/index.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { authorize } from '../domain/roles.js';
import { isoTime } from '../domain/time.js';
import { alliedFeedPageSchema, alliedSnapshotSchema, feedStatements, snapshotStatements } from '../sharing/allied-intake.js';
import { pushSecretSchema } from '../sharing/push.js';
import type { ServiceContext } from './context.js';

/** A feed silent for longer than this (no successful read) is marked stale on the tiles. */
export const ALLIED_STALE_AFTER_MS = 15_000;
/** Feed pages read per source in one follow step, at most. */
const PAGES_PER_STEP = 20;

export const alliedSourceInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  url: z.url({ protocol: /^https?$/ }).max(2000),
  token: z.string().min(16).max(512),
  /** The secret the ally signs its pushes to us with (what it was given, or gave, at pairing): pushes then land at once. */
  pushSecret: pushSecretSchema.optional(),
});
export type AlliedSourceInput = z.infer<typeof alliedSourceInputSchema>;

function sourceView(row: typeof alliedSources.$inferSelect, now: number) {
  return {
    id: row.id, name: row.name, url: row.url, cursor: row.cursor, takesPushes: row.pushSecret !== null,
    lastSuccessAt: isoTime(row.lastSuccessAt), lastError: row.lastError,
    stale: row.lastSuccessAt === null || now - row.lastSuccessAt > ALLIED_STALE_AFTER_MS,
  };
}

export async function addAlliedSource(ctx: ServiceContext, input: AlliedSourceInput) {
  authorize(ctx.actor, 'manageSharing');
  const [taken] = await ctx.db.select({ id: alliedSources.id }).from(alliedSources).where(eq(alliedSources.name, input.name));
  if (taken) throw new ConflictError(`An allied source named "${input.name}" already exists`, [{ path: 'name', message: 'already in use', location: 'body' }]);
  await ctx.db.insert(alliedSources).values({ ...input, url: input.url.replace(/\/+$/, ''), createdAt: ctx.now() });
  const [row] = await ctx.db.select().from(alliedSources).where(eq(alliedSources.name, input.name));
  return sourceView(row!, ctx.now());
}

export async function deleteAlliedSource(ctx: ServiceContext, id: number) {
  authorize(ctx.actor, 'manageSharing');
  const [row] = await ctx.db.select({ id: alliedSources.id }).from(alliedSources).where(eq(alliedSources.id, id));
  if (!row) throw new NotFoundError('allied source', id);
  await ctx.db.delete(alliedSources).where(eq(alliedSources.id, id));
}

/** The allied picture: each source with its freshness, its shared assets and functions, and its latest events (drills marked). */
export async function loadAlliedPicture(ctx: ServiceContext) {
  authorize(ctx.actor, 'read');
  const now = ctx.now();
  const sources = await ctx.db.select().from(alliedSources).orderBy(asc(alliedSources.name));
  const items = await ctx.db.select().from(alliedItems).where(eq(alliedItems.retracted, false)).orderBy(asc(alliedItems.kind), asc(alliedItems.name));
  const events = await ctx.db.select().from(alliedEvents).orderBy(desc(alliedEvents.receivedAt), desc(alliedEvents.remoteId)).limit(50);
  return {
    sources: sources.map((s) => ({
      ...sourceView(s, now),
      items: items.filter((i) => i.sourceId === s.id).map((i) => ({ kind: i.kind, key: i.key, name: i.name, status: i.status, marking: i.marking, drill: i.drill, updatedAt: isoTime(i.updatedAt)! })),
      events: events.filter((e) => e.sourceId === s.id).map((e) => ({ id: e.remoteId, type: e.type, at: isoTime(e.at)!, drill: e.drill, data: e.data })),
    })),
  };
}
export type AlliedPicture = Awaited<ReturnType<typeof loadAlliedPicture>>;

/** How a host reads an ally's API: a GET with our partner token there. */
export type AlliedFetch = (url: string, token: string) => Promise<{ status: number; body: unknown }>;

/** One follow step for every source: the snapshot first (once), then feed pages until caught up. Errors are kept on the source. */
export async function followAlliedSources(ctx: ServiceContext, fetchJson: AlliedFetch): Promise<void> {
  for (const source of await ctx.db.select().from(alliedSources).orderBy(asc(alliedSources.id))) {
    try {
      await followSource(ctx, source, fetchJson);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await ctx.db.update(alliedSources).set({ lastError: message.slice(0, 500) }).where(eq(alliedSources.id, source.id));
    }
  }
}

async function followSource(ctx: ServiceContext, source: typeof alliedSources.$inferSelect, fetchJson: AlliedFetch) {
  const read = async <T>(path: string, schema: z.ZodType<T>): Promise<T> => {
    const res = await fetchJson(`${source.url}${path}`, source.token);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}${res.status === 401 ? ' (our partner token there is revoked or wrong)' : ''}`);
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) throw new Error(`${path} sent what a coopwatch feed does not: ${z.prettifyError(parsed.error).slice(0, 300)}`);
    return parsed.data;
  };
  let cursor = String(source.cursor);
  if (source.lastSuccessAt === null) {
    const snapshot = await read('/api/sharing/objects', alliedSnapshotSchema);
    await commitAtomically(ctx.db, snapshotStatements(ctx, source, snapshot, ctx.now()));
    cursor = snapshot.cursor;
  }
  for (let i = 0; i < PAGES_PER_STEP; i++) {
    const page = await read(`/api/sharing/feed?cursor=${cursor}&limit=500`, alliedFeedPageSchema);
    await commitAtomically(ctx.db, feedStatements(ctx, source, page, ctx.now()));
    cursor = page.nextCursor;
    if (!page.hasMore) return;
  }
}
