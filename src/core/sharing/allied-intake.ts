// Taking in an ally's shared feed (their GET /api/sharing/objects and /api/sharing/feed): what
// they send is checked against these schemas (it is another organisation's input), and each page
// commits with the cursor that passes it, so a crash on either side loses nothing and a page read
// twice changes nothing (events are kept once by their id there).
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Statement } from '../store/client.js';
import type { WriteContext } from '../store/context.js';
import { recordEvent } from '../store/events.js';
import { alliedEvents, alliedItems, alliedSources } from '../store/schema/index.js';
import { markingSchema, SHARED_KINDS } from '../domain/marking.js';

const name = z.string().min(1).max(200);
const key = z.string().min(1).max(120);
const marking = markingSchema.nullable();

export const alliedSnapshotSchema = z.object({
  assets: z.array(z.object({ key, name, status: z.string().max(40), marking })).max(50_000),
  functions: z.array(z.object({ key, name, status: z.string().max(40), marking })).max(50_000),
  cursor: z.string().regex(/^\d{1,15}$/),
});
export type AlliedSnapshot = z.infer<typeof alliedSnapshotSchema>;

const feedItem = z.object({
  id: z.number().int().positive(),
  type: z.string().max(60),
  at: z.string().max(40),
  subject: z.object({ kind: z.enum(SHARED_KINDS), key }),
  drill: z.boolean(),
  marking,
  data: z.record(z.string(), z.unknown()),
});
export const alliedFeedPageSchema = z.object({
  items: z.array(feedItem).max(500),
  nextCursor: z.string().regex(/^\d{1,15}$/),
  hasMore: z.boolean(),
});
export type AlliedFeedPage = z.infer<typeof alliedFeedPageSchema>;
type FeedItem = z.infer<typeof feedItem>;

function upsertItem(db: Db, sourceId: number, item: { kind: string; key: string; name: string; status: string; marking: AlliedSnapshot['assets'][number]['marking']; drill: boolean }, now: number) {
  return db
    .insert(alliedItems)
    .values({ sourceId, ...item, updatedAt: now })
    .onConflictDoUpdate({
      target: [alliedItems.sourceId, alliedItems.kind, alliedItems.key],
      set: { name: item.name, status: item.status, marking: item.marking, drill: item.drill, updatedAt: now },
    });
}

const passCursor = (db: Db, sourceId: number, cursor: string, now: number) =>
  db.update(alliedSources).set({ cursor: Number(cursor), lastSuccessAt: now, lastError: null }).where(eq(alliedSources.id, sourceId));

/** Tells the watch floor (on the live stream) that an ally's tiles changed. */
const announce = (ctx: WriteContext, source: { id: number; name: string }, events: number) =>
  recordEvent(ctx, { type: 'allied.updated', subjectKind: 'allied', subjectId: source.id, subjectKey: source.name, data: { source: source.name, events } });

/** The ally's whole current picture replaces ours of it; the feed then follows from its cursor. */
export function snapshotStatements(ctx: WriteContext, source: { id: number; name: string }, snapshot: AlliedSnapshot, now: number): Statement[] {
  const { db } = ctx;
  const sourceId = source.id;
  return [
    announce(ctx, source, 0),
    db.delete(alliedItems).where(eq(alliedItems.sourceId, sourceId)),
    ...snapshot.assets.map((a) => upsertItem(db, sourceId, { kind: 'asset', ...a, drill: false }, now)),
    ...snapshot.functions.map((f) => upsertItem(db, sourceId, { kind: 'function', ...f, drill: false }, now)),
    passCursor(db, sourceId, snapshot.cursor, now),
  ];
}

/** A status change of an asset or function updates its tile; a retraction removes it. */
function itemChange(db: Db, sourceId: number, e: FeedItem, now: number): Statement[] {
  const { kind, key: itemKey } = e.subject;
  if (e.type === 'sharing.retracted') {
    return [db.delete(alliedItems).where(sql`${alliedItems.sourceId} = ${sourceId} and ${alliedItems.kind} = ${kind} and ${alliedItems.key} = ${itemKey}`)];
  }
  const status = typeof e.data.status === 'string' ? e.data.status : null;
  const itemName = e.data[kind === 'asset' ? 'assetName' : 'functionName'];
  if ((kind !== 'asset' && kind !== 'function') || !status) return [];
  return [upsertItem(db, sourceId, { kind, key: itemKey, name: typeof itemName === 'string' ? itemName : itemKey, status, marking: e.marking, drill: e.drill }, now)];
}

export function feedStatements(ctx: WriteContext, source: { id: number; name: string }, page: AlliedFeedPage, now: number): Statement[] {
  const { db } = ctx;
  const sourceId = source.id;
  return [
    ...(page.items.length ? [announce(ctx, source, page.items.length)] : []),
    ...page.items.flatMap((e) => [
      db.insert(alliedEvents).values({ sourceId, remoteId: e.id, type: e.type, at: Date.parse(e.at) || now, drill: e.drill, data: { subject: e.subject, ...e.data }, receivedAt: now }).onConflictDoNothing(),
      ...itemChange(db, sourceId, e, now),
    ]),
    passCursor(db, sourceId, page.nextCursor, now),
  ];
}
