// check_results has no key of its own, so its rows live in SQLite's rowid B-tree in insertion
// order: a rowid range is a slice of "what was written between then and now", read or deleted
// through the table's own key at no extra index cost on the hot insert path. Rows arrive in
// roughly ts order (a probe's result lands at most its timeout after the ts it carries), which
// is what lets a time be turned into a rowid by bisection. These helpers work on Node and D1
// alike: every statement reads one key range, never the whole table.
import { eq, sql } from 'drizzle-orm';
import type { Db, Statement } from '../store/client.js';
import { engineMarks } from '../store/schema/index.js';

/** How far results have been rolled up: the highest check_results rowid counted. */
export const ROLLUP_ROWID_MARK = 'rollup_rowid';

/** The highest rowid already rolled up (0: none). Only rows at or below it may be pruned. */
export async function rolledUpRowid(db: Db): Promise<number> {
  const [mark] = await db.select().from(engineMarks).where(eq(engineMarks.name, ROLLUP_ROWID_MARK));
  return mark?.value ?? 0;
}

export function setMark(db: Db, name: string, value: number): Statement {
  return db.insert(engineMarks).values({ name, value }).onConflictDoUpdate({ target: engineMarks.name, set: { value } });
}

export interface RowidSpan {
  /** The lowest rowid stored, or 0 when the table is empty. */
  first: number;
  /** The highest rowid stored, or 0 when the table is empty. */
  last: number;
}

/** Both ends of the table's rowid range: two seeks, not a scan. */
export async function resultRowidSpan(db: Db): Promise<RowidSpan> {
  const [row] = await db.all<{ first: number | null; last: number | null }>(
    sql`select (select min(rowid) from check_results) as first, (select max(rowid) from check_results) as last`,
  );
  return { first: Number(row?.first ?? 0), last: Number(row?.last ?? 0) };
}

/** A rowid as an SQL literal: integers only, and never bound as a REAL. */
export function rowidLiteral(rowid: number) {
  return sql.raw(String(Math.trunc(rowid)));
}

/** The ts of the first row at or after `rowid`, or null past the end. */
async function tsAtOrAfter(db: Db, rowid: number): Promise<{ rowid: number; ts: number } | null> {
  const [row] = await db.all<{ rowid: number; ts: number }>(
    sql`select rowid as rowid, ts from check_results where rowid >= ${rowidLiteral(rowid)} order by rowid limit 1`,
  );
  return row ? { rowid: Number(row.rowid), ts: Number(row.ts) } : null;
}

/**
 * The first rowid whose row is dated at or after `ts`, found by bisection over the rowid range
 * (about 30 seeks for a billion rows); `span.last + 1` when every row is older. Rows are only
 * roughly in ts order, so the answer is exact to within the few minutes a late result can lag.
 */
export async function firstRowidAtOrAfter(db: Db, span: RowidSpan, ts: number): Promise<number> {
  let lo = span.first;
  let hi = span.last + 1;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const row = await tsAtOrAfter(db, mid);
    if (!row || row.ts >= ts) hi = mid;
    else lo = row.rowid + 1;
  }
  return lo;
}

/**
 * What one housekeeping statement (one chunk) should take. The monitor's writes and timers wait
 * behind it, so it stays well under the 50 ms the event loop may be held, with room for a busy
 * machine stretching it.
 */
const CHUNK_TARGET_MS = 5;

/**
 * Sizes the next chunk of rows so each statement takes about CHUNK_TARGET_MS: it doubles while
 * chunks run fast and halves when one runs slow, within [min, max].
 */
export class ChunkSizer {
  private readonly targetMs = CHUNK_TARGET_MS;
  /** The longest chunk so far: how long the connection's thread, and its writes, waited behind one. */
  longestMs = 0;

  /** `restRatio`: after each chunk, the event loop is left free this many times as long as the chunk took (a host whose monitor shares the thread keeps housekeeping to a share of it). */
  constructor(
    private size: number,
    private readonly min: number,
    private readonly max: number,
    private readonly restRatio = 0,
  ) {}

  get rows(): number {
    return this.size;
  }

  /** Runs one chunk (of `rows` rows), sizes the next from how long it took, then frees the event loop: at least one timer turn, and the rest asked for. */
  async step(chunk: () => Promise<unknown>): Promise<void> {
    const started = Date.now();
    await chunk();
    const ms = Date.now() - started;
    this.resize(ms);
    await new Promise((resolve) => setTimeout(resolve, Math.round(ms * this.restRatio)));
  }

  private resize(ms: number): void {
    this.longestMs = Math.max(this.longestMs, ms);
    if (ms > this.targetMs) this.size = Math.max(this.min, Math.floor(this.size / 2));
    else if (ms < this.targetMs / 2) this.size = Math.min(this.max, this.size * 2);
  }
}
