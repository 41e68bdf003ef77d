import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { commitAtomically, deferredSql, insertChunks, type Db, type Statement } from '../store/client.js';
import { engineMarks, rollups } from '../store/schema/index.js';
import { DAY_MS } from '../domain/time.js';
import { ChunkSizer, firstRowidAtOrAfter, resultRowidSpan, ROLLUP_ROWID_MARK, setMark, type RowidSpan } from './result-rowids.js';
import { rowStatements } from '../store/prepared-rows.js';
import { HOUR_MS, hourGroupsSql, RollupSums, type HourGroup, type RollupRow } from './rollup-buckets.js';

/** The mark of releases that rolled up by ts (everything dated before it is counted). */
const LEGACY_ROLLUP_MARK = 'rollup_until';
/** Those releases left results this long to land before counting them; rowids need no wait. */
const LEGACY_SETTLE_MS = 150_000;
/** The rowid a run started is rolling up to, until it has finished: a crashed run is redone to the same end. */
const PENDING_MARK = 'rollup_pending_rowid';
/** How many runs have finished; each rollup row carries the run that last added to it. */
const RUNS_MARK = 'rollup_runs';
const FUNCTION_SAMPLE_MARK = 'function_sampled_at';
/** At most this many results per run (memory and, on Workers, time); the next run carries on. */
const MAX_ROWS_PER_RUN = 2_000_000;

const BUCKETS = [
  { granularity: 'hour', ms: HOUR_MS },
  { granularity: 'day', ms: DAY_MS },
] as const;

export interface RollupRun {
  /** Rowids counted in this run (results, less any gaps left by pruning). */
  rows: number;
  /** Rollup rows written. */
  written: number;
  /** false when the run stopped at MAX_ROWS_PER_RUN; the next one carries on from the mark. */
  caughtUp: boolean;
  /** The longest of its write chunks, in ms: how long a write on the same connection waited behind one. */
  longestWriteMs: number;
  /** How long reading and summing the results took (on Node, on the rollup reader thread). */
  readMs: number;
}

/**
 * The rows that the results with rowids in (after, until] add to (rollup-buckets.ts). What costs
 * what was written is here; a host may run it on another connection (the Node host: a thread).
 */
export type RollupReader = (after: number, until: number, legacyFrom: number | null) => Promise<RollupRow[]>;

export interface RollupOptions {
  /** The rest after each chunk, as a multiple of its time (ChunkSizer). */
  restRatio?: number;
  /** Where the results are read and summed; by default on `db`, chunk by chunk. */
  read?: RollupReader;
}

interface RollupStart {
  mark: number;
  pending: number | null;
  run: number;
  legacyFrom: number | null;
}

/**
 * Folds the results written since the last run into hourly and daily rollups for each check and
 * each asset (counts and sums, merged by UPSERT), and samples every function's status once a
 * minute. Results are read by rowid, so a run costs what was written since the last one, not
 * what is stored, and a result written late (a probe that ran into a long timeout) counts when
 * it lands. Reads and writes go in chunks of about 5 ms with the event loop free in
 * between. Exact across crashes: the run's end is recorded before its first write and its
 * number is written into each row it adds to, so a run redone after a crash adds to the rows
 * it had not reached and to no other; the mark moves when every row is written.
 */
