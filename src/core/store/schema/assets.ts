import { markingColumn } from './sharing.js';
import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import { ASSET_KINDS, CRITICALITIES, LINK_MEDIA } from '../../domain/enums.js';

export const assets = sqliteTable(
  'assets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull().unique(),
    kind: text('kind', { enum: ASSET_KINDS }).notNull(),
    name: text('name').notNull(),
    description: text('description'),
    lat: real('lat'),
    lon: real('lon'),
    altM: real('alt_m'),
    region: text('region'),
    operator: text('operator'),
    vendor: text('vendor'),
    model: text('model'),
    firmware: text('firmware'),
    managementNetwork: text('management_network'),
    gridRegion: text('grid_region'),
    backupPowerHours: real('backup_power_hours'),
    // Site soil: average S-wave velocity of the top 30 m (m/s), for earthquake what-ifs.
    avs30: real('avs30'),
    criticality: text('criticality', { enum: CRITICALITIES }).notNull().default('medium'),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    // Network links only: the two endpoints and the SLA the link is held to.
    linkFromAssetId: integer('link_from_asset_id').references((): AnySQLiteColumn => assets.id, {
      onDelete: 'set null',
    }),
    linkToAssetId: integer('link_to_asset_id').references((): AnySQLiteColumn => assets.id, {
      onDelete: 'set null',
    }),
    slaLatencyMs: real('sla_latency_ms'),
    slaJitterMs: real('sla_jitter_ms'),
    slaLossPct: real('sla_loss_pct'),
    /** Network links only: fibre, satellite, microwave or hf (null on other assets). */
    linkMedium: text('link_medium', { enum: LINK_MEDIA }),
    /**
     * The assets this one cannot work without (upstream): null infers them (a station or region
     * depends on the links that touch it); a list, even empty, replaces the inference.
     */
    dependsOn: text('depends_on', { mode: 'json' }).$type<number[] | null>(),
    /** Sharing marking (domain/marking.ts); null: not releasable. */
    marking: markingColumn(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('assets_kind_idx').on(t.kind),
    index('assets_operator_idx').on(t.operator),
    index('assets_link_from_idx').on(t.linkFromAssetId),
    index('assets_link_to_idx').on(t.linkToAssetId),
  ],
);

export type AssetRow = typeof assets.$inferSelect;
