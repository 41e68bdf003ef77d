// Planning: the statements that record a batch — results, state changes, incidents and their
// events — to be committed in one transaction. Memory is updated as the plan is made.
import { sql } from 'drizzle-orm';
import { insertChunks, type Db, type Statement } from '../store/client.js';
import { assetStates, checkStates, functionStates } from '../store/schema/index.js';
import type { WriteContext } from '../store/context.js';
import { recordEvents, type EventSpec } from '../store/events.js';
import type { Severity } from '../domain/enums.js';
import type { EventPayload } from '../domain/events.js';
import { incidentSeverity } from '../domain/severity.js';
import { assetStatusAvailable } from '../domain/impact.js';
import { applyIdle, applyObservation, STATUS_CODE } from './check-state.js';
import type { MissedContact, ObservationRecord } from './check-definition.js';
import { resultInsertStatements } from './result-rows.js';
import { latestUpsertStatements, pushLatestRow } from './latest-rows.js';
import { rowStatements } from '../store/prepared-rows.js';
import { markVoteChanged, memberFor, recombine, voteStatements, type VoteMember } from './votes.js';
import type { AssetNode, CheckRecord } from './monitor-records.js';
import type { FleetState, FunctionNode } from './fleet-state.js';
import {
  drillForAsset,
  drillForFunction,
  functionsHurtBy,
  transitionAssets,
  transitionFunctions,
  type AssetChange,
  type FunctionChange,
} from './fleet-evaluation.js';
import { IncidentPlanner, type WritePlan } from './incident-plan.js';

/** Multi-row upserts take each row's own values. */
const EXCLUDED_CHECK_STATE = { status: sql`excluded.status`, since: sql`excluded.since`, message: sql`excluded.message` };
const EXCLUDED_ASSET_STATE = { status: sql`excluded.status`, since: sql`excluded.since`, reason: sql`excluded.reason` };
const UPSERT_CHECK_STATE_SQL =
  'insert into check_states (check_id, status, since, message) values (?, ?, ?, ?) on conflict (check_id) do update set status = excluded.status, since = excluded.since, message = excluded.message';
const UPSERT_ASSET_STATE_SQL =
  'insert into asset_states (asset_id, status, since, reason) values (?, ?, ?, ?) on conflict (asset_id) do update set status = excluded.status, since = excluded.since, reason = excluded.reason';
type CheckStateRow = typeof checkStates.$inferInsert;
type AssetStateRow = typeof assetStates.$inferInsert;

/** What a batch changed, gathered while it is planned and written at the end. */
export interface ResultChanges {
  dirtyAssets: Set<number>;
  events: EventSpec[];
  checks: Map<number, CheckRecord>;
  /** Multi-vantage checks' votes that changed: check id → members. */
  votes: Map<number, Set<VoteMember>>;
}

export function newResultChanges(dirtyAssets: Set<number>): ResultChanges {
  return { dirtyAssets, events: [], checks: new Map(), votes: new Map() };
}

/**
 * The result rows of a batch of observations; applies them to the checks' states, noting in
 * `changes` the checks and votes that changed, their assets, and a `contact.missed` event per
 * missed pass. An idle contact check has no result row: between passes nothing was checked.
 */
export function planCheckResults(fleet: FleetState, db: Db, records: readonly ObservationRecord[], changes: ResultChanges): Statement[] {
  // Flat values per row: no object per result on the hot path.
  const resultValues: Array<number | null> = [];
  const latestValues: Array<number | null> = [];
  for (const record of records) {
    const check = fleet.checks.get(record.checkId);
    if (!check) continue; // deleted while it ran
    const { observation } = record;
    if (observation.status === 'idle') {
      const { missed } = observation;
      if (missed) changes.events.push(contactMissedEvent(fleet, check, missed));
      if (applyIdle(check, record.at, missed?.message ?? null)) noteCheckChanged(changes, check);
      continue;
    }
    const metrics = observation.metrics;
    const latencyMs = observation.latencyMs === null ? null : Math.round(observation.latencyMs);
    resultValues.push(record.checkId, record.at, STATUS_CODE[observation.status], latencyMs, metrics?.jitterMs ?? null, metrics?.lossPct ?? null, record.vantageId ?? null);
    const observed = { status: observation.status, message: observation.message, at: record.at };
    const central = !check.votes && record.vantageId === undefined && !record.late;
    if (check.votes) applyVote(check, record, observed, changes);
    else if (central && applyObservation(check, observed, check)) noteCheckChanged(changes, check);
    pushLatestRow(latestValues, record.checkId, record.at, latencyMs, central ? check : null);
  }
  return [...resultInsertStatements(db, resultValues), ...latestUpsertStatements(db, latestValues)];
}

