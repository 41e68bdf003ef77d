// Planning: the statements that record a batch — results, state changes, incidents and their
// events — to be committed in one transaction. Memory is updated as the plan is made.
import { and, eq, sql } from 'drizzle-orm';
import { insertChunks, type Db, type Statement } from '../store/client.js';
import { assetStates, checkStates, functionStates, incidents } from '../store/schema/index.js';
import type { WriteContext } from '../store/context.js';
import { recordEvents, type EventSpec } from '../store/events.js';
import type { Severity } from '../domain/enums.js';
import { incidentSeverity } from '../domain/severity.js';
import { applyIdle, applyObservation, STATUS_CODE } from './check-state.js';
import type { MissedContact, ObservationRecord } from './check-definition.js';
import { resultInsertStatements } from './result-rows.js';
import type { AssetNode, CheckRecord } from './monitor-records.js';
import type { FleetState, FunctionNode, OpenIncident } from './fleet-state.js';
import {
  drillForAsset,
  drillForFunction,
  functionsHurtBy,
  parentDown,
  transitionAssets,
  transitionFunctions,
  type AssetChange,
  type FunctionChange,
} from './fleet-evaluation.js';

/** Writes planned for one batch: row changes first, then every event in order, in one insert. */
interface WritePlan {
  db: Db;
  writes: Statement[];
  events: EventSpec[];
}

/** Multi-row upserts take each row's own values. */
const EXCLUDED_CHECK_STATE = { status: sql`excluded.status`, since: sql`excluded.since`, message: sql`excluded.message` };
const EXCLUDED_ASSET_STATE = { status: sql`excluded.status`, since: sql`excluded.since`, reason: sql`excluded.reason` };

/**
 * The result rows of a batch of observations and the check states they changed; adds the assets
 * of changed checks to `dirtyAssets` and a `contact.missed` event per missed pass to `events`.
 * An idle contact check has no result row: between passes nothing was checked.
 */
