// Everything the watch floor shows, in a fixed handful of queries whatever the fleet's size.
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import { assets, events, incidentUpdates } from '../../store/schema/index.js';
import { eventFields } from '../../domain/events.js';
import type { AssetStatus, FunctionStatus, IncidentUpdateStatus, RedundancyState, UpdateVisibility } from '../../domain/enums.js';
import { authorize } from '../../domain/roles.js';
import type { AssetView } from '../assets.js';
import { elementWarnings } from '../satellites.js';
import type { ServiceContext } from '../context.js';
import { listFunctions, type FunctionView } from '../functions.js';
import { listIncidents, type IncidentView } from '../incidents.js';
import { latestEventId } from './live-events.js';
import { nextPassesByStation, type StationPasses } from './watch-passes.js';
import { drillReach, readRunningDrills, watchDrills, type AssetNames, type RunningDrill, type WatchDrill } from './watch-drills.js';
import { idsIn } from '../../store/ids.js';
import { readCheckNotes, readVantages, type CheckNote, type WatchVantage } from './watch-vantages.js';

/** Far more than any ground segment has; the watch floor shows every asset and function. */
const ALL = 100_000;
const OPEN_INCIDENTS_SHOWN = 50;

/** A group now: its members with their status, and the spares left (see functions.ts). */
export type GroupStanding = FunctionView['standing'][number];

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
  sparesLeft: number | null;
  continuity: string | null;
  singlePointsOfFailure: FunctionView['singlePointsOfFailure'];
  commonModeRisks: number;
  drillRunId: number | null;
  marking: FunctionView['marking'];
}

/** One asset as the watch floor page renders it (expanded from the asset rows, see `watchAssets`). */
export interface WatchAsset {
  id: number;
  key: string;
  name: string;
  kind: AssetView['kind'];
  region: string | null;
  status: AssetStatus;
  /** When the current status began, ms since the epoch; null without a status. */
  since: number | null;
  reason: string | null;
  lat: number | null;
  lon: number | null;
  link: { fromAssetId: number | null; toAssetId: number | null } | null;
  latencyMs: number | null;
  warnings: string[];
  drillRunId: number | null;
  /** Its checks whose vantages disagree (disputed) or are too few to say. */
  checkNotes: CheckNote[];
}

export interface WatchIncident extends IncidentView {
  assetName: string | null;
  functionNames: string[];
  /** The symptoms still failing, by name: attached to this incident's cause rather than paged on their own. */
  symptoms: string[];
  latestUpdate: { status: IncidentUpdateStatus; message: string; author: string; at: number; visibility: UpdateVisibility } | null;
  updateCount: number;
}

/**
 * The fields of each asset row, in order. The watch floor's JSON carries the assets as a table
 * (these names once, then one array per asset) rather than one object per asset: for 10,000
 * assets the repeated key names were half of a 3 MB answer.
 */
export const WATCH_ASSET_FIELDS = ['id', 'key', 'name', 'kind', 'region', 'status', 'since', 'reason', 'lat', 'lon', 'linkFromAssetId', 'linkToAssetId', 'latencyMs'] as const;
type AssetRow = [number, string, string, AssetView['kind'], string | null, AssetStatus, number | null, string | null, number | null, number | null, number | null, number | null, number | null];

export interface WatchFloorData {
  functions: WatchFunction[];
  /**
   * Every asset, in id order: one JSON array per asset, fields as WATCH_ASSET_FIELDS, written by
   * SQLite. The JSON answer splices them in as they are; the page expands them (`watchAssets`).
   */
  assetRows: string[];
  /** Warnings by asset id (stale or missing orbital elements of a station's satellites); most assets have none. */
  warnings: Map<number, string[]>;
  incidents: WatchIncident[];
  drills: WatchDrill[];
  passes: Array<StationPasses & { stationKey: string; stationName: string }>;
  /** The places that probe, with their health (central first). */
  vantages: WatchVantage[];
  /** Disputed checks and checks unknown for want of vantages, by asset id. */
  checkNotes: Map<number, CheckNote[]>;
  /** Passes that ended without contact in the last day, newest first. */
  missedContacts: MissedContactLine[];
  /** The newest event when the page was read: the live stream continues from here. */
  lastEventId: number;
  now: number;
}

export interface MissedContactLine {
  stationKey: string;
  satelliteKey: string;
  aosMs: number;
  losMs: number;
}

const MISSED_CONTACTS_SHOWN = 10;
const DAY_MS = 86_400_000;

/**
 * Every asset as a JSON array (WATCH_ASSET_FIELDS), built by SQLite in one statement: no object
 * per asset on this side, and the text goes out as it is. The latency is that of the newest
 * result of each enabled check (its check_latest row), the newest of them per asset.
 * One short string per row rather than one aggregate: D1 caps a value at 2 MB.
 */