/**
 * A vantage's result: it advances that vantage's view, unless it is late (filed into history
 * only, so a store-and-forward upload replays no stale alert) or from a vantage the check no
 * longer lists.
 */
function applyVote(check: CheckRecord, record: ObservationRecord, observed: Parameters<typeof applyObservation>[1], changes: ResultChanges): void {
  const member = memberFor(check, record.vantageId);
  if (!member || record.late) return;
  const last = member.state.lastObservedAt;
  if (last !== null && record.at <= last) return;
  if (!applyObservation(member.state, observed, check)) return;
  markVoteChanged(changes.votes, check.id, member);
  if (recombine(check, record.at)) noteCheckChanged(changes, check);
}

export function noteCheckChanged(changes: ResultChanges, check: CheckRecord): void {
  changes.checks.set(check.id, check);
  changes.dirtyAssets.add(check.assetId);
}

/** The check states and votes a batch changed. */
export function checkStateStatements(db: Db, changes: ResultChanges): Statement[] {
  const checkRows: CheckStateRow[] = [...changes.checks.values()].map(({ id, status, since, message }) => ({ checkId: id, status, since, message }));
  return [
    ...rowStatements(db, UPSERT_CHECK_STATE_SQL, checkRows, (r) => [r.checkId, r.status, r.since, r.message ?? null], (rows) =>
      insertChunks(db, rows, 4).map((chunk) => db.insert(checkStates).values(chunk).onConflictDoUpdate({ target: checkStates.checkId, set: EXCLUDED_CHECK_STATE }))),
    ...voteStatements(db, changes.votes),
  ];
}

function contactMissedEvent(fleet: FleetState, check: CheckRecord, missed: MissedContact): EventSpec {
  const assetKey = fleet.assets.get(check.assetId)?.key ?? '';
  const { satelliteKey, aosMs, losMs, message } = missed;
  return {
    type: 'contact.missed', subjectKind: 'asset', subjectId: check.assetId, subjectKey: assetKey, severity: 'minor',
    drillRunId: drillForAsset(fleet, check.assetId),
    data: { checkKey: check.key, assetKey, satelliteKey, aosMs, losMs, message },
  };
}

/**
 * State changes, incidents and events for the assets whose inputs changed. Written as upserts
 * (store/prepared-rows.ts), then the incident rows, then every event in order (the incident
 * events find their incident by ref), so a burst (thousands of checks confirming their first
 * state) builds no SQL per row.
 */
export function planStateChanges(fleet: FleetState, ctx: WriteContext, dirtyAssets: Set<number>, now: number): Statement[] {
  const { db } = ctx;
  const plan: WritePlan = { db, writes: [], events: [] };
  const reasonChanges: AssetNode[] = [];
  const assetChanges = transitionAssets(fleet, dirtyAssets, now, reasonChanges);
  // A new reason for the same status (another check now makes it so) is stored without an event.
  const assetRows = [...assetChanges.map(({ asset }) => asset), ...reasonChanges]
    .map((asset) => ({ assetId: asset.id, status: asset.status, since: asset.since, reason: asset.reason }));
  if (!assetChanges.length) return upsertAssetStates(db, assetRows);
  plan.writes.push(...upsertAssetStates(db, assetRows));
  const functionChanges = planFunctionChanges(fleet, plan, transitionFunctions(fleet, now));
  const incidentPlan = new IncidentPlanner(fleet, plan, now);
  for (const change of upstreamFirst(fleet, assetChanges)) planAssetChange(fleet, plan, incidentPlan, change);
  for (const { fn, previous } of functionChanges) {
    if (fn.status === 'lost' && previous !== 'lost' && drillForFunction(fleet, fn.id) === null) incidentPlan.functionLost(fn);
    if (previous === 'lost' && fn.status !== 'lost') incidentPlan.functionBack(fn);
  }
  incidentPlan.finish();
  return [...plan.writes, ...recordEvents(ctx, plan.events)];
}

function upsertAssetStates(db: Db, rows: readonly AssetStateRow[]): Statement[] {
  return rowStatements(db, UPSERT_ASSET_STATE_SQL, rows, (r) => [r.assetId, r.status, r.since, r.reason ?? null], (all) =>
    insertChunks(db, all, 4).map((chunk) => db.insert(assetStates).values(chunk).onConflictDoUpdate({ target: assetStates.assetId, set: EXCLUDED_ASSET_STATE })));
}

