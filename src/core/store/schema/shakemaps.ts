import { integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { scenarios } from './drills.js';

/**
 * A USGS ShakeMap grid attached to an earthquake scenario (one per scenario). The grids are packed,
 * not a row per point: base64 of little-endian int16 per grid point, row-major from the north-west
 * corner — PGV as round(1000·log10(cm/s)) (−32768: no motion), MMI as round(100·MMI).
 */
export const scenarioShakemaps = sqliteTable('scenario_shakemaps', {
  scenarioId: integer('scenario_id').primaryKey().references(() => scenarios.id, { onDelete: 'cascade' }),
  eventId: text('event_id').notNull(),
  /** The header: magnitude, depth, epicentre, times, description, version, originator. */
  event: text('event', { mode: 'json' }).$type<Record<string, string | number | null>>().notNull(),
  lonMin: real('lon_min').notNull(),
  latMin: real('lat_min').notNull(),
  lonMax: real('lon_max').notNull(),
  latMax: real('lat_max').notNull(),
  nlon: integer('nlon').notNull(),
  nlat: integer('nlat').notNull(),
  pgv: text('pgv').notNull(),
  mmi: text('mmi'),
  /** Size of the uploaded file. */
  bytes: integer('bytes').notNull(),
  attachedAt: integer('attached_at').notNull(),
  attachedBy: text('attached_by').notNull(),
});

export type ScenarioShakemapRow = typeof scenarioShakemaps.$inferSelect;