async function readAssetRows(ctx: ServiceContext): Promise<string[]> {
  const rows = await ctx.db.values<[string]>(sql`
    select json_array(a.id, a.key, a.name, a.kind, a.region, coalesce(s.status, 'unknown'), s.since, s.reason, round(a.lat, 5), round(a.lon, 5),
      case when a.kind = 'network_link' then a.link_from_asset_id end, case when a.kind = 'network_link' then a.link_to_asset_id end,
      (select l.latency_ms from checks c join check_latest l on l.check_id = c.id
       where c.asset_id = a.id and c.enabled = 1 and l.latency_ms is not null
       order by l.ts desc limit 1))
    from assets a left join asset_states s on s.asset_id = a.id
    order by a.id`);
  const out = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rows[i]![0];
  return out;
}

export async function loadWatchFloor(ctx: ServiceContext): Promise<WatchFloorData> {
  authorize(ctx.actor, 'read');
  const { db } = ctx;
  const now = ctx.now();
  // Read the event cursor first: anything that changes while the page is read streams afterwards.
  const lastEventId = await latestEventId(db);

  const assetRows = await readAssetRows(ctx);
  const functionPage = await listFunctions(ctx, { limit: ALL });
  const incidentPage = await listIncidents(ctx, { state: 'open', limit: OPEN_INCIDENTS_SHOWN });
  const stations = await readContactStations(ctx);
  const warnings = await elementWarnings(ctx, stations);
  const running = await readRunningDrills(ctx);
  const updates = await readIncidentUpdates(ctx, incidentPage.items);
  const assetNames = await readNamedAssets(ctx, incidentPage.items, running);
  const functionById = new Map(functionPage.items.map((f) => [f.id, f]));
  const reach = await drillReach(ctx, running, functionById);

  return {
    functions: watchFunctions(functionPage.items, reach.drillOfFunction),
    assetRows,
    warnings,
    incidents: watchIncidents(incidentPage.items, updates, assetNames, functionById),
    drills: watchDrills(running, assetNames, functionById, reach.drillAssetIds),
    passes: await stationPasses(ctx, stations, now),
    missedContacts: await readMissedContacts(ctx, now),
    vantages: await readVantages(db),
    checkNotes: await readCheckNotes(db),
    lastEventId,
    now,
  };
}

async function readMissedContacts({ db }: ServiceContext, now: number): Promise<MissedContactLine[]> {
  const rows = await db.select({ subjectKey: events.subjectKey, data: events.data }).from(events)
    .where(and(eq(events.type, 'contact.missed'), gt(events.ts, now - DAY_MS)))
    .orderBy(desc(events.id)).limit(MISSED_CONTACTS_SHOWN);
  return rows.map(({ subjectKey, data }) => {
    const d = eventFields(data);
    return { stationKey: d.assetKey ?? subjectKey ?? '', satelliteKey: d.satelliteKey ?? '', aosMs: d.aosMs ?? 0, losMs: d.losMs ?? 0 };
  });
}

type Station = Awaited<ReturnType<typeof readContactStations>>[number];

/** Ground stations with contact checks (the only ones with element warnings or passes). */
async function readContactStations({ db }: ServiceContext) {
  return db
    .select({ id: assets.id, key: assets.key, name: assets.name, kind: assets.kind, lat: assets.lat, lon: assets.lon, altM: assets.altM })
    .from(assets)
    .where(and(eq(assets.kind, 'ground_station'), sql`exists (select 1 from checks c where c.asset_id = ${assets.id} and c.kind = 'contact')`))
    .orderBy(asc(assets.id));
}

async function readIncidentUpdates({ db }: ServiceContext, incidents: IncidentView[]) {
  const incidentIds = incidents.map((i) => i.id);
  return incidentIds.length
    ? db.select().from(incidentUpdates).where(idsIn(incidentUpdates.incidentId, incidentIds)).orderBy(asc(incidentUpdates.ts), asc(incidentUpdates.id))
    : [];
}

/** Names of the few assets named elsewhere on the floor (incidents, drill targets), ids inlined. */
async function readNamedAssets({ db }: ServiceContext, incidents: IncidentView[], running: RunningDrill[]): Promise<AssetNames> {
  const named = new Set<number>();
  for (const i of incidents) {
    if (i.assetId !== null) named.add(i.assetId);
    for (const child of i.children) if ('assetId' in child && child.assetId !== undefined) named.add(child.assetId);
  }
  for (const { run } of running) for (const id of run.targetAssetIds) named.add(id);
  const nameRows = named.size ? await db.select({ id: assets.id, key: assets.key, name: assets.name }).from(assets).where(idsIn(assets.id, [...named])) : [];
  return new Map(nameRows.map((a) => [a.id, a]));
}

