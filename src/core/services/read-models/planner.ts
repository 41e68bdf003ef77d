// Reads the planner's pages need beyond the services: locations for the map, the points of the
// recovery-trend charts, and which drill each run belongs to. Read-only.
import { and, asc, desc, eq, gte, isNotNull } from 'drizzle-orm';
import type { Db } from '../../store/client.js';
import { assets, drillRuns, drills, incidents, missionFunctions } from '../../store/schema/index.js';
import { idsIn } from '../../store/ids.js';

export interface PlacedAsset {
  id: number;
  key: string;
  name: string;
  kind: string;
  lat: number | null;
  lon: number | null;
  linkFromAssetId: number | null;
  linkToAssetId: number | null;
}

export async function assetPlaces(db: Db): Promise<PlacedAsset[]> {
  return db
    .select({
      id: assets.id, key: assets.key, name: assets.name, kind: assets.kind, lat: assets.lat, lon: assets.lon,
      linkFromAssetId: assets.linkFromAssetId, linkToAssetId: assets.linkToAssetId,
    })
    .from(assets)
    .orderBy(asc(assets.id));
}

export async function functionNames(db: Db): Promise<Map<number, { key: string; name: string; rtoSeconds: number; mtdSeconds: number; tier: string }>> {
  const rows = await db
    .select({ id: missionFunctions.id, key: missionFunctions.key, name: missionFunctions.name, rtoSeconds: missionFunctions.rtoSeconds, mtdSeconds: missionFunctions.mtdSeconds, tier: missionFunctions.tier })
    .from(missionFunctions);
  return new Map(rows.map((r) => [r.id, r]));
}

/** The drill each run belongs to (for links from findings). */
export async function runDrills(db: Db, runIds: number[]): Promise<Map<number, { drillId: number; drillName: string }>> {
  if (!runIds.length) return new Map();
  const rows = await db
    .select({ runId: drillRuns.id, drillId: drillRuns.drillId, drillName: drills.name })
    .from(drillRuns)
    .innerJoin(drills, eq(drills.id, drillRuns.drillId))
    .where(idsIn(drillRuns.id, [...new Set(runIds)]));
  return new Map(rows.map((r) => [r.runId, { drillId: r.drillId, drillName: r.drillName }]));
}

/** The latest run of every drill, one query. */
export async function latestRuns(db: Db) {
  const rows = await db.select().from(drillRuns).orderBy(desc(drillRuns.id)).limit(2000);
  const latest = new Map<number, (typeof rows)[number]>();
  for (const r of rows) if (!latest.has(r.drillId)) latest.set(r.drillId, r);
  return latest;
}

/** One measured recovery: from a completed drill run or a resolved real incident. */
export interface TrendPoint {
  at: number;
  source: 'drill' | 'incident';
  /** "Drill run 12 of Tokyo failover", or the incident's title (its ref is an opaque id). */
  label: string;
  href: string | null;
  ttdMs: number | null;
  ttfMs: number | null;
  ttrMs: number | null;
  rtoMet: boolean | null;
}

/** Per function, the recoveries measured since `sinceMs`, oldest first. */
export async function trendPoints(db: Db, sinceMs: number): Promise<Map<number, TrendPoint[]>> {
  const runs = await db
    .select({ run: drillRuns, drillName: drills.name })
    .from(drillRuns)
    .innerJoin(drills, eq(drills.id, drillRuns.drillId))
    .where(and(eq(drillRuns.status, 'completed'), isNotNull(drillRuns.startedAt), gte(drillRuns.startedAt, sinceMs)))
    .orderBy(asc(drillRuns.startedAt))
    .limit(5000);
  const resolved = await db
    .select()
    .from(incidents)
    .where(and(isNotNull(incidents.resolvedAt), gte(incidents.startedAt, sinceMs)))
    .orderBy(asc(incidents.startedAt))
    .limit(5000);
  const fns = await functionNames(db);
  const byFunction = new Map<number, TrendPoint[]>();
  const add = (fnId: number, p: TrendPoint) => byFunction.set(fnId, [...(byFunction.get(fnId) ?? []), p]);
  for (const { run, drillName } of runs) {
    const started = run.startedAt!;
    const since = (at: number | null) => (at === null ? null : at - started);
    for (const fnId of run.functionIds) {
      add(fnId, {
        at: started, source: 'drill', label: `Drill run ${run.id} of ${drillName}`, href: `/planner/drills/${run.drillId}/runs/${run.id}`,
        ttdMs: since(run.detectedAt), ttfMs: since(run.failoverCompletedAt), ttrMs: since(run.restoredAt), rtoMet: run.rtoMet,
      });
    }
  }
  for (const i of resolved) {
    const ttr = i.resolvedAt! - i.startedAt;
    for (const fnId of i.functionIds) {
      const rto = fns.get(fnId)?.rtoSeconds;
      add(fnId, {
        at: i.startedAt, source: 'incident', label: i.title, href: null,
        ttdMs: i.openedAt - i.startedAt, ttfMs: null, ttrMs: ttr, rtoMet: rto === undefined ? null : ttr <= rto * 1000,
      });
    }
  }
  for (const points of byFunction.values()) points.sort((a, b) => a.at - b.at);
  return byFunction;
}