/** Causes before their symptoms: an asset is attributed only after the assets it depends on. */
function upstreamFirst(fleet: FleetState, changes: AssetChange[]): AssetChange[] {
  const depth = new Map<number, number>();
  const depthOf = (id: number, seen: Set<number>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0;
    seen.add(id);
    const d = Math.max(-1, ...(fleet.upstream.get(id) ?? []).map((p) => depthOf(p, seen))) + 1;
    depth.set(id, d);
    return d;
  };
  return [...changes].sort((a, b) => depthOf(a.asset.id, new Set()) - depthOf(b.asset.id, new Set()));
}

/** The asset's event, and the incident its outage opens, joins or its recovery resolves. */
function planAssetChange(fleet: FleetState, plan: WritePlan, incidentPlan: IncidentPlanner, { asset, previous, startedAt }: AssetChange): void {
  const hurt = functionsHurtBy(fleet, asset.id).map((id) => fleet.functions.get(id)!);
  const drillRunId = drillForAsset(fleet, asset.id);
  const severity: Severity =
    asset.status === 'down'
      ? incidentSeverity(asset.criticality, hurt.map((f) => ({ tier: f.tier, lost: f.status === 'lost' })))
      : asset.status === 'degraded' || asset.status === 'flapping' ? 'minor' : 'info';
  const data: EventPayload<'asset.down'> = {
    assetKey: asset.key, assetName: asset.name, kind: asset.kind, previous, status: asset.status,
    reason: asset.reason, functionKeys: hurt.map((f) => f.key),
  };
  // The asset's event comes first in the story; the incident it opens or joins follows it.
  plan.events.push({ type: `asset.${asset.status}`, subjectKind: 'asset', subjectId: asset.id, subjectKey: asset.key, severity, drillRunId, data });
  if (asset.status === 'down' && drillRunId === null) {
    const { suppressed, incidentRef } = incidentPlan.assetDown(asset, severity, startedAt);
    if (suppressed) data.suppressed = true;
    if (incidentRef) data.incidentRef = incidentRef;
  }
  if (previous === 'down' && assetStatusAvailable(asset.status)) incidentPlan.assetBack(asset);
}

/** Each changed function's state row and events; returns the changes of status. */
function planFunctionChanges(fleet: FleetState, plan: WritePlan, changes: FunctionChange[]): Array<{ fn: FunctionNode; previous: FunctionChange['previous'] }> {
  const statusChanges: Array<{ fn: FunctionNode; previous: FunctionChange['previous'] }> = [];
  for (const { fn, previous, impact, hadSpare, hasSpare } of changes) {
    const id = fn.id;
    plan.writes.push(
      plan.db.insert(functionStates).values({ functionId: id, status: fn.status, redundancy: fn.redundancy, since: fn.since })
        .onConflictDoUpdate({ target: functionStates.functionId, set: { status: fn.status, redundancy: fn.redundancy, since: fn.since } }),
    );
    const data = {
      functionKey: fn.key, functionName: fn.name, tier: fn.tier, status: fn.status, previous, redundancy: fn.redundancy,
      groups: impact.groups.map((g) => ({ name: g.name, k: g.k, n: g.n, available: g.available })),
    };
    if (previous !== impact.status) {
      const severity: Severity = fn.status === 'lost' ? (fn.tier === 'PMEF' ? 'critical' : 'major') : fn.status === 'degraded' ? 'minor' : 'info';
      plan.events.push({ type: `function.${fn.status}`, subjectKind: 'function', subjectId: id, subjectKey: fn.key, severity, drillRunId: drillForFunction(fleet, id), data });
      statusChanges.push({ fn, previous });
    }
    if (hadSpare && !hasSpare && impact.status !== 'lost') {
      plan.events.push({ type: 'redundancy.lost', subjectKind: 'function', subjectId: id, subjectKey: fn.key, severity: fn.tier === 'PMEF' ? 'major' : 'minor', drillRunId: drillForFunction(fleet, id), data });
    } else if (!hadSpare && hasSpare) {
      plan.events.push({ type: 'redundancy.restored', subjectKind: 'function', subjectId: id, subjectKey: fn.key, drillRunId: drillForFunction(fleet, id), data });
    }
  }
  return statusChanges;
}
