// The Node host's history housekeeping, once a minute: roll up what was written since the last
// run, then prune by age and, when a cap is set, by size. Both write in short chunks with the
// event loop free between them (core/monitor/history.ts); the service reads the results to roll
// up on a thread of its own (rollup-reader-thread.ts).
import { Cron } from 'croner';
import { sql } from 'drizzle-orm';
import { performance } from 'node:perf_hooks';
import type { Db } from '../../core/store/client.js';
import { pruneHistory, rollUpHistory, type RollupReader, type SizeCap } from '../../core/monitor/history.js';
import { RollupReaderThread } from './rollup-reader-thread.js';

export interface HistoryHousekeepingOptions {
  retentionDays: number;
  retentionMaxBytes: number | undefined;
  log(message: string): void;
  /** Where the rollup reads and sums its results (default: on `db`, paced like the writes). */
  read?: RollupReader;
}

export interface HousekeepingRun {
  rollupMs: number;
  rolledUpRows: number;
  /** Of rollupMs, the reading and summing. */
  rollupReadMs: number;
  pruneMs: number;
  expiredRows: number;
  droppedForSize: number;
  /** The longest write chunk of the rollup and the prune: how long the thread, and the monitor's commits, waited behind one. */
  longestChunkMs: number;
}

/** What the database's pages hold: its size on disk, less the free pages SQLite will reuse. */
export function sqliteUsedBytes(db: Db): SizeCap['usedBytes'] {
  return async () => {
    const [row] = await db.all<{ bytes: number }>(
      sql`select (p.page_count - f.freelist_count) * s.page_size as bytes from pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s`,
    );
    return Number(row?.bytes ?? 0);
  };
}

/**
 * After each chunk the event loop is left free three times as long as the chunk took, so
 * housekeeping takes at most about a quarter of the monitor's thread. With only a timer turn
 * between chunks it took whatever the thread had between flushes; at 100,000 checks, where the
 * monitor's thread sets the pace, that comes out of the checks' rate.
 */
const REST_RATIO = 3;

export function historyHousekeeping(db: Db, options: HistoryHousekeepingOptions): () => Promise<HousekeepingRun> {
  const sizeCap: SizeCap | undefined = options.retentionMaxBytes === undefined ? undefined : { maxBytes: options.retentionMaxBytes, usedBytes: sqliteUsedBytes(db) };
  return async () => {
    const rollupStarted = performance.now();
    const rollup = await rollUpHistory(db, Date.now(), { restRatio: REST_RATIO, ...(options.read ? { read: options.read } : {}) });
    const pruneStarted = performance.now();
    const pruned = await pruneHistory(db, Date.now(), options.retentionDays, { ...(sizeCap ? { sizeCap } : {}), restRatio: REST_RATIO });
    const done = performance.now();
    if (pruned.droppedForSize > 0 && sizeCap) {
      const since = pruned.oldestKeptTs === null ? 'none left' : `raw results now start ${new Date(pruned.oldestKeptTs).toISOString()}`;
      options.log(`history: the database reached its size cap (COOPWATCH_RETENTION_MAX_MB=${Math.round(sizeCap.maxBytes / 2 ** 20)}): dropped about ${pruned.droppedForSize.toLocaleString('en')} of the oldest raw results, already rolled up; ${since}`);
    }
    return {
      rollupMs: pruneStarted - rollupStarted,
      rolledUpRows: rollup.rows,
      rollupReadMs: rollup.readMs,
      pruneMs: done - pruneStarted,
      expiredRows: pruned.expired,
      droppedForSize: pruned.droppedForSize,
      longestChunkMs: Math.max(rollup.longestWriteMs, pruned.longestChunkMs),
    };
  };
}

export interface HistoryHousekeeper {
  /** One run: the rollup, then pruning. Rejects when it fails or the reading thread dies; the next run starts a new thread. */
  run(): Promise<HousekeepingRun>;
  /** Stops the reading thread; a run it was reading for fails as a crash would, and the next one redoes it exactly. */
  stop(): Promise<void>;
}

/**
 * The service's housekeeping: the rollup reads on a thread of its own (rollup-reader-thread.ts).
 * A database in memory cannot be shared between connections; there it reads on this thread.
 */
export function startHistoryHousekeeper(database: { db: Db; file: string }, options: HistoryHousekeepingOptions): HistoryHousekeeper {
  if (database.file === ':memory:') return { run: historyHousekeeping(database.db, options), stop: async () => {} };
  const reader = new RollupReaderThread(database.file, options.log);
  return { run: historyHousekeeping(database.db, { ...options, read: reader.read }), stop: () => reader.stop() };
}

/**
 * Housekeeping's first run waits this long after a start. The first minute after a restart belongs
 * to the monitor: its first interval (every check's first state, its events and incidents) and the
 * backlog that leaves. At 100,000 checks, a run that fell into it (the reading thread starting, the
 * rows of the minutes before the restart) cost a second of checks (README, restart catch-up). The
 * first run rolls up whatever accumulated meanwhile, so nothing is skipped, only later.
 */
export const FIRST_RUN_AFTER_START_MS = 60_000;

/** Calls `run` at the start of every minute from FIRST_RUN_AFTER_START_MS after `now`; a run still going makes the next one skip. */
export function everyMinuteAfterStart(run: () => Promise<void>, now = Date.now()): Cron {
  return new Cron('* * * * *', { protect: true, startAt: new Date(now + FIRST_RUN_AFTER_START_MS) }, run);
}
