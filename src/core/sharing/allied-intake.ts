// Taking in an ally's shared feed (their GET /api/sharing/objects and /api/sharing/feed, and the
// items they push): what they send is checked against these schemas (it is another organisation's
// input), and each page commits with the cursor that passes it, so a crash on either side loses
// nothing. A page read twice or an item both pushed and pulled changes nothing the second time:
// events are kept once by their id, and a tile only moves to a later feed id than it holds.
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

export const alliedFeedItemSchema = z.object({
  id: z.number().int().positive(),
  type: z.string().max(60),
  at: z.string().max(40),
  subject: z.object({ kind: z.enum(SHARED_KINDS), key }),
  drill: z.boolean(),
  marking,
  data: z.record(z.string(), z.unknown()),
});
export const alliedFeedPageSchema = z.object({
  items: z.array(alliedFeedItemSchema).max(500),
  nextCursor: z.string().regex(/^\d{1,15}$/),
  hasMore: z.boolean(),
});
export type AlliedFeedPage = z.infer<typeof alliedFeedPageSchema>;
type FeedItem = z.infer<typeof alliedFeedItemSchema>;

interface ItemState {
  kind: string;
  key: string;
  name: string;
  status: string;
  marking: AlliedSnapshot['assets'][number]['marking'];
  drill: boolean;
  /** The ally's feed id this state comes from. */
  remoteEventId: number;
  retracted?: boolean;
}

/** Writes a tile's state unless the tile already holds a later one (pushes and pages can arrive in any order, and twice). */
function upsertItem(db: Db, sourceId: number, item: ItemState, now: number) {
  const state = { ...item, retracted: item.retracted ?? false, updatedAt: now };
  return db
    .insert(alliedItems)
    .values({ sourceId, ...state })
    .onConflictDoUpdate({
      target: [alliedItems.sourceId, alliedItems.kind, alliedItems.key],
      set: { name: state.name, status: state.status, marking: state.marking, drill: state.drill, remoteEventId: state.remoteEventId, retracted: state.retracted, updatedAt: now },
      setWhere: sql`excluded.remote_event_id > ${alliedItems.remoteEventId}`,
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
    ...snapshot.assets.map((a) => upsertItem(db, sourceId, { kind: 'asset', ...a, drill: false, remoteEventId: Number(snapshot.cursor) }, now)),
    ...snapshot.functions.map((f) => upsertItem(db, sourceId, { kind: 'function', ...f, drill: false, remoteEventId: Number(snapshot.cursor) }, now)),
    passCursor(db, sourceId, snapshot.cursor, now),
  ];
}

/** A status change of an asset or function updates its tile; a retraction hides it (for good, unless a later event brings it back). */
function itemChange(db: Db, sourceId: number, e: FeedItem, now: number): Statement[] {
  const { kind, key: itemKey } = e.subject;
  if (kind !== 'asset' && kind !== 'function') return [];
  if (e.type === 'sharing.retracted') {
    return [upsertItem(db, sourceId, { kind, key: itemKey, name: itemKey, status: 'retracted', marking: e.marking, drill: false, remoteEventId: e.id, retracted: true }, now)];
  }
  const status = typeof e.data.status === 'string' ? e.data.status : null;
  const itemName = e.data[kind === 'asset' ? 'assetName' : 'functionName'];
  if (!status) return [];
  return [upsertItem(db, sourceId, { kind, key: itemKey, name: typeof itemName === 'string' ? itemName : itemKey, status, marking: e.marking, drill: e.drill, remoteEventId: e.id }, now)];
}

/** One feed item taken in: kept once by its id, and its tile moved forward. */
const itemStatements = (db: Db, sourceId: number, e: FeedItem, now: number): Statement[] => [
  db.insert(alliedEvents).values({ sourceId, remoteId: e.id, type: e.type, at: Date.parse(e.at) || now, drill: e.drill, data: { subject: e.subject, ...e.data }, receivedAt: now }).onConflictDoNothing(),
  ...itemChange(db, sourceId, e, now),
];

export function feedStatements(ctx: WriteContext, source: { id: number; name: string }, page: AlliedFeedPage, now: number): Statement[] {
  return [
    ...(page.items.length ? [announce(ctx, source, page.items.length)] : []),
    ...page.items.flatMap((e) => itemStatements(ctx.db, source.id, e, now)),
    passCursor(ctx.db, source.id, page.nextCursor, now),
  ];
}

/** One pushed item: applied like a page's, but the cursor stays (the pull still reads every event, so a gap before it is filled). */
export function pushStatements(ctx: WriteContext, source: { id: number; name: string }, item: FeedItem, now: number): Statement[] {
  return [announce(ctx, source, 1), ...itemStatements(ctx.db, source.id, item, now)];
}
