import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Planned work: alerts and incidents for the listed assets are suppressed while a window is
 * active; checks keep running. One-off (startsAt..endsAt) or recurring (cron in a time zone,
 * each occurrence lasting durationMinutes).
 */
export const maintenanceWindows = sqliteTable('maintenance_windows', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  key: text('key').notNull().unique(),
  title: text('title').notNull(),
  assetIds: text('asset_ids', { mode: 'json' }).$type<number[]>().notNull(),
  startsAt: integer('starts_at'),
  endsAt: integer('ends_at'),
  cron: text('cron'),
  timezone: text('timezone'),
  durationMinutes: integer('duration_minutes'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export type MaintenanceWindowRow = typeof maintenanceWindows.$inferSelect;
