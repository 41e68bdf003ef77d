import { and, eq, gte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../store/client.js';
import { idsIn } from '../../store/ids.js';
import { rollups } from '../../store/schema/index.js';
import { DAY_MS } from '../../domain/time.js';

/** Days of uptime bars per component. */
export const UPTIME_DAYS = 90;

export interface UptimeDay {
  /** Start of the UTC day, ms. */
  day: number;
  samples: number;
  /** Share of samples that were up (degraded counts as up), null without samples. */
  ratio: number | null;
}

export interface Uptime {
  days: UptimeDay[];
  ratio: number | null;
}

/** The UTC days the bars cover, oldest first, ending today. */
export function uptimeDays(now: number): number[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return Array.from({ length: UPTIME_DAYS }, (_, i) => today - (UPTIME_DAYS - 1 - i) * DAY_MS);
}

/**
 * Daily rollups of every subject on the page over the bars' days, in one query, aggregated by
 * SQLite: one row per subject (200 rows for 200 components, not 18,000), its days as a flat list
 * of numbers `dayIndex, samples, available, …` (dayIndex 0 is the oldest bar). Keyed `kind:id`.
 */
export async function readUptime(db: Db, assetIds: number[], functionIds: number[], now: number): Promise<Map<string, number[]>> {
  const subjects: SQL[] = [];
  if (assetIds.length) subjects.push(and(eq(rollups.subjectKind, 'asset'), idsIn(rollups.subjectId, assetIds))!);
  if (functionIds.length) subjects.push(and(eq(rollups.subjectKind, 'function'), idsIn(rollups.subjectId, functionIds))!);
  const bySubject = new Map<string, number[]>();
  if (!subjects.length) return bySubject;
  // Inlined, not bound: a bound JS number is a REAL in SQLite, and the day index must be an integer.
  const first = sql.raw(String(uptimeDays(now)[0]!));
  const day = sql.raw(String(DAY_MS));
  const rows = await db.values<[string, number, string]>(sql`
    select ${rollups.subjectKind}, ${rollups.subjectId},
      group_concat(((${rollups.bucketStart} - ${first}) / ${day}) || ',' || ${rollups.samples} || ',' || (${rollups.upSamples} + ${rollups.degradedSamples}))
    from ${rollups}
    where ${and(eq(rollups.granularity, 'day'), gte(rollups.bucketStart, first), sql`(${rollups.bucketStart} - ${first}) % ${day} = 0`, or(...subjects))}
    group by ${rollups.subjectKind}, ${rollups.subjectId}`);
  for (const [kind, id, list] of rows) bySubject.set(`${kind}:${id}`, JSON.parse(`[${list}]`) as number[]);
  return bySubject;
}

/**
 * Turns one subject's `readUptime` series into its bars and overall ratio. One maker serves every
 * component of a page: a day without data is the same bar on every component (one object per day,
 * shared), and the per-day scratch arrays are reused.
 */
export function uptimeBarMaker(now: number): (series: number[] | undefined) => Uptime {
  const days = uptimeDays(now);
  const emptyBars = days.map((day) => ({ day, samples: 0, ratio: null }));
  const samplesOfDay = new Float64Array(days.length);
  const availableOfDay = new Float64Array(days.length);
  return (series) => {
    if (!series) return { days: emptyBars, ratio: null };
    samplesOfDay.fill(0);
    availableOfDay.fill(0);
    for (let i = 0; i < series.length; i += 3) {
      samplesOfDay[series[i]!] = series[i + 1]!;
      availableOfDay[series[i]!] = series[i + 2]!;
    }
    let samples = 0;
    let available = 0;
    const bars = new Array<UptimeDay>(days.length);
    for (let i = 0; i < days.length; i++) {
      const n = samplesOfDay[i]!;
      if (n <= 0) {
        bars[i] = emptyBars[i]!;
        continue;
      }
      samples += n;
      available += availableOfDay[i]!;
      bars[i] = { day: days[i]!, samples: n, ratio: Math.min(1, availableOfDay[i]! / n) };
    }
    return { days: bars, ratio: samples ? Math.min(1, available / samples) : null };
  };
}
