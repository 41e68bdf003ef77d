import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { CHECK_KINDS } from '../../domain/enums.js';
import { assets } from './assets.js';

/** Check definitions. Kind-specific settings (url, port, record type…) live in `settings`. */
export const checks = sqliteTable(
  'checks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull().unique(),
    assetId: integer('asset_id')
      .notNull()
      .references(() => assets.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: CHECK_KINDS }).notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    intervalSeconds: integer('interval_seconds'),
    cron: text('cron'),
    timezone: text('timezone'),
    timeoutMs: integer('timeout_ms').notNull().default(10_000),
    failureThreshold: integer('failure_threshold').notNull().default(3),
    successThreshold: integer('success_threshold').notNull().default(2),
    settings: text('settings', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** A push check's `settings.token`, kept in its own column so heartbeats find the check by index. */
    pushToken: text('push_token').unique(),
    /** The vantages that run the check, by name; null: the central monitor alone. */
    vantages: text('vantages', { mode: 'json' }).$type<string[]>(),
    /** How many vantages must see it down; null: a majority of `vantages`. */
    quorum: integer('quorum'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('checks_asset_idx').on(t.assetId),
  ],
);

export type CheckRow = typeof checks.$inferSelect;
