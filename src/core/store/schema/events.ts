import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { SEVERITIES } from '../../domain/enums.js';

/**
 * The spine: every state change and every change to the configuration is appended here in
 * the same transaction as the change itself. Ids only grow (AUTOINCREMENT never reuses one),
 * so readers — the webhook outbox, incident timelines, the live stream — keep a cursor.
 */
export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ts: integer('ts').notNull(),
    type: text('type').notNull(),
    subjectKind: text('subject_kind').notNull(),
    subjectId: integer('subject_id'),
    subjectKey: text('subject_key'),
    severity: text('severity', { enum: SEVERITIES }).notNull().default('info'),
    /** Set when a drill caused the event: such events never page anyone as a real outage. */
    drillRunId: integer('drill_run_id'),
    actor: text('actor').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [
    index('events_subject_idx').on(t.subjectKind, t.subjectId, t.id),
    index('events_type_idx').on(t.type, t.id),
    index('events_ts_idx').on(t.ts),
  ],
);

export type EventRow = typeof events.$inferSelect;
export type NewEvent = typeof events.$inferInsert;