export function planCheckResults(
  fleet: FleetState, db: Db, records: readonly ObservationRecord[], dirtyAssets: Set<number>, events: EventSpec[],
): Statement[] {
  const statements: Statement[] = [];
  // Flat, RESULT_COLUMNS values per row: no object per result on the hot path.
  const resultValues: Array<number | null> = [];
  const changedChecks = new Map<number, CheckRecord>();
  for (const record of records) {
    const check = fleet.checks.get(record.checkId);
    if (!check) continue; // deleted while it ran
    const { observation } = record;
    if (observation.status === 'idle') {
      const { missed } = observation;
      if (missed) events.push(contactMissedEvent(fleet, check, missed));
      if (applyIdle(check, record.at, missed?.message ?? null)) {
        changedChecks.set(check.id, check);
        dirtyAssets.add(check.assetId);
      }
      continue;
    }
    const metrics = observation.metrics;
    resultValues.push(
      record.checkId,
      record.at,
      STATUS_CODE[observation.status],
      observation.latencyMs === null ? null : Math.round(observation.latencyMs),
      metrics?.jitterMs ?? null,
      metrics?.lossPct ?? null,
    );
    if (applyObservation(check, { status: observation.status, message: observation.message, at: record.at }, check)) {
      changedChecks.set(check.id, check);
      dirtyAssets.add(check.assetId);
    }
  }
  statements.push(...resultInsertStatements(db, resultValues));
  const checkRows = [...changedChecks.values()].map(({ id, status, since, message }) => ({ checkId: id, status, since, message }));
  for (const rows of insertChunks(db, checkRows, 4)) {
    statements.push(db.insert(checkStates).values(rows).onConflictDoUpdate({ target: checkStates.checkId, set: EXCLUDED_CHECK_STATE }));
  }
  return statements;
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
 * State changes, incidents and events for the assets whose inputs changed. Written as
 * multi-row upserts, then the incident rows, then every event in one ordered insert (the
 * incident events find their incident by ref), so a burst (thousands of checks confirming
 * their first state) is a few statements, not thousands.
 */
export function planStateChanges(fleet: FleetState, ctx: WriteContext, dirtyAssets: Set<number>, now: number): Statement[] {
  const { db } = ctx;
  const plan: WritePlan = { db, writes: [], events: [] };
  const reasonChanges: AssetNode[] = [];
  const assetChanges = transitionAssets(fleet, dirtyAssets, now, reasonChanges);
  // A new reason for the same status (another check now makes it so) is stored without an event.
  const assetRows = [...assetChanges.map(({ asset }) => asset), ...reasonChanges]
    .map((asset) => ({ assetId: asset.id, status: asset.status, since: asset.since, reason: asset.reason }));
  if (!assetChanges.length) return insertChunks(db, assetRows, 4).map((rows) => upsertAssetStates(db, rows));
  for (const rows of insertChunks(db, assetRows, 4)) {
    plan.writes.push(upsertAssetStates(db, rows));
  }
  const functionChanges = planFunctionChanges(fleet, plan, transitionFunctions(fleet, now));
  for (const change of assetChanges) planAssetChange(fleet, plan, change, now);
  for (const { fn, previous } of functionChanges) {
    if (fn.status === 'lost' && previous !== 'lost' && drillForFunction(fleet, fn.id) === null) {
      const covering = [...fleet.openIncidents.values()].find((i) => i.functionIds.includes(fn.id));
      if (!covering) openIncident(fleet, plan, null, [fn], fn.tier === 'PMEF' ? 'critical' : 'major', now, now);
    }
    if (previous === 'lost' && fn.status !== 'lost') {
      resolveIncidents(fleet, plan, (i) => i.assetId === null && i.functionIds.length === 1 && i.functionIds[0] === fn.id, now);
    }
  }
  return [...plan.writes, ...recordEvents(ctx, plan.events)];
}

function upsertAssetStates(db: Db, rows: Array<typeof assetStates.$inferInsert>): Statement {
  return db.insert(assetStates).values(rows).onConflictDoUpdate({ target: assetStates.assetId, set: EXCLUDED_ASSET_STATE });
}

/** The asset's event, and the incident its outage opens or its recovery resolves. */
function planAssetChange(fleet: FleetState, plan: WritePlan, { asset, previous, startedAt }: AssetChange, now: number): void {
  const hurt = functionsHurtBy(fleet, asset.id).map((id) => fleet.functions.get(id)!);
  const suppressed = asset.status === 'down' && parentDown(fleet, asset);
  const drillRunId = drillForAsset(fleet, asset.id);
  const severity: Severity =
    asset.status === 'down'
      ? incidentSeverity(asset.criticality, hurt.map((f) => ({ tier: f.tier, lost: f.status === 'lost' })))
      : asset.status === 'degraded' ? 'minor' : 'info';
  plan.events.push({
    type: `asset.${asset.status}`,
    subjectKind: 'asset',
    subjectId: asset.id,
    subjectKey: asset.key,
    severity,
    drillRunId,
    data: {
      assetKey: asset.key, assetName: asset.name, kind: asset.kind, previous, status: asset.status,
      reason: asset.reason, functionKeys: hurt.map((f) => f.key), ...(suppressed ? { suppressed: true } : {}),
    },
  });
  if (asset.status === 'down' && !suppressed && drillRunId === null) openIncident(fleet, plan, asset, hurt, severity, startedAt, now);
  if (previous === 'down' && (asset.status === 'up' || asset.status === 'degraded' || asset.status === 'unknown')) {
    resolveIncidents(fleet, plan, (i) => i.assetId === asset.id, now);
  }
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

function openIncident(fleet: FleetState, plan: WritePlan, asset: AssetNode | null, hurt: FunctionNode[], severity: Severity, startedAt: number, now: number): void {
  const ref = crypto.randomUUID();
  const title = asset
    ? `${asset.name} is down${hurt.length ? ` (affects ${hurt.map((f) => f.name).join(', ')})` : ''}`
    : `${hurt[0]!.name} is lost`;
  const incident: OpenIncident = { ref, assetId: asset?.id ?? null, functionIds: hurt.map((f) => f.id), severity };
  fleet.openIncidents.set(ref, incident);
  plan.writes.push(plan.db.insert(incidents).values({
    ref, assetId: incident.assetId, functionIds: incident.functionIds, state: 'open', severity, title, startedAt, openedAt: now,
  }));
  plan.events.push({
    type: 'incident.opened',
    subjectKind: 'incident',
    subjectId: sql`(select id from incidents where ref = ${ref})`,
    subjectKey: ref,
    severity,
    data: {
      incidentRef: ref, title, assetKey: asset?.key ?? null, functionKeys: hurt.map((f) => f.key), startedAt, openedAt: now,
      ttdMs: now - startedAt,
    },
  });
}

function resolveIncidents(fleet: FleetState, plan: WritePlan, match: (incident: OpenIncident) => boolean, now: number): void {
  for (const incident of [...fleet.openIncidents.values()].filter(match)) {
    fleet.openIncidents.delete(incident.ref);
    // An officer may have resolved it by hand already: keep their resolution time.
    plan.writes.push(plan.db.update(incidents).set({ state: 'resolved', resolvedAt: now }).where(and(eq(incidents.ref, incident.ref), eq(incidents.state, 'open'))));
    plan.events.push({
      type: 'incident.resolved',
      subjectKind: 'incident',
      subjectId: sql`(select id from incidents where ref = ${incident.ref})`,
      subjectKey: incident.ref,
      severity: incident.severity,
      data: { incidentRef: incident.ref, assetKey: incident.assetId === null ? null : fleet.assets.get(incident.assetId)?.key ?? null, resolvedAt: now },
    });
  }
}
