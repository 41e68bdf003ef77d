import { markingColumn } from './sharing.js';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
import { FUNCTION_TIERS } from '../../domain/enums.js';
import { assets } from './assets.js';

export const missionFunctions = sqliteTable('mission_functions', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  key: text('key').notNull().unique(),
  name: text('name').notNull(),
  description: text('description'),
  tier: text('tier', { enum: FUNCTION_TIERS }).notNull(),
  rtoSeconds: integer('rto_seconds').notNull(),
  rpoSeconds: integer('rpo_seconds'),
  mtdSeconds: integer('mtd_seconds').notNull(),
  owner: text('owner'),
  marking: markingColumn(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** A k-of-n group: the function holds while at least `k` of the group's members are up. */
export const dependencyGroups = sqliteTable(
  'dependency_groups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    functionId: integer('function_id')
      .notNull()
      .references(() => missionFunctions.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    k: integer('k').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [uniqueIndex('dependency_groups_function_name_uq').on(t.functionId, t.name)],
);

/** A member is either an asset or another mission function, never both. */
export const groupMembers = sqliteTable(
  'group_members',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    groupId: integer('group_id')
      .notNull()
      .references(() => dependencyGroups.id, { onDelete: 'cascade' }),
    assetId: integer('asset_id').references(() => assets.id, { onDelete: 'cascade' }),
    memberFunctionId: integer('member_function_id').references(() => missionFunctions.id, {
      onDelete: 'cascade',
    }),
    position: integer('position').notNull(),
  },
  (t) => [
    index('group_members_group_idx').on(t.groupId),
    index('group_members_asset_idx').on(t.assetId),
    index('group_members_function_idx').on(t.memberFunctionId),
    check('group_members_one_target', sql`(${t.assetId} IS NULL) <> (${t.memberFunctionId} IS NULL)`),
  ],
);

export type MissionFunctionRow = typeof missionFunctions.$inferSelect;
