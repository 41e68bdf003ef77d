// Evaluation: what the checks, maintenance windows and drills say each asset's and function's
// state is now, applied to the monitor's picture. Writing it down is write-plan.ts's job.
import type { AssetStatus, FunctionStatus } from '../domain/enums.js';
import { reachable } from '../domain/function-graph.js';
import { assessFunctions, assetStatusAvailable, type FunctionImpact } from '../domain/impact.js';
import { maintenanceActive } from '../domain/schedules.js';
import type { IdIndex } from './id-index.js';
import type { AssetNode } from './monitor-records.js';
import type { FleetState, FunctionNode } from './fleet-state.js';

export interface AssetChange {
  asset: AssetNode;
  previous: AssetStatus;
  /** When the outage began, if it is one: the earliest start among the asset's failing streaks. */
  startedAt: number;
}

export interface FunctionChange {
  fn: FunctionNode;
  previous: FunctionStatus;
  impact: FunctionImpact;
  hadSpare: boolean;
  hasSpare: boolean;
}

/** Degraded and flapping assets count as available for k-of-n: they still serve, if unsteadily. */
export function isAvailable(assets: IdIndex<AssetNode>, assetId: number): boolean {
  const asset = assets.get(assetId);
  return !asset || assetStatusAvailable(asset.status);
}

/** Brings the maintenance set up to `now`; returns the assets that entered or left a window. */
export function refreshMaintenance(fleet: FleetState, now: number): Set<number> {
  const active = new Set<number>();
  for (const w of fleet.windows) {
    if (maintenanceActive(w, now)) for (const id of w.assetIds) active.add(id);
  }
  const changed = new Set<number>();
  for (const id of active) if (!fleet.maintenance.has(id)) changed.add(id);
  for (const id of fleet.maintenance) if (!active.has(id)) changed.add(id);
  fleet.maintenance = active;
  return changed;
}

export function drillForAsset(fleet: FleetState, assetId: number): number | null {
  for (const [runId, marks] of fleet.drills) if (marks.assetIds.includes(assetId) || marks.simulatedDown.includes(assetId)) return runId;
  return null;
}

export function drillForFunction(fleet: FleetState, functionId: number): number | null {
  for (const [runId, marks] of fleet.drills) if (marks.functionIds.includes(functionId)) return runId;
  return null;
}

/** Functions that depend on an asset, directly or through other functions. */
export function functionsHurtBy(fleet: FleetState, assetId: number): number[] {
  return [...reachable(fleet.functionsByAsset.get(assetId) ?? [], (id) => fleet.dependents.get(id))];
}

/**
 * Re-derives the dirty assets' statuses in place; returns the ones whose status changed, and adds
 * those whose status stayed but whose reason changed to `reasonChanges`.
 */
export function transitionAssets(fleet: FleetState, dirtyAssets: Set<number>, now: number, reasonChanges: AssetNode[]): AssetChange[] {
  const changes: AssetChange[] = [];
  for (const assetId of dirtyAssets) {
    const asset = fleet.assets.get(assetId);
    if (!asset) continue;
    const { status, reason } = deriveAssetStatus(fleet, asset);
    if (status === asset.status) {
      if (reason !== asset.reason) reasonChanges.push(asset);
      asset.reason = reason;
      continue;
    }
    const previous = asset.status;
    asset.status = status;
    asset.since = now;
    asset.reason = reason;
    changes.push({ asset, previous, startedAt: outageStart(asset, now) });
  }
  return changes;
}

/** Re-assesses every function from the assets' statuses in place; returns those whose status or redundancy changed. */
export function transitionFunctions(fleet: FleetState, now: number): FunctionChange[] {
  const impacts = assessFunctions([...fleet.functions.values()], (id) => isAvailable(fleet.assets, id));
  const changes: FunctionChange[] = [];
  for (const [id, impact] of impacts) {
    const fn = fleet.functions.get(id)!;
    if (impact.status === fn.status && impact.redundancy === fn.redundancy) continue;
    const previous = fn.status;
    const hadSpare = fn.redundancy === 'N' || fn.redundancy === 'N-1';
    const hasSpare = impact.redundancy === 'N' || impact.redundancy === 'N-1';
    fn.status = impact.status;
    fn.redundancy = impact.redundancy;
    if (previous !== impact.status) fn.since = now;
    changes.push({ fn, previous, impact, hadSpare, hasSpare });
  }
  return changes;
}

/**
 * The worst of the asset's checks, and the reason named by the check that makes it so
 * ("<check key>: <its message>"). An idle contact check counts as up: between passes it holds
 * the asset neither down nor unknown, so a station whose other checks pass (or that has no
 * other) reads up. A flapping check makes its asset flapping, worse than degraded (it keeps
 * failing) but better than down (it keeps recovering); its reason gives the percentage. A
 * disputed check (its vantages disagree below quorum: a partition, not a dead target) makes its
 * asset degraded, not down, with the disagreement as the reason: it still serves from somewhere.
 */
function deriveAssetStatus(fleet: FleetState, asset: AssetNode): { status: AssetStatus; reason: string | null } {
  if (fleet.maintenance.has(asset.id)) return { status: 'maintenance', reason: 'in a maintenance window' };
  for (const [runId, marks] of fleet.drills) {
    if (marks.simulatedDown.includes(asset.id)) return { status: 'down', reason: `drill run ${runId}: simulated outage` };
  }
  let worst: { status: AssetStatus; reason: string | null } = { status: 'unknown', reason: null };
  const rank: Record<AssetStatus, number> = { unknown: 0, maintenance: 0, up: 1, degraded: 2, flapping: 3, down: 4 };
  for (let check = asset.firstCheck; check; check = check.nextOnAsset) {
    if (!check.enabled || check.status === 'unknown') continue;
    const status = check.status === 'idle' ? 'up' : check.status === 'disputed' ? 'degraded' : check.status;
    if (rank[status] > rank[worst.status]) {
      const message = check.status === 'idle' ? null : check.status === 'disputed' ? `disputed: ${check.message}` : check.message ?? (status === 'up' ? null : status);
      worst = { status, reason: message === null ? null : `${check.key}: ${message}` };
    }
  }
  return worst;
}

function outageStart(asset: AssetNode, now: number): number {
  let start = now;
  for (let check = asset.firstCheck; check; check = check.nextOnAsset) {
    if (check.streakStatus !== 'up' && check.streakCount > 0) start = Math.min(start, check.streakStartedAt);
  }
  return start;
}
