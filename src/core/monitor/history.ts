import { and, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import { commitAtomically, deferredSql, type Db, type Statement } from '../store/client.js';
import { engineMarks, rollups } from '../store/schema/index.js';
import { DAY_MS } from '../domain/time.js';
import { ChunkSizer, firstRowidAtOrAfter, resultRowidSpan, ROLLUP_ROWID_MARK, rowidLiteral, setMark, yieldToEventLoop, type RowidSpan } from './result-rowids.js';

const HOUR_MS = 3_600_000;
/** The mark of releases that rolled up by ts (everything dated before it is counted). */
const LEGACY_ROLLUP_MARK = 'rollup_until';
/** Those releases left results this long to land before counting them; rowids need no wait. */
const LEGACY_SETTLE_MS = 150_000;
const FUNCTION_SAMPLE_MARK = 'function_sampled_at';
/** Each chunk is one transaction the monitor's writes may wait behind: keep it well under 50 ms. */
const CHUNK_TARGET_MS = 20;

const BUCKETS = [
  { granularity: 'hour', ms: HOUR_MS },
  { granularity: 'day', ms: DAY_MS },
] as const;

export interface RollupRun {
  /** Rowids counted in this run (rows, less any gaps left by pruning). */
  rows: number;
  chunks: number;
  /** false when the run stopped at its time budget; the next one carries on from the mark. */
  caughtUp: boolean;
}

/**
 * Folds the results written since the last run into hourly and daily rollups for each check and
 * each asset (counts and sums, merged by UPSERT), and samples every function's status once a
 * minute. Results are read by rowid, in chunks sized to take about CHUNK_TARGET_MS each, so a run
 * costs what was written since the last one, not what is stored; the mark moves in the same
 * transaction as each chunk's upserts, so a crash between chunks never counts a row twice. A
 * result written late (a probe that ran into a long timeout) is counted when it lands.
 */
export async function rollUpHistory(db: Db, now: number, options: { budgetMs?: number } = {}): Promise<RollupRun> {
  const started = Date.now();
  const span = await resultRowidSpan(db);
  const { mark: initial, legacyFrom } = await rollupStart(db, span);
  const sizer = new ChunkSizer(4_096, CHUNK_TARGET_MS, 256, 1 << 20);
  let mark = initial;
  let chunks = 0;
  while (mark < span.last) {
    const until = Math.min(span.last, mark + sizer.rows);
    const last = until === span.last;
    const chunkStarted = Date.now();
    await commitAtomically(db, [
      ...rollupStatements(db, mark, until, legacyFrom),
      setMark(db, ROLLUP_ROWID_MARK, until),
      ...(last && legacyFrom !== null ? [db.delete(engineMarks).where(eq(engineMarks.name, LEGACY_ROLLUP_MARK))] : []),
    ]);
    sizer.took(Date.now() - chunkStarted);
    mark = until;
    chunks++;
    if (last) break;
    if (options.budgetMs !== undefined && Date.now() - started >= options.budgetMs) break;
    await yieldToEventLoop();
  }
  // Rowids went backwards (the table was emptied or rebuilt outside housekeeping): carry on from
  // where they are now rather than skip what comes next.
  if (mark > span.last) await commitAtomically(db, [setMark(db, ROLLUP_ROWID_MARK, span.last)]);
  await sampleFunctions(db, now);
  return { rows: Math.max(0, mark - initial), chunks, caughtUp: mark >= span.last };
}

/**
 * Where this run starts. A database rolled up by ts carries on from the rows dated at the old
 * mark, and counts only those (legacyFrom) until it has caught up; a new one starts at the
 * beginning, so nothing stored before the first run is left out.
 */
async function rollupStart(db: Db, span: RowidSpan): Promise<{ mark: number; legacyFrom: number | null }> {
  const marks = await db.select().from(engineMarks).where(inArray(engineMarks.name, [ROLLUP_ROWID_MARK, LEGACY_ROLLUP_MARK]));
  const legacy = marks.find((m) => m.name === LEGACY_ROLLUP_MARK)?.value ?? null;
  const current = marks.find((m) => m.name === ROLLUP_ROWID_MARK)?.value;
  if (current !== undefined) return { mark: current, legacyFrom: legacy };
  if (legacy === null) return { mark: 0, legacyFrom: null };
  return { mark: (await firstRowidAtOrAfter(db, span, legacy - LEGACY_SETTLE_MS)) - 1, legacyFrom: legacy };
}

/** The upserts for rows (after, until]: per check and per asset, hourly and daily. */
function rollupStatements(db: Db, after: number, until: number, legacyFrom: number | null): Statement[] {
  return rollupChunkSql(after, until, legacyFrom).map((query) => deferredSql(db, query));
}

/** The SQL of rollupStatements, exported so tests can ask SQLite how it reads the rows. */
export function rollupChunkSql(after: number, until: number, legacyFrom: number | null = null): SQL[] {
  const range = sql`r.rowid > ${rowidLiteral(after)} and r.rowid <= ${rowidLiteral(until)}${legacyFrom === null ? sql`` : sql` and r.ts >= ${legacyFrom}`}`;
  return BUCKETS.flatMap(({ granularity, ms }) => (['check', 'asset'] as const).map((subject) => bucketUpsertSql(subject, granularity, ms, range)));
}

function bucketUpsertSql(subject: 'check' | 'asset', granularity: string, msValue: number, range: SQL): SQL {
  // Inlined, not bound: a bound JS number is a REAL in SQLite, and `ts / 3600000.0` is not
  // integer division, so every result would land in a bucket of its own.
  const ms = sql.raw(String(msValue));
  const subjectId = subject === 'check' ? sql`r.check_id` : sql`c.asset_id`;
  // CROSS JOIN keeps check_results the outer loop, read by its rowid range; a plain join lets
  // the planner walk every check and search its results through (check_id, ts) instead.
  const join = subject === 'check' ? sql`` : sql` cross join checks c on c.id = r.check_id`;
  return sql`
    insert into rollups (subject_kind, subject_id, granularity, bucket_start, samples, up_samples, degraded_samples, latency_sum_ms, latency_samples)
    select ${subject}, ${subjectId}, ${granularity}, (r.ts / ${ms}) * ${ms}, count(*), sum(r.status = 0), sum(r.status = 1), coalesce(sum(r.latency_ms), 0), count(r.latency_ms)
    from check_results r${join}
    where ${range}
    group by ${subjectId}, r.ts / ${ms}
    on conflict (subject_kind, subject_id, granularity, bucket_start) do update set
      samples = samples + excluded.samples, up_samples = up_samples + excluded.up_samples,
      degraded_samples = degraded_samples + excluded.degraded_samples,
      latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms, latency_samples = latency_samples + excluded.latency_samples`;
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
