import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Marking } from '../../domain/marking.js';

/** The sharing marking column every shareable record has; null: unmarked, not releasable. */
export const markingColumn = () => text('marking', { mode: 'json' }).$type<Marking | null>();

/** An allied organisation we share with; its `partner` tokens read what is released to `country`. */
export const partners = sqliteTable('partners', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  key: text('key').notNull().unique(),
  name: text('name').notNull(),
  /** ISO 3166-1 alpha-3. */
  country: text('country').notNull(),
  createdAt: integer('created_at').notNull(),
  /** Set when revoked: its tokens are revoked with it and every feed stops. */
  revokedAt: integer('revoked_at'),
});

/** Every item that crossed to a partner: what, to whom, under which marking, when, and by which channel. */
export const sharingAudit = sqliteTable(
  'sharing_audit',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    partnerId: integer('partner_id').notNull(),
    /** `feed`, `taxii`. */
    channel: text('channel').notNull(),
    /** `sent`, or `retracted` (a retraction notice went). */
    action: text('action').notNull(),
    itemKind: text('item_kind').notNull(),
    itemKey: text('item_key').notNull(),
    /** The event shared, when the item is one. */
    eventId: integer('event_id'),
    marking: markingColumn(),
  },
  (t) => [index('sharing_audit_partner_idx').on(t.partnerId, t.id)],
);

/** A coopwatch we follow (an ally's): its feed, our partner token there, and how far we have read. */
export const alliedSources = sqliteTable('allied_sources', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** The owner, as shown on allied tiles. */
  name: text('name').notNull().unique(),
  url: text('url').notNull(),
  token: text('token').notNull(),
  /** The `whsec_` secret the ally signs its pushes to us with (set at pairing); null: we only pull. */
  pushSecret: text('push_secret'),
  /** The last feed event id taken in, committed with what it brought. */
  cursor: integer('cursor').notNull().default(0),
  lastSuccessAt: integer('last_success_at'),
  lastError: text('last_error'),
  createdAt: integer('created_at').notNull(),
});

/** The current picture of an ally's shared assets and functions, as its feed last said. */
export const alliedItems = sqliteTable(
  'allied_items',
  {
    sourceId: integer('source_id')
      .notNull()
      .references(() => alliedSources.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    status: text('status').notNull(),
    marking: markingColumn(),
    /** The status comes from a drill on the owner's side. */
    drill: integer('drill', { mode: 'boolean' }).notNull().default(false),
    /** The ally's feed id of the event this state came from: an older one (a late push, a page read again) never overwrites it. */
    remoteEventId: integer('remote_event_id').notNull().default(0),
    /** Withdrawn by its owner: kept (hidden) so an older event arriving late cannot bring it back. */
    retracted: integer('retracted', { mode: 'boolean' }).notNull().default(false),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sourceId, t.kind, t.key] })],
);

/** The ally's shared events, each once (its feed id), for the timeline and drills shown as drills. */
export const alliedEvents = sqliteTable(
  'allied_events',
  {
    sourceId: integer('source_id')
      .notNull()
      .references(() => alliedSources.id, { onDelete: 'cascade' }),
    remoteId: integer('remote_id').notNull(),
    type: text('type').notNull(),
    at: integer('at').notNull(),
    drill: integer('drill', { mode: 'boolean' }).notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sourceId, t.remoteId] })],
);

export type PartnerRow = typeof partners.$inferSelect;