export async function rollUpHistory(db: Db, now: number, options: RollupOptions = {}): Promise<RollupRun> {
  const restRatio = options.restRatio ?? 0;
  const read = options.read ?? rollupReader(db, restRatio);
  const span = await resultRowidSpan(db);
  const start = await rollupStart(db, span);
  let result: RollupRun = { rows: 0, written: 0, caughtUp: true, longestWriteMs: 0, readMs: 0 };
  if (start.pending === null && start.mark > span.last) {
    // Rowids went backwards (the table emptied or rebuilt outside housekeeping): carry on from
    // where they are now rather than skip what comes next.
    await commitAtomically(db, [setMark(db, ROLLUP_ROWID_MARK, span.last)]);
  } else {
    const until = start.pending ?? Math.min(span.last, start.mark + MAX_ROWS_PER_RUN);
    if (until > start.mark) {
      if (start.pending === null) await commitAtomically(db, [setMark(db, PENDING_MARK, until)]);
      const readStarted = Date.now();
      const rows = await read(start.mark, until, start.legacyFrom);
      const readMs = Date.now() - readStarted;
      const written = await writeRollupRows(db, rows, start.run, restRatio);
      const caughtUp = until >= span.last;
      await commitAtomically(db, [
        setMark(db, ROLLUP_ROWID_MARK, until),
        setMark(db, RUNS_MARK, start.run),
        db.delete(engineMarks).where(inArray(engineMarks.name, caughtUp ? [PENDING_MARK, LEGACY_ROLLUP_MARK] : [PENDING_MARK])),
      ]);
      result = { rows: until - start.mark, written: written.rows, caughtUp, longestWriteMs: written.longestMs, readMs };
    }
  }
  await sampleFunctions(db, now);
  return result;
}

/**
 * Where this run starts. A database rolled up by ts carries on from the rows dated at the old
 * mark, and counts only those (legacyFrom) until it has caught up; a new one starts at the
 * beginning, so nothing stored before the first run is left out.
 */
async function rollupStart(db: Db, span: RowidSpan): Promise<RollupStart> {
  const marks = new Map(
    (await db.select().from(engineMarks).where(inArray(engineMarks.name, [ROLLUP_ROWID_MARK, LEGACY_ROLLUP_MARK, PENDING_MARK, RUNS_MARK]))).map((m) => [m.name, m.value]),
  );
  const legacyFrom = marks.get(LEGACY_ROLLUP_MARK) ?? null;
  const current = marks.get(ROLLUP_ROWID_MARK);
  const mark = current !== undefined ? current : legacyFrom === null ? 0 : (await firstRowidAtOrAfter(db, span, legacyFrom - LEGACY_SETTLE_MS)) - 1;
  return { mark, pending: marks.get(PENDING_MARK) ?? null, run: (marks.get(RUNS_MARK) ?? 0) + 1, legacyFrom };
}

/** Reads the results on `db` in chunks, summing each chunk's groups as it comes. */
export function rollupReader(db: Db, restRatio = 0): RollupReader {
  return async (after, until, legacyFrom) => {
    const sums = new RollupSums();
    const sizer = new ChunkSizer(2_048, 256, 1 << 20, restRatio);
    for (let from = after; from < until; ) {
      const to = Math.min(until, from + sizer.rows);
      await sizer.step(async () => sums.add(await db.all<HourGroup>(hourGroupsSql(from, to, legacyFrom))));
      from = to;
    }
    return sums.rows();
  };
}

const UPSERT_ROLLUP_SQL = `insert into rollups (subject_kind, subject_id, granularity, bucket_start, samples, up_samples, degraded_samples, latency_sum_ms, latency_samples, rollup_run)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  on conflict (subject_kind, subject_id, granularity, bucket_start) do update set
    samples = samples + excluded.samples, up_samples = up_samples + excluded.up_samples, degraded_samples = degraded_samples + excluded.degraded_samples,
    latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms, latency_samples = latency_samples + excluded.latency_samples, rollup_run = excluded.rollup_run
  where rollup_run < excluded.rollup_run`;

