import { markingColumn } from './sharing.js';
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { INCIDENT_STATES, INCIDENT_UPDATE_STATUSES, SEVERITIES, UPDATE_VISIBILITIES } from '../../domain/enums.js';
import type { IncidentChild } from '../../domain/incident-cause.js';
import { assets } from './assets.js';
import { missionFunctions } from './functions.js';

export const incidents = sqliteTable(
  'incidents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Chosen when the incident is planned, so the same batch can refer to the new row. */
    ref: text('ref').notNull().unique(),
    /** The cause, when it is an asset (the most upstream failed element). */
    assetId: integer('asset_id').references(() => assets.id, { onDelete: 'set null' }),
    /** The cause, when it is a mission function lost with no failed asset to blame. */
    causeFunctionId: integer('cause_function_id').references(() => missionFunctions.id, { onDelete: 'set null' }),
    /** Affected: the cause and its symptoms, and the functions they hurt. */
    affectedAssetIds: text('affected_asset_ids', { mode: 'json' }).$type<number[]>().notNull().default(sql`'[]'`),
    functionIds: text('function_ids', { mode: 'json' }).$type<number[]>().notNull(),
    /** The symptoms attached to the cause instead of opening (and paging) incidents of their own. */
    children: text('children', { mode: 'json' }).$type<IncidentChild[]>().notNull().default(sql`'[]'`),
    state: text('state', { enum: INCIDENT_STATES }).notNull(),
    severity: text('severity', { enum: SEVERITIES }).notNull(),
    title: text('title').notNull(),
    /** When the outage began: the first failed observation of the streak that confirmed it. */
    startedAt: integer('started_at').notNull(),
    /** When coopwatch confirmed it (detected). */
    openedAt: integer('opened_at').notNull(),
    acknowledgedAt: integer('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    resolvedAt: integer('resolved_at'),
    /** Set by an officer; null: the most restrictive marking of what it touches (sharing/markings). */
    marking: markingColumn(),
  },
  (t) => [index('incidents_state_idx').on(t.state, t.openedAt), index('incidents_asset_idx').on(t.assetId)],
);

export const incidentUpdates = sqliteTable(
  'incident_updates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    ts: integer('ts').notNull(),
    author: text('author').notNull(),
    status: text('status', { enum: INCIDENT_UPDATE_STATUSES }).notNull(),
    message: text('message').notNull(),
    /** New updates are internal unless the officer publishes them; rows older than the column were migrated to public. */
    visibility: text('visibility', { enum: UPDATE_VISIBILITIES }).notNull().default('internal'),
  },
  (t) => [index('incident_updates_incident_idx').on(t.incidentId, t.ts)],
);

export type IncidentRow = typeof incidents.$inferSelect;
