import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { ASSET_STATUSES, CHECK_STATUSES, FUNCTION_STATUSES, REDUNDANCY_STATES } from '../../domain/enums.js';
import { assets } from './assets.js';
import { checks } from './checks.js';
import { missionFunctions } from './functions.js';

/**
 * Raw probe results, kept for the retention window. Deliberately narrow (no message, no text):
 * a row costs a few dozen bytes on disk. status: 0 up, 1 degraded, 2 down. Appended in time order
 * with no index at all: housekeeping reads and deletes them by rowid (insertion order,
 * monitor/result-rowids.ts), and what is read per check comes from `check_latest`. An index by
 * check made every commit dirty one index page per check (10,000 checks: 10,000 pages a second).
 */
export const checkResults = sqliteTable('check_results', {
  checkId: integer('check_id').notNull(),
  ts: integer('ts').notNull(),
  status: integer('status').notNull(),
  latencyMs: integer('latency_ms'),
  jitterMs: real('jitter_ms'),
  lossPct: real('loss_pct'),
  /** The probe agent's vantage; null: the central monitor. */
  vantageId: integer('vantage_id'),
});

/**
 * One row per check, upserted with its results in the same transaction (monitor/latest-rows.ts):
 * the newest result from any vantage (the watch floor's latency), and the central monitor's streak
 * as it held it after its newest result (the streaks rebuilt on start). A few dozen bytes a row,
 * laid out by `slot` (monitor/phase.ts latestSlot): the checks that come due together sit
 * together, so a batch of results rewrites a few pages, not one per result. No foreign key: like
 * the results, a row may outlive its check, and a check id is never reused.
 */
export const checkLatest = sqliteTable('check_latest', {
  slot: integer('slot').primaryKey(),
  checkId: integer('check_id').notNull().unique(),
  /** The newest result's time, from any vantage, and its latency. */
  ts: integer('ts').notNull(),
  latencyMs: integer('latency_ms'),
  /** The central monitor's streak after its newest result (status code as in check_results); null: none yet. */
  streakStatus: integer('streak_status'),
  streakCount: integer('streak_count'),
  streakStartedAt: integer('streak_started_at'),
  observedAt: integer('observed_at'),
  /** The flap history (domain/flapping.ts) after that result. */
  flapHistory: integer('flap_history'),
});

/** A check's confirmed status, written only when it changes. Streak counts are rebuilt from results. */
export const checkStates = sqliteTable('check_states', {
  checkId: integer('check_id')
    .primaryKey()
    .references(() => checks.id, { onDelete: 'cascade' }),
  status: text('status', { enum: CHECK_STATUSES }).notNull(),
  since: integer('since').notNull(),
  message: text('message'),
});

export const assetStates = sqliteTable('asset_states', {
  assetId: integer('asset_id')
    .primaryKey()
    .references(() => assets.id, { onDelete: 'cascade' }),
  status: text('status', { enum: ASSET_STATUSES }).notNull(),
  since: integer('since').notNull(),
  reason: text('reason'),
});

export const functionStates = sqliteTable('function_states', {
  functionId: integer('function_id')
    .primaryKey()
    .references(() => missionFunctions.id, { onDelete: 'cascade' }),
  status: text('status', { enum: FUNCTION_STATUSES }).notNull(),
  redundancy: text('redundancy', { enum: REDUNDANCY_STATES }).notNull(),
  since: integer('since').notNull(),
});

/**
 * Hourly and daily availability, merged by UPSERT from raw results (checks, assets) and from
 * minute samples (functions), so 90-day bars read a few hundred rows.
 */
export const rollups = sqliteTable(
  'rollups',
  {
    subjectKind: text('subject_kind', { enum: ['check', 'asset', 'function'] }).notNull(),
    subjectId: integer('subject_id').notNull(),
    granularity: text('granularity', { enum: ['hour', 'day'] }).notNull(),
    bucketStart: integer('bucket_start').notNull(),
    samples: integer('samples').notNull(),
    upSamples: integer('up_samples').notNull(),
    degradedSamples: integer('degraded_samples').notNull(),
    latencySumMs: real('latency_sum_ms').notNull(),
    latencySamples: integer('latency_samples').notNull(),
    /** The rollup run that last added to this row; a run redone after a crash skips rows it already reached. */
    rollupRun: integer('rollup_run').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.subjectKind, t.subjectId, t.granularity, t.bucketStart] }),
    // Pruning finds the rows past their window through this, not by reading every subject's.
    index('rollups_granularity_bucket_idx').on(t.granularity, t.bucketStart),
  ],
);

/** The last heartbeat a pushing asset sent. */
export const pushHeartbeats = sqliteTable('push_heartbeats', {
  checkId: integer('check_id')
    .primaryKey()
    .references(() => checks.id, { onDelete: 'cascade' }),
  at: integer('at').notNull(),
  status: text('status', { enum: ['up', 'degraded', 'down'] }).notNull(),
  message: text('message'),
  metrics: text('metrics', { mode: 'json' }).$type<Record<string, number>>(),
});

/** Small durable facts the engine keeps between runs, e.g. how far results have been rolled up. */
export const engineMarks = sqliteTable('engine_marks', {
  name: text('name').primaryKey(),
  value: integer('value').notNull(),
});