/** Upserts the rows in chunks; a row this run already reached (a run redone) is left as it is. */
async function writeRollupRows(db: Db, rows: RollupRow[], run: number, restRatio: number): Promise<{ rows: number; longestMs: number }> {
  const sizer = new ChunkSizer(512, 64, 65_536, restRatio);
  for (let i = 0; i < rows.length; ) {
    const batch = rows.slice(i, i + sizer.rows);
    await sizer.step(() => commitAtomically(db, rowStatements(db, UPSERT_ROLLUP_SQL, batch, (r) => [r.subjectKind, r.subjectId, r.granularity, r.bucketStart, r.samples, r.up, r.degraded, r.latencySum, r.latencySamples, run], (some) =>
      insertChunks(db, some, 10).map((chunk) => db.insert(rollups).values(chunk.map((r) => ({
        subjectKind: r.subjectKind, subjectId: r.subjectId, granularity: r.granularity, bucketStart: r.bucketStart, samples: r.samples,
        upSamples: r.up, degradedSamples: r.degraded, latencySumMs: r.latencySum, latencySamples: r.latencySamples, rollupRun: run,
      }))).onConflictDoUpdate({
        target: [rollups.subjectKind, rollups.subjectId, rollups.granularity, rollups.bucketStart],
        set: {
          samples: sql`samples + excluded.samples`, upSamples: sql`up_samples + excluded.up_samples`, degradedSamples: sql`degraded_samples + excluded.degraded_samples`,
          latencySumMs: sql`latency_sum_ms + excluded.latency_sum_ms`, latencySamples: sql`latency_samples + excluded.latency_samples`, rollupRun: sql`excluded.rollup_run`,
        },
        setWhere: sql`${rollups.rollupRun} < excluded.rollup_run`,
      })),
    )));
    i += batch.length;
  }
  return { rows: rows.length, longestMs: sizer.longestMs };
}

/** Every function's status, once a minute at most, into its hourly and daily rows. */
async function sampleFunctions(db: Db, now: number): Promise<void> {
  const [sampled] = await db.select().from(engineMarks).where(eq(engineMarks.name, FUNCTION_SAMPLE_MARK));
  if (sampled && now - sampled.value < 60_000) return;
  const statements: Statement[] = BUCKETS.map(({ granularity, ms }) =>
    deferredSql(db, sql`
      insert into rollups (subject_kind, subject_id, granularity, bucket_start, samples, up_samples, degraded_samples, latency_sum_ms, latency_samples)
      select 'function', function_id, ${granularity}, ${Math.floor(now / ms) * ms}, 1, status = 'operational', status = 'degraded', 0, 0 from function_states where true
      on conflict (subject_kind, subject_id, granularity, bucket_start) do update set
        samples = samples + 1, up_samples = up_samples + excluded.up_samples, degraded_samples = degraded_samples + excluded.degraded_samples`),
  );
  await commitAtomically(db, [...statements, setMark(db, FUNCTION_SAMPLE_MARK, now)]);
}

export { pruneHistory, type PruneRun, type SizeCap } from './history-prune.js';

export interface Availability {
  /** Share of samples that were up (degraded counts as available), null without samples. */
  availability: number | null;
  upRatio: number | null;
  samples: number;
  meanLatencyMs: number | null;
}

/** Availability of one subject over the last `windowMs`, from hourly (≤ 2 days) or daily rollups. */
export async function availability(db: Db, subject: { kind: 'check' | 'asset' | 'function'; id: number }, now: number, windowMs: number): Promise<Availability> {
  const granularity = windowMs <= 2 * DAY_MS ? 'hour' : 'day';
  const bucketMs = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const since = Math.floor((now - windowMs) / bucketMs) * bucketMs;
  const [row] = await db
    .select({
      samples: sql<number>`coalesce(sum(${rollups.samples}), 0)`,
      up: sql<number>`coalesce(sum(${rollups.upSamples}), 0)`,
      degraded: sql<number>`coalesce(sum(${rollups.degradedSamples}), 0)`,
      latencySum: sql<number>`coalesce(sum(${rollups.latencySumMs}), 0)`,
      latencySamples: sql<number>`coalesce(sum(${rollups.latencySamples}), 0)`,
    })
    .from(rollups)
    .where(and(eq(rollups.subjectKind, subject.kind), eq(rollups.subjectId, subject.id), eq(rollups.granularity, granularity), gte(rollups.bucketStart, since)));
  const samples = Number(row?.samples ?? 0);
  const up = Number(row?.up ?? 0);
  const degraded = Number(row?.degraded ?? 0);
  const latencySamples = Number(row?.latencySamples ?? 0);
  return {
    availability: samples ? (up + degraded) / samples : null,
    upRatio: samples ? up / samples : null,
    samples,
    meanLatencyMs: latencySamples ? Number(row!.latencySum) / latencySamples : null,
  };
}
