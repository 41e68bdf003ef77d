import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { CHECK_STATUSES, LOCATION_HINTS, VANTAGE_KINDS, VANTAGE_STATUSES } from '../../domain/enums.js';
import { checks } from './checks.js';

/**
 * The places that probe: `central` (the service itself; created by the migration), probe agents
 * at the sites, and regions (the Workers host's shards, placed by `locationHint`). An agent or
 * region silent for longer than `graceSeconds` is lost.
 */
export const vantages = sqliteTable('vantages', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  kind: text('kind', { enum: VANTAGE_KINDS }).notNull(),
  description: text('description'),
  graceSeconds: integer('grace_seconds').notNull().default(60),
  /** A region's Cloudflare location hint (null for central and agents). */
  locationHint: text('location_hint', { enum: LOCATION_HINTS }),
  status: text('status', { enum: VANTAGE_STATUSES }).notNull().default('pending'),
  /** When the status last changed. */
  since: integer('since').notNull(),
  /** The last batch of results from the agent (null: none yet). */
  lastSeenAt: integer('last_seen_at'),
  createdAt: integer('created_at').notNull(),
});

/**
 * Each vantage's confirmed view of a multi-vantage check (its own thresholds and flap control),
 * written when it changes. `at`: when the vantage's view took this status.
 */
export const checkVotes = sqliteTable(
  'check_votes',
  {
    checkId: integer('check_id')
      .notNull()
      .references(() => checks.id, { onDelete: 'cascade' }),
    vantageId: integer('vantage_id')
      .notNull()
      .references(() => vantages.id, { onDelete: 'cascade' }),
    status: text('status', { enum: CHECK_STATUSES }).notNull(),
    at: integer('at').notNull(),
    message: text('message'),
  },
  (t) => [primaryKey({ columns: [t.checkId, t.vantageId] })],
);

/** Result batches an agent has delivered, by the id it gave them: a retried batch is not counted twice. */
export const probeBatches = sqliteTable(
  'probe_batches',
  {
    vantageId: integer('vantage_id')
      .notNull()
      .references(() => vantages.id, { onDelete: 'cascade' }),
    batchId: text('batch_id').notNull(),
    results: integer('results').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.vantageId, t.batchId] }), index('probe_batches_received_idx').on(t.receivedAt)],
);
