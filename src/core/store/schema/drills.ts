import { markingColumn } from './sharing.js';
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const scenarios = sqliteTable('scenarios', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  key: text('key').notNull().unique(),
  name: text('name').notNull(),
  description: text('description'),
  kind: text('kind').notNull(),
  params: text('params', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  /** Vantages the scenario takes down (a site's backhaul cut), by name; null: none. */
  vantagesDown: text('vantages_down', { mode: 'json' }).$type<string[]>(),
  marking: markingColumn(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** A failover exercise: what to break, how, what must hold, when to stop, and when to run. */
export const drills = sqliteTable('drills', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  key: text('key').notNull().unique(),
  name: text('name').notNull(),
  description: text('description'),
  scenarioId: integer('scenario_id').references(() => scenarios.id, { onDelete: 'restrict' }),
  /** Explicit target asset ids, when no scenario is named. */
  targetAssetIds: text('target_asset_ids', { mode: 'json' }).$type<number[]>(),
  blastRadius: text('blast_radius', { mode: 'json' }).$type<{ type: 'COUNT' | 'PERCENT'; value: number }>().notNull(),
  exerciseType: text('exercise_type', { enum: ['tabletop', 'functional', 'full-scale'] }).notNull(),
  mode: text('mode', { enum: ['simulated', 'live'] }).notNull(),
  injectHook: text('inject_hook', { mode: 'json' }).$type<HookSpec>(),
  rollbackHook: text('rollback_hook', { mode: 'json' }).$type<HookSpec>(),
  hypothesis: text('hypothesis', { mode: 'json' }).$type<{ functionIds: number[]; ttfLimitSeconds: number | null }>().notNull(),
  guardrails: text('guardrails', { mode: 'json' })
    .$type<{ maxDurationSeconds: number; abortOnOutsideAssetDown: boolean; protectedFunctionIds: number[] }>()
    .notNull(),
  cron: text('cron'),
  timezone: text('timezone'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  marking: markingColumn(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  /** Set when the drill was retired: it is never scheduled or run again, and its runs stay as history. */
  retiredAt: integer('retired_at'),
});

/** One function a run took below full strength: when that was seen, when it was served again, when whole again (ms from the start). */
export interface FunctionOutcome {
  functionId: number;
  /** It was lost (not only degraded) during the run. */
  lost: boolean;
  ttdMs: number | null;
  ttfMs: number | null;
  ttrMs: number | null;
}

export interface HookSpec {
  /** `{assetKey}` in the url or body is replaced by each target's key. */
  url: string;
  method: 'POST' | 'PUT' | 'DELETE';
  body?: string;
  headers?: Record<string, string>;
}

export const drillRuns = sqliteTable(
  'drill_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    drillId: integer('drill_id')
      .notNull()
      .references(() => drills.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['scheduled', 'running', 'completed', 'aborted', 'failed', 'interrupted'] }).notNull(),
    phase: text('phase', { enum: ['injecting', 'detecting', 'failing_over', 'rolling_back', 'restoring', 'done'] }).notNull(),
    verdict: text('verdict', { enum: ['pass', 'fail', 'aborted', 'aborted_by_guardrail'] }),
    trigger: text('trigger', { enum: ['manual', 'schedule'] }).notNull(),
    targetAssetIds: text('target_asset_ids', { mode: 'json' }).$type<number[]>().notNull(),
    functionIds: text('function_ids', { mode: 'json' }).$type<number[]>().notNull(),
    startedAt: integer('started_at'),
    detectedAt: integer('detected_at'),
    failoverCompletedAt: integer('failover_completed_at'),
    restoredAt: integer('restored_at'),
    finishedAt: integer('finished_at'),
    rtoMet: integer('rto_met', { mode: 'boolean' }),
    abortReason: text('abort_reason'),
    steps: text('steps', { mode: 'json' }).$type<Array<{ at: number; step: string; detail: string }>>().notNull(),
    /** What the run measured of each function it took below full strength (see functionOutcomes); the others are absent. */
    functionOutcomes: text('function_outcomes', { mode: 'json' }).$type<FunctionOutcome[]>().notNull().default(sql`'[]'`),
  },
  (t) => [index('drill_runs_drill_idx').on(t.drillId, t.id), index('drill_runs_status_idx').on(t.status)],
);

/** After-action findings, tracked to closure. */
export const drillFindings = sqliteTable('drill_findings', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  runId: integer('run_id')
    .notNull()
    .references(() => drillRuns.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  detail: text('detail'),
  owner: text('owner').notNull(),
  dueDate: text('due_date').notNull(),
  status: text('status', { enum: ['open', 'in_progress', 'closed'] }).notNull(),
  createdAt: integer('created_at').notNull(),
  closedAt: integer('closed_at'),
});

export type ScenarioRow = typeof scenarios.$inferSelect;
export type DrillRow = typeof drills.$inferSelect;
export type DrillRunRow = typeof drillRuns.$inferSelect;
