import { markingColumn } from './sharing.js';
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { assets } from './assets.js';
import { missionFunctions } from './functions.js';

/**
 * A public status page (`/status/{slug}`, no sign-in): which assets and functions appear, under
 * which public names and in which groups. Nothing that is not listed here is ever shown on it.
 */
export const statusPages = sqliteTable('status_pages', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  description: text('description'),
  showIncidents: integer('show_incidents', { mode: 'boolean' }).notNull().default(true),
  showMaintenance: integer('show_maintenance', { mode: 'boolean' }).notNull().default(true),
  marking: markingColumn(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * One component of a page: an asset or a mission function, never both, shown under its public
 * `name` in an optional group. Deleting the asset or function removes the component.
 */
export const statusPageComponents = sqliteTable(
  'status_page_components',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    pageId: integer('page_id')
      .notNull()
      .references(() => statusPages.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    groupName: text('group_name'),
    assetId: integer('asset_id').references(() => assets.id, { onDelete: 'cascade' }),
    functionId: integer('function_id').references(() => missionFunctions.id, { onDelete: 'cascade' }),
  },
  (t) => [
    index('status_page_components_page_idx').on(t.pageId, t.position),
    index('status_page_components_asset_idx').on(t.assetId),
    index('status_page_components_function_idx').on(t.functionId),
    check('status_page_components_one_target', sql`(${t.assetId} IS NULL) <> (${t.functionId} IS NULL)`),
  ],
);

export type StatusPageRow = typeof statusPages.$inferSelect;
export type StatusPageComponentRow = typeof statusPageComponents.$inferSelect;
