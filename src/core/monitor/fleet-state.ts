import type { maintenanceWindows } from '../store/schema/index.js';
import type { FunctionStatus, FunctionTier, RedundancyState, Severity } from '../domain/enums.js';
import type { FunctionGraphNode } from '../domain/impact.js';
import type { IncidentChild } from '../domain/incident-cause.js';
import type { IdIndex } from './id-index.js';
import type { AssetNode, CheckRecord } from './monitor-records.js';
import type { VantageNode } from './votes.js';

export interface FunctionNode extends FunctionGraphNode {
  key: string;
  name: string;
  tier: FunctionTier;
  status: FunctionStatus;
  redundancy: RedundancyState;
  since: number;
}

/** An open incident as correlation needs it (see incident-plan.ts). */
export interface OpenIncident {
  ref: string;
  /** The cause: an asset, or a function lost with no failed asset to blame; neither for some opened by hand. */
  causeAssetId: number | null;
  causeFunctionId: number | null;
  /** Affected assets: the cause and its symptoms. */
  assetIds: Set<number>;
  functionIds: number[];
  children: IncidentChild[];
  severity: Severity;
  title: string;
  openedAt: number;
}

/**
 * What a running drill does to the monitor: assets it takes down by simulation, and the assets
 * and functions whose changes it causes — their events carry the drill's run id and never open
 * a real incident.
 */
export interface DrillMarks {
  simulatedDown: number[];
  assetIds: number[];
  functionIds: number[];
}

/** What the store holds and the monitor loads: definitions, stored states, the function graph. */
export interface LoadedFleet {
  checks: IdIndex<CheckRecord>;
  assets: IdIndex<AssetNode>;
  functions: Map<number, FunctionNode>;
  functionsByAsset: Map<number, number[]>;
  /** Member function id → the functions that have it in a group. */
  dependents: Map<number, number[]>;
  /** Asset → the assets it cannot work without (domain/incident-cause.ts). */
  upstream: Map<number, number[]>;
  openIncidents: Map<string, OpenIncident>;
  vantages: Map<number, VantageNode>;
  windows: Array<typeof maintenanceWindows.$inferSelect>;
}

/** The monitor's whole picture: what was loaded, plus what lives only in memory. */
export interface FleetState extends LoadedFleet {
  /** Assets inside a maintenance window as of the last refresh. */
  maintenance: Set<number>;
  drills: Map<number, DrillMarks>;
}
