import { and, eq, gte, lt, min, sql } from 'drizzle-orm';
import { commitAtomically, deferredSql, type Db, type Statement } from '../store/client.js';
import { checkResults, engineMarks, rollups } from '../store/schema/index.js';
import { DAY_MS } from '../domain/time.js';

const HOUR_MS = 3_600_000;
/**
 * Results are dated by when their probe started and written in batches after it ends, which can
 * be up to the longest timeout (120 s) plus the scheduler's abort grace later; leave them time
 * to land, or a slow failure (a black-holed target) would never be counted.
 */
const SETTLE_MS = 150_000;
const ROLLUP_MARK = 'rollup_until';
const FUNCTION_SAMPLE_MARK = 'function_sampled_at';
const HOURLY_KEEP_DAYS = 35;
const DAILY_KEEP_DAYS = 400;

const BUCKETS = [
  { granularity: 'hour', ms: HOUR_MS },
  { granularity: 'day', ms: DAY_MS },
] as const;

/**
 * Folds raw results taken since the last run into hourly and daily rollups for each check and
 * each asset (counts and sums, merged by UPSERT), and samples every function's status once a
 * minute. The high-water mark moves in the same transaction, so a crash never counts twice.
 */
export async function rollUpHistory(db: Db, now: number): Promise<{ from: number; until: number }> {
  const until = now - SETTLE_MS;
  const [mark] = await db.select().from(engineMarks).where(eq(engineMarks.name, ROLLUP_MARK));
  // The first run starts from the oldest result kept, so nothing stored before it is left out.
  const [oldest] = mark ? [] : await db.select({ ts: min(checkResults.ts) }).from(checkResults);
  const from = mark?.value ?? oldest?.ts ?? until - 60_000;
  const statements: Statement[] = [];
  if (until > from) {
    for (const { granularity, ms: msValue } of BUCKETS) {
      // Inlined, not bound: a bound JS number is a REAL in SQLite, and `ts / 3600000.0` is not
      // integer division, so every result would land in a bucket of its own.
      const ms = sql.raw(String(msValue));
      statements.push(
        deferredSql(db, sql`
          insert into rollups (subject_kind, subject_id, granularity, bucket_start, samples, up_samples, degraded_samples, latency_sum_ms, latency_samples)
          select 'check', check_id, ${granularity}, (ts / ${ms}) * ${ms}, count(*), sum(status = 0), sum(status = 1), coalesce(sum(latency_ms), 0), count(latency_ms)
          from check_results where ts >= ${from} and ts < ${until}
          group by check_id, ts / ${ms}
          on conflict (subject_kind, subject_id, granularity, bucket_start) do update set
            samples = samples + excluded.samples, up_samples = up_samples + excluded.up_samples,
            degraded_samples = degraded_samples + excluded.degraded_samples,
            latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms, latency_samples = latency_samples + excluded.latency_samples`),
        deferredSql(db, sql`
          insert into rollups (subject_kind, subject_id, granularity, bucket_start, samples, up_samples, degraded_samples, latency_sum_ms, latency_samples)
          select 'asset', c.asset_id, ${granularity}, (r.ts / ${ms}) * ${ms}, count(*), sum(r.status = 0), sum(r.status = 1), coalesce(sum(r.latency_ms), 0), count(r.latency_ms)
          from check_results r join checks c on c.id = r.check_id
          where r.ts >= ${from} and r.ts < ${until}
          group by c.asset_id, r.ts / ${ms}
          on conflict (subject_kind, subject_id, granularity, bucket_start) do update set
            samples = samples + excluded.samples, up_samples = up_samples + excluded.up_samples,
            degraded_samples = degraded_samples + excluded.degraded_samples,
            latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms, latency_samples = latency_samples + excluded.latency_samples`),
      );
    }
    statements.push(setMark(db, ROLLUP_MARK, until));
  }
  const [sampled] = await db.select().from(engineMarks).where(eq(engineMarks.name, FUNCTION_SAMPLE_MARK));
  if (!sampled || now - sampled.value >= 60_000) {
    for (const { granularity, ms } of BUCKETS) {
      const bucket = Math.floor(now / ms) * ms;
      statements.push(
        deferredSql(db, sql`
          insert into rollups (subject_kind, subject_id, granularity, bucket_start, samples, up_samples, degraded_samples, latency_sum_ms, latency_samples)
          select 'function', function_id, ${granularity}, ${bucket}, 1, status = 'operational', status = 'degraded', 0, 0 from function_states where true
          on conflict (subject_kind, subject_id, granularity, bucket_start) do update set
            samples = samples + 1, up_samples = up_samples + excluded.up_samples, degraded_samples = degraded_samples + excluded.degraded_samples`),
      );
    }
    statements.push(setMark(db, FUNCTION_SAMPLE_MARK, now));
  }
  await commitAtomically(db, statements);
  return { from, until: Math.max(from, until) };
}

function setMark(db: Db, name: string, value: number): Statement {
  return db.insert(engineMarks).values({ name, value }).onConflictDoUpdate({ target: engineMarks.name, set: { value } });
}

/** Deletes raw results past the retention window and rollups past theirs: disk stays bounded. */
export async function pruneHistory(db: Db, now: number, retentionDays: number): Promise<void> {
  await commitAtomically(db, [
    db.delete(checkResults).where(lt(checkResults.ts, now - retentionDays * DAY_MS)),
    db.delete(rollups).where(and(eq(rollups.granularity, 'hour'), lt(rollups.bucketStart, now - HOURLY_KEEP_DAYS * DAY_MS))),
    db.delete(rollups).where(and(eq(rollups.granularity, 'day'), lt(rollups.bucketStart, now - DAILY_KEEP_DAYS * DAY_MS))),
  ]);
}

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