function watchFunctions(functions: FunctionView[], drillOfFunction: Map<number, number>): WatchFunction[] {
  return functions.map((f) => ({
    id: f.id,
    key: f.key,
    name: f.name,
    tier: f.tier,
    status: f.status,
    redundancy: f.redundancy,
    since: f.statusSince,
    rtoSeconds: f.rtoSeconds,
    groups: f.standing,
    sparesLeft: f.sparesLeft,
    continuity: f.continuity,
    singlePointsOfFailure: f.singlePointsOfFailure,
    commonModeRisks: f.commonMode.length,
    drillRunId: drillOfFunction.get(f.id) ?? null,
    marking: f.marking,
  }));
}

function watchIncidents(
  incidents: IncidentView[],
  updates: Awaited<ReturnType<typeof readIncidentUpdates>>,
  assetNames: AssetNames,
  functionById: Map<number, FunctionView>,
): WatchIncident[] {
  const updatesByIncident = new Map<number, typeof updates>();
  for (const u of updates) {
    const list = updatesByIncident.get(u.incidentId) ?? [];
    list.push(u);
    updatesByIncident.set(u.incidentId, list);
  }
  return incidents.map((i) => {
    const list = updatesByIncident.get(i.id) ?? [];
    const last = list[list.length - 1];
    return {
      ...i,
      assetName: i.assetId === null ? null : (assetNames.get(i.assetId)?.name ?? null),
      functionNames: i.functionIds.flatMap((id) => (functionById.has(id) ? [functionById.get(id)!.name] : [])),
      symptoms: i.children.filter((c) => c.clearedAt === null).map((c) =>
        'assetId' in c ? assetNames.get(c.assetId)?.name ?? c.key : functionById.get(c.functionId)?.name ?? c.key),
      latestUpdate: last ? { status: last.status, message: last.message, author: last.author, at: last.ts, visibility: last.visibility } : null,
      updateCount: list.length,
    };
  });
}

async function stationPasses({ db }: ServiceContext, stations: Station[], now: number): Promise<WatchFloorData['passes']> {
  const byStation = await nextPassesByStation(db, stations, now, 2);
  const stationById = new Map(stations.map((s) => [s.id, s]));
  return byStation.map((p) => {
    const station = stationById.get(p.stationId)!;
    return { ...p, stationKey: station.key, stationName: station.name };
  });
}

/**
 * The watch floor's JSON (`/watch.json`), serialized once: the small parts through
 * JSON.stringify, the asset rows spliced in as SQLite wrote them.
 *
 * `{ now, lastEventId, functions, assetFields, assets: [[…], …], warnings: { assetId: [text] },
 *    incidents, drills: [{ …, assetIds }], passes }` — `since` and every other time is ms since
 * the epoch, except the function and incident views' ISO strings (as in the API).
 */
export function watchFloorJson(data: WatchFloorData): string {
  const warnings: Record<string, string[]> = {};
  for (const [id, list] of data.warnings) warnings[id] = list;
  return (
    `{"now":${JSON.stringify(data.now)},"lastEventId":${JSON.stringify(data.lastEventId)},` +
    `"functions":${JSON.stringify(data.functions)},"assetFields":${JSON.stringify(WATCH_ASSET_FIELDS)},` +
    `"assets":[${data.assetRows.join(',')}],"warnings":${JSON.stringify(warnings)},` +
    `"incidents":${JSON.stringify(data.incidents)},"drills":${JSON.stringify(data.drills)},"passes":${JSON.stringify(data.passes)}}`
  );
}

/** The asset rows as objects, with their warnings and drill marks: what the HTML page renders. */
export function watchAssets(data: WatchFloorData): WatchAsset[] {
  const drillOf = new Map<number, number>();
  for (const d of data.drills) for (const id of d.assetIds) drillOf.set(id, d.runId);
  const rows = JSON.parse(`[${data.assetRows.join(',')}]`) as AssetRow[];
  return rows.map(([id, key, name, kind, region, status, since, reason, lat, lon, linkFrom, linkTo, latencyMs]) => ({
    id,
    key,
    name,
    kind,
    region,
    status,
    since,
    reason,
    lat,
    lon,
    link: kind === 'network_link' ? { fromAssetId: linkFrom, toAssetId: linkTo } : null,
    latencyMs,
    warnings: data.warnings.get(id) ?? [],
    drillRunId: drillOf.get(id) ?? null,
    checkNotes: data.checkNotes.get(id) ?? [],
  }));
}
