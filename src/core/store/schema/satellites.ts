import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Satellites whose passes ground stations are checked against, with their orbital elements. */
export const satellites = sqliteTable('satellites', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  key: text('key').notNull().unique(),
  name: text('name').notNull(),
  noradId: integer('norad_id'),
  /** TLE or OMM elements as given (see src/core/domain/orbits/elements.ts). */
  elements: text('elements', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  epochMs: integer('epoch_ms').notNull(),
  /** Where the elements came from: the apply file, a synthetic orbit, or the GP feed. */
  source: text('source', { enum: ['file', 'orbit', 'feed'] }).notNull(),
  /** For synthetic elements: the stated orbit they were generated from. */
  orbit: text('orbit', { mode: 'json' }).$type<Record<string, unknown>>(),
  updatedAt: integer('updated_at').notNull(),
});

export type SatelliteRow = typeof satellites.$inferSelect;
