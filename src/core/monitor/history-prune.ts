// Keeps history bounded: raw results past the retention window (or, with a size cap, the oldest
// ones while the database is over it) and rollups past theirs. Every delete is one bounded key
// range: raw results by rowid (their insertion order, see result-rowids.ts), rollups through
// their (granularity, bucket_start) index, each chunk its own short transaction with the event
// loop free in between, so a day's worth of rows goes without stalling the monitor.
import { sql } from 'drizzle-orm';
import { commitAtomically, deferredSql, type Db, type Statement } from '../store/client.js';
import { DAY_MS } from '../domain/time.js';
import { ChunkSizer, firstRowidAtOrAfter, resultRowidSpan, ROLLUP_ROWID_MARK, rolledUpRowid, rowidLiteral } from './result-rowids.js';

const HOURLY_KEEP_DAYS = 35;
const DAILY_KEEP_DAYS = 400;
/** Over the cap, the oldest results go until the database is back under this share of it. */
const SIZE_CAP_TRIGGER = 0.95;
const SIZE_CAP_TARGET = 0.9;

/** A cap on the database's size; `usedBytes` is what its pages hold (the host measures it). */
export interface SizeCap {
  maxBytes: number;
  usedBytes(): Promise<number>;
}

export interface PruneRun {
  /** Raw results removed for being past the retention window (rowids, so gaps count too). */
  expired: number;
  /** Raw results removed because the database was over its size cap. */
  droppedForSize: number;
  /** The oldest raw result kept after a drop for size, null when nothing was dropped for size. */
  oldestKeptTs: number | null;
  /** The longest of its chunks, in ms. */
  longestChunkMs: number;
}

export interface PruneOptions {
  /** Also drop the oldest results while the database is over this cap. */
  sizeCap?: SizeCap;
  /** The rest after each chunk, as a multiple of its time (ChunkSizer). */
  restRatio?: number;
}

/**
 * Deletes raw results past the retention window and, with a size cap, the oldest results while
 * the database is over it; then rollups past their own windows. Only results already rolled up
 * are deleted, so pruning never loses a sample from the bars.
 */
export async function pruneHistory(db: Db, now: number, retentionDays: number, options: PruneOptions = {}): Promise<PruneRun> {
  const { sizeCap, restRatio = 0 } = options;
  const rolledUp = await rolledUpRowid(db);
  const span = await resultRowidSpan(db);
  const sizer = new ChunkSizer(1_024, 128, 1 << 20, restRatio);
  const keepFrom = Math.min(rolledUp + 1, await firstRowidAtOrAfter(db, span, now - retentionDays * DAY_MS));
  const expired = await deleteResults(db, span.first, keepFrom, sizer, async () => true);
  let droppedForSize = 0;
  let oldestKeptTs: number | null = null;
  if (sizeCap && (await sizeCap.usedBytes()) > sizeCap.maxBytes * SIZE_CAP_TRIGGER) {
    const overTarget = async () => (await sizeCap.usedBytes()) > sizeCap.maxBytes * SIZE_CAP_TARGET;
    droppedForSize = await deleteResults(db, Math.max(span.first, keepFrom), rolledUp + 1, sizer, overTarget);
    const [oldest] = await db.all<{ ts: number }>(sql`select ts from check_results order by rowid limit 1`);
    oldestKeptTs = oldest ? Number(oldest.ts) : null;
  }
  const rollupSizer = new ChunkSizer(512, 64, 1 << 16, restRatio);
  await deleteRollupsBefore(db, 'hour', now - HOURLY_KEEP_DAYS * DAY_MS, rollupSizer);
  await deleteRollupsBefore(db, 'day', now - DAILY_KEEP_DAYS * DAY_MS, rollupSizer);
  return { expired, droppedForSize, oldestKeptTs, longestChunkMs: Math.max(sizer.longestMs, rollupSizer.longestMs) };
}

/** Deletes results with rowids in [from, before), chunk by chunk, while `more()` says so. */
async function deleteResults(db: Db, from: number, before: number, sizer: ChunkSizer, more: () => Promise<boolean>): Promise<number> {
  let next = from;
  while (next < before && (await more())) {
    const until = Math.min(before, next + sizer.rows);
    await sizer.step(() => commitAtomically(db, [
      deferredSql(db, sql`delete from check_results where rowid >= ${rowidLiteral(next)} and rowid < ${rowidLiteral(until)}`),
      resetRollupMarkWhenEmpty(db),
    ]));
    next = until;
  }
  return Math.max(0, next - from);
}

/**
 * An empty table gives its next row rowid 1: the rollup mark must start over with it, in the
 * same transaction that emptied it, or the rows numbered below the old mark would never count.
 */
function resetRollupMarkWhenEmpty(db: Db): Statement {
  return deferredSql(db, sql`update engine_marks set value = 0 where name = ${ROLLUP_ROWID_MARK} and not exists (select 1 from check_results)`);
}

/** Deletes the rollups of one granularity older than `before`, in chunks sized like the results'. */
async function deleteRollupsBefore(db: Db, granularity: 'hour' | 'day', before: number, sizer: ChunkSizer): Promise<void> {
  const older = sql`granularity = ${granularity} and bucket_start < ${before}`;
  for (;;) {
    const [left] = await db.all(sql`select 1 from rollups where ${older} limit 1`);
    if (!left) return;
    await sizer.step(() => commitAtomically(db, [deferredSql(db, sql`delete from rollups where rowid in (select rowid from rollups where ${older} limit ${sql.raw(String(sizer.rows))})`)]));
  }
}
