// Everything the watch floor shows, in a fixed handful of queries whatever the fleet's size.
import { asc, eq, inArray, max, sql } from 'drizzle-orm';
import { checks, drillRuns, drills, events, incidentUpdates } from '../../db/schema/index.js';
import type { AssetStatus, FunctionStatus, IncidentUpdateStatus, RedundancyState } from '../../domain/enums.js';
import { authorize } from '../../domain/roles.js';
import { isoTime } from '../../domain/time.js';
import type { AssetView } from '../../services/assets.js';
import { elementWarnings } from '../../services/satellites.js';
import type { ServiceContext } from '../../services/context.js';
import { listFunctions, type FunctionView } from '../../services/functions.js';
import { listIncidents, type IncidentView } from '../../services/incidents.js';
import { nextPassesByStation, type StationPasses } from './passes.js';
import { drillDisturbance } from '../../drills/disturbance.js';

/** Far more than any ground segment has; the watch floor shows every asset and function. */
const ALL = 100_000;
const OPEN_INCIDENTS_SHOWN = 50;

export interface GroupStanding {
  name: string;
  k: number;
  n: number;
  available: number;
}

export interface WatchFunction {
  id: number;
  key: string;
  name: string;
  tier: FunctionView['tier'];
  status: FunctionStatus;
  redundancy: RedundancyState;
  since: string | null;
  rtoSeconds: number;
  groups: GroupStanding[];
  commonModeRisks: number;
  drillRunId: number | null;
}

export interface WatchAsset {
  id: number;
  key: string;
  name: string;
  kind: AssetView['kind'];
  region: string | null;
  status: AssetStatus;
  since: string | null;
  reason: string | null;
  lat: number | null;
  lon: number | null;
  link: { fromAssetId: number | null; toAssetId: number | null } | null;
  latencyMs: number | null;
  latencyAt: number | null;
  warnings: string[];
  drillRunId: number | null;
}

export interface WatchIncident extends IncidentView {
  assetName: string | null;
  functionNames: string[];
  latestUpdate: { status: IncidentUpdateStatus; message: string; author: string; at: number } | null;
  updateCount: number;
}

export interface WatchDrill {
  runId: number;
  drillKey: string;
  drillName: string;
  mode: 'simulated' | 'live';
  phase: string;
  startedAt: number | null;
  targets: Array<{ key: string; name: string }>;
  functionNames: string[];
}

export interface WatchFloorData {
  functions: WatchFunction[];
  assets: WatchAsset[];
  incidents: WatchIncident[];
  drills: WatchDrill[];
  passes: Array<StationPasses & { stationKey: string; stationName: string }>;
  /** The newest event when the page was read: the live stream continues from here. */
  lastEventId: number;
  now: number;
}

const UNAVAILABLE: ReadonlySet<string> = new Set(['down', 'maintenance']);

/**
 * Every asset with only the fields the watch floor shows. Reading whole asset rows (two dozen
 * columns) costs several times more for a large fleet: SQLite and the driver build every column.
 */
async function readWatchAssets(ctx: ServiceContext) {
  authorize(ctx.actor, 'read');
  // Raw rows, not drizzle's mapped ones: for 10,000 assets the mapping alone doubled the time.
  const rows = await ctx.db.all<{
    id: number; key: string; name: string; kind: string; region: string | null; lat: number | null; lon: number | null; altM: number | null;
    linkFromAssetId: number | null; linkToAssetId: number | null; status: string | null; since: number | null; reason: string | null;
  }>(sql`
    select a.id as id, a.key as key, a.name as name, a.kind as kind, a.region as region, a.lat as lat, a.lon as lon, a.alt_m as altM,
      a.link_from_asset_id as linkFromAssetId, a.link_to_asset_id as linkToAssetId, s.status as status, s.since as since, s.reason as reason
    from assets a left join asset_states s on s.asset_id = a.id
    order by a.id limit ${ALL}`);
  const warnings = await elementWarnings(ctx, rows);
  return {
    items: rows.map((r) => ({
      id: r.id, key: r.key, name: r.name, kind: r.kind as AssetView['kind'], region: r.region, lat: r.lat, lon: r.lon, altM: r.altM,
      link: r.kind === 'network_link' ? { fromAssetId: r.linkFromAssetId, toAssetId: r.linkToAssetId } : null,
      status: (r.status ?? 'unknown') as AssetStatus,
      statusSince: isoTime(r.since ?? null),
      statusReason: r.reason ?? null,
      warnings: warnings.get(r.id) ?? [],
    })),
  };
}

