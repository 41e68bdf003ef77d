// A rollup run's arithmetic: raw results grouped by SQLite per check and hour, chunk by chunk,
// merged here into one set of sums per subject and bucket, then written as one upsert per row.
// A minute at 10,000 checks/s is 600,000 results but only ~40,000 rollup rows touched, once each.
import { sql, type SQL } from 'drizzle-orm';
import { DAY_MS } from '../domain/time.js';
import { rowidLiteral } from './result-rowids.js';

export const HOUR_MS = 3_600_000;

export interface BucketSums {
  samples: number;
  up: number;
  degraded: number;
  latencySum: number;
  latencySamples: number;
}

export interface RollupRow extends BucketSums {
  subjectKind: 'check' | 'asset';
  subjectId: number;
  granularity: 'hour' | 'day';
  bucketStart: number;
}

/** One check's results in one hour, and the asset the check belongs to (null: the check is gone). */
export type HourGroup = BucketSums & { checkId: number; hour: number; assetId: number | null };

/**
 * One chunk of results, (after, until] by rowid, grouped per check and hour, with each check's
 * asset: a seek on the table's own key, never a scan. `legacyFrom` keeps rows dated before it out (see history.ts).
 */
export function hourGroupsSql(after: number, until: number, legacyFrom: number | null = null): SQL {
  // The hour is inlined, not bound: a bound JS number is a REAL in SQLite, and `ts / 3600000.0`
  // is not integer division, so every result would land in a bucket of its own.
  const hour = sql.raw(String(HOUR_MS));
  return sql`
    select g.*, (select asset_id from checks where id = g.checkId) as assetId from (
      select check_id as checkId, ts / ${hour} as hour, count(*) as samples, sum(status = 0) as up,
        sum(status = 1) as degraded, coalesce(sum(latency_ms), 0) as latencySum, count(latency_ms) as latencySamples
      from check_results
      where rowid > ${rowidLiteral(after)} and rowid <= ${rowidLiteral(until)}${legacyFrom === null ? sql`` : sql` and ts >= ${legacyFrom}`}
      group by check_id, ts / ${hour}
    ) g`;
}

/** Hour indexes stay below this until 2084: a subject and an hour (or day) make one number key. */
export const BUCKET_KEY_SPAN = 1_000_000;

/**
 * The rollup rows a run's results add to, summed as each chunk's groups arrive: per check and
 * per asset, hourly and daily. Results of a check no longer configured count for the check but,
 * with no asset to belong to, for no asset.
 */
export class RollupSums {
  private readonly buckets = (['check', 'asset'] as const).flatMap((subjectKind) =>
    (['hour', 'day'] as const).map((granularity) => ({ subjectKind, granularity, ms: granularity === 'hour' ? HOUR_MS : DAY_MS, rows: new Map<number, RollupRow>() })),
  );

  add(groups: readonly HourGroup[]): void {
    for (const group of groups) {
      const checkId = Number(group.checkId);
      const hourStart = Number(group.hour) * HOUR_MS;
      const assetId = group.assetId === null ? undefined : Number(group.assetId);
      for (const bucket of this.buckets) {
        const subjectId = bucket.subjectKind === 'check' ? checkId : assetId;
        if (subjectId === undefined) continue;
        const index = Math.floor(hourStart / bucket.ms);
        const key = subjectId * BUCKET_KEY_SPAN + index;
        const row = bucket.rows.get(key);
        if (row) addSums(row, group);
        else bucket.rows.set(key, { subjectKind: bucket.subjectKind, subjectId, granularity: bucket.granularity, bucketStart: index * bucket.ms, ...numbers(group) });
      }
    }
  }

  /**
   * In the rollups table's key order (subject kind, subject, granularity, bucket start, as SQLite
   * compares them). Upserted in the order the results came (the order checks come due, not id
   * order), a run's new rows landed all over the b-tree, splitting pages everywhere. For a minute at
   * 100,000 checks (400,000 rows) that took 5.9–6.0 s of write CPU as new rows and 2.0–2.2 s as
   * updates, against 1.2–1.7 s and 1.3–1.5 s in key order (`node --import tsx
   * tests/bench/rollup-cost.ts 100000 2`, 2026-12-05 19:40 UTC).
   */
  rows(): RollupRow[] {
    return this.buckets.flatMap((bucket) => [...bucket.rows.values()]).sort(inKeyOrder);
  }
}

function inKeyOrder(a: RollupRow, b: RollupRow): number {
  if (a.subjectKind !== b.subjectKind) return a.subjectKind < b.subjectKind ? -1 : 1;
  if (a.subjectId !== b.subjectId) return a.subjectId - b.subjectId;
  if (a.granularity !== b.granularity) return a.granularity < b.granularity ? -1 : 1;
  return a.bucketStart - b.bucketStart;
}

function numbers(sums: BucketSums): BucketSums {
  return { samples: Number(sums.samples), up: Number(sums.up), degraded: Number(sums.degraded), latencySum: Number(sums.latencySum), latencySamples: Number(sums.latencySamples) };
}

function addSums(into: BucketSums, sums: BucketSums): void {
  into.samples += Number(sums.samples);
  into.up += Number(sums.up);
  into.degraded += Number(sums.degraded);
  into.latencySum += Number(sums.latencySum);
  into.latencySamples += Number(sums.latencySamples);
}
