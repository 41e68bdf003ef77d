// What partners read: the shared feed (events with a cursor), the shared objects (the current
// picture, to start from), and the audit of every crossing. Release and redaction: sharing/release.ts.
import { and, asc, desc, gt, inArray } from 'drizzle-orm';
import { commitAtomically } from '../store/client.js';
import { events } from '../store/schema/index.js';
import { authorize } from '../domain/roles.js';
import { auditStatements, readAudit, type Crossing } from '../sharing/audit.js';
import { drillKeysOfRuns, loadSharingDirectory } from '../sharing/directory.js';
import { SHARED_EVENT_TYPES, sharedAsset, sharedEvent, sharedFunction, sharedIncident, type SharedEvent } from '../sharing/release.js';
import { decodeCursor, toPage } from './pagination.js';
import type { ServiceContext } from './context.js';
import { partnerOfActor } from './partners.js';

export interface FeedQuery {
  /** The last event id the partner has (0: from the start). */
  cursor: number;
  limit: number;
}

/**
 * The events released to the partner's country after `cursor`, redacted. `nextCursor` passes
 * every event looked at, shared or not, so a follower never reads the same stretch twice.
 */
export async function readSharedFeed(ctx: ServiceContext, query: FeedQuery) {
  const partner = await partnerOfActor(ctx);
  const rows = await ctx.db
    .select()
    .from(events)
    .where(and(gt(events.id, query.cursor), inArray(events.type, [...SHARED_EVENT_TYPES])))
    .orderBy(asc(events.id))
    .limit(query.limit);
  const dir = await loadSharingDirectory(ctx.db);
  const runs = await drillKeysOfRuns(ctx.db, [...new Set(rows.flatMap((r) => (r.drillRunId === null ? [] : [r.drillRunId])))]);
  const items = rows.flatMap((row) => sharedEvent(dir, row, partner.country, (id) => runs.get(id)) ?? []);
  const crossings = items.map((e): Crossing => ({ ...e.subject, marking: e.marking, eventId: e.id, retracted: e.type === 'sharing.retracted' }));
  await commitAtomically(ctx.db, auditStatements(ctx.db, partner.id, 'feed', ctx.now(), crossings));
  const last = rows[rows.length - 1]?.id ?? query.cursor;
  return { partner: { key: partner.key, name: partner.name, country: partner.country }, items, nextCursor: String(last), hasMore: rows.length === query.limit };
}
export type SharedFeedItem = SharedEvent;

/** The current picture released to the partner's country, and the feed cursor to follow it from. */
export async function readSharedObjects(ctx: ServiceContext, channel: 'feed' | 'taxii' = 'feed') {
  const partner = await partnerOfActor(ctx);
  const [latest] = await ctx.db.select({ id: events.id }).from(events).orderBy(desc(events.id)).limit(1);
  const dir = await loadSharingDirectory(ctx.db);
  const country = partner.country;
  const assets = [...dir.asset.keys()].flatMap((k) => sharedAsset(dir, k, country) ?? []);
  const functions = [...dir.function.keys()].flatMap((k) => sharedFunction(dir, k, country) ?? []);
  const incidents = [...dir.incident.keys()].flatMap((k) => sharedIncident(dir, k, country) ?? []);
  const crossings: Crossing[] = [
    ...assets.map((a) => ({ kind: 'asset' as const, key: a.key, marking: a.marking })),
    ...functions.map((f) => ({ kind: 'function' as const, key: f.key, marking: f.marking })),
    ...incidents.map((i) => ({ kind: 'incident' as const, key: i.ref, marking: i.marking })),
  ];
  await commitAtomically(ctx.db, auditStatements(ctx.db, partner.id, channel, ctx.now(), crossings));
  return { partner: { key: partner.key, name: partner.name, country }, assets, functions, incidents, cursor: String(latest?.id ?? 0) };
}
export type SharedObjects = Awaited<ReturnType<typeof readSharedObjects>>;

/** Newest first; the cursor pages back to older entries. */
export async function listSharingAudit(ctx: ServiceContext, query: { partner?: string; cursor?: string; limit: number }) {
  authorize(ctx.actor, 'manageSharing');
  const before = decodeCursor(query.cursor) || undefined;
  return toPage(await readAudit(ctx.db, { partner: query.partner, before, limit: query.limit + 1 }), query.limit, (entry) => entry);
}