export async function loadWatchFloor(ctx: ServiceContext): Promise<WatchFloorData> {
  const { db } = ctx;
  const now = ctx.now();
  // Read the event cursor first: anything that changes while the page is read streams afterwards.
  const [latest] = await db.select({ id: max(events.id) }).from(events);
  const lastEventId = latest?.id ?? 0;

  const assetPage = await readWatchAssets(ctx);
  const functionPage = await listFunctions(ctx, { limit: ALL });
  const incidentPage = await listIncidents(ctx, { state: 'open', limit: OPEN_INCIDENTS_SHOWN });

  // The latest result of every enabled check: one index seek per check (its newest row), in one statement.
  const latestResults = await db.all<{ assetId: number; ts: number | null; latencyMs: number | null }>(sql`
    select c.asset_id as assetId, r.ts as ts, r.latency_ms as latencyMs
    from checks c join check_results r
      on r.rowid = (select rowid from check_results where check_id = c.id order by ts desc limit 1)
    where c.enabled = 1`);
  const latency = new Map<number, { ms: number; at: number }>();
  for (const r of latestResults) {
    if (r.ts === null || r.latencyMs === null) continue;
    const seen = latency.get(r.assetId);
    if (!seen || r.ts > seen.at) latency.set(r.assetId, { ms: r.latencyMs, at: r.ts });
  }

  const running = await db
    .select({ run: drillRuns, drillKey: drills.key, drillName: drills.name, mode: drills.mode })
    .from(drillRuns)
    .innerJoin(drills, eq(drills.id, drillRuns.drillId))
    .where(eq(drillRuns.status, 'running'))
    .orderBy(asc(drillRuns.id));

  const incidentIds = incidentPage.items.map((i) => i.id);
  const updates = incidentIds.length
    ? await db.select().from(incidentUpdates).where(inArray(incidentUpdates.incidentId, incidentIds)).orderBy(asc(incidentUpdates.ts), asc(incidentUpdates.id))
    : [];

  const assetById = new Map(assetPage.items.map((a) => [a.id, a]));
  const functionById = new Map(functionPage.items.map((f) => [f.id, f]));

  // What each running drill touches: the same rule the drill runner marks events by.
  const drillOfAsset = new Map<number, number>();
  const drillOfFunction = new Map<number, number>();
  const inventory = {
    assets: assetPage.items.map((a) => ({ id: a.id, kind: a.kind, linkFromAssetId: a.link?.fromAssetId ?? null, linkToAssetId: a.link?.toAssetId ?? null })),
    functionGroups: (id: number) => functionById.get(id)?.groups ?? [],
  };
  for (const { run } of running) {
    for (const id of drillDisturbance(run.targetAssetIds, run.functionIds, inventory).all) drillOfAsset.set(id, run.id);
    for (const id of run.functionIds) drillOfFunction.set(id, run.id);
  }

  const functionStatus = new Map(functionPage.items.map((f) => [f.id, f.status]));
  const memberAvailable = (m: { assetId: number } | { functionId: number }) =>
    'assetId' in m ? !UNAVAILABLE.has(assetById.get(m.assetId)?.status ?? 'unknown') : functionStatus.get(m.functionId) !== 'lost';

  const watchFunctions: WatchFunction[] = functionPage.items.map((f) => ({
    id: f.id,
    key: f.key,
    name: f.name,
    tier: f.tier,
    status: f.status,
    redundancy: f.redundancy,
    since: f.statusSince,
    rtoSeconds: f.rtoSeconds,
    groups: f.groups.map((g) => ({ name: g.name, k: g.k, n: g.members.length, available: g.members.filter(memberAvailable).length })),
    commonModeRisks: f.commonMode.length,
    drillRunId: drillOfFunction.get(f.id) ?? null,
  }));

  const watchAssets: WatchAsset[] = assetPage.items.map((a) => ({
    id: a.id,
    key: a.key,
    name: a.name,
    kind: a.kind,
    region: a.region,
    status: a.status,
    since: a.statusSince,
    reason: a.statusReason,
    lat: a.lat,
    lon: a.lon,
    link: a.link ? { fromAssetId: a.link.fromAssetId, toAssetId: a.link.toAssetId } : null,
    latencyMs: latency.get(a.id)?.ms ?? null,
    latencyAt: latency.get(a.id)?.at ?? null,
    warnings: a.warnings,
    drillRunId: drillOfAsset.get(a.id) ?? null,
  }));

  const updatesByIncident = new Map<number, typeof updates>();
  for (const u of updates) {
    const list = updatesByIncident.get(u.incidentId) ?? [];
    list.push(u);
    updatesByIncident.set(u.incidentId, list);
  }
  const watchIncidents: WatchIncident[] = incidentPage.items.map((i) => {
    const list = updatesByIncident.get(i.id) ?? [];
    const last = list[list.length - 1];
    return {
      ...i,
      assetName: i.assetId === null ? null : (assetById.get(i.assetId)?.name ?? null),
      functionNames: i.functionIds.flatMap((id) => (functionById.has(id) ? [functionById.get(id)!.name] : [])),
      latestUpdate: last ? { status: last.status, message: last.message, author: last.author, at: last.ts } : null,
      updateCount: list.length,
    };
  });

  const watchDrills: WatchDrill[] = running.map(({ run, drillKey, drillName, mode }) => ({
    runId: run.id,
    drillKey,
    drillName,
    mode,
    phase: run.phase,
    startedAt: run.startedAt,
    targets: run.targetAssetIds.map((id) => {
      const a = assetById.get(id);
      return { key: a?.key ?? String(id), name: a?.name ?? `asset ${id}` };
    }),
    functionNames: run.functionIds.flatMap((id) => (functionById.has(id) ? [functionById.get(id)!.name] : [])),
  }));

  const stations = assetPage.items.filter((a) => a.kind === 'ground_station');
  const stationPasses = await nextPassesByStation(db, stations, now, 2);
  const passes = stationPasses.map((p) => {
    const station = assetById.get(p.stationId)!;
    return { ...p, stationKey: station.key, stationName: station.name };
  });

  return { functions: watchFunctions, assets: watchAssets, incidents: watchIncidents, drills: watchDrills, passes, lastEventId, now };
}
