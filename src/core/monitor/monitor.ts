import type { Db, Statement } from '../store/client.js';
import type { WriteContext } from '../store/context.js';
import type { AssetStatus, CheckKind, FunctionStatus, RedundancyState } from '../domain/enums.js';
import { SYSTEM_ACTOR } from '../domain/roles.js';
import { recordEvents } from '../store/events.js';
import type { AssetFacts } from './check-runner.js';
import type { CheckState } from './check-state.js';
import type { CheckDefinition, ObservationRecord } from './check-definition.js';
import { IdIndex } from './id-index.js';
import { copyState, type CheckRecord } from './monitor-records.js';
import type { DrillMarks, FleetState } from './fleet-state.js';
import { loadFleet } from './fleet-loader.js';
import { functionsHurtBy, refreshMaintenance } from './fleet-evaluation.js';
import { checkStateStatements, newResultChanges, noteCheckChanged, planCheckResults, planStateChanges } from './write-plan.js';
import { planVantageLiveness } from './vantage-plan.js';
import { memberFor, recombine, type VantageNode } from './votes.js';


export const MONITOR_ACTOR = { ...SYSTEM_ACTOR, name: 'monitor' };

export interface MonitorOptions {
  /**
   * Kinds whose settings the monitor does not keep: whoever runs them reads them from the store
   * (the Node host's probe threads: stored-probes.ts). Their records carry empty settings.
   */
  settingsHeldElsewhere?: (kind: CheckKind) => boolean;
}

/**
 * The live picture: every check's streak, every asset's and function's status, the open
 * incidents. It lives in memory so the hot path does no reads; the database is the truth it is
 * loaded from on start and after a failed write.
 *
 * `planObservations` turns a batch of probe results into the statements that record them —
 * results, state changes, events, incidents — to be committed in one transaction.
 */
export class Monitor {
  private readonly fleet: FleetState = {
    checks: new IdIndex(),
    assets: new IdIndex(),
    functions: new Map(),
    functionsByAsset: new Map(),
    dependents: new Map(),
    upstream: new Map(),
    openIncidents: new Map(),
    maintenance: new Set(),
    drills: new Map(),
    vantages: new Map(),
    windows: [],
  };

  /** `startedAt`: agents' silence counts from no earlier than this (vantage-plan.ts). */
  private constructor(private readonly startedAt: number, private readonly options: MonitorOptions) {}

  static async load(db: Db, now: number, options: MonitorOptions = {}): Promise<Monitor> {
    const monitor = new Monitor(now, options);
    await monitor.reload(db, now);
    return monitor;
  }

  /** Re-reads definitions and stored states; streaks in memory are kept for checks that remain. */
  async reload(db: Db, now: number): Promise<void> {
    Object.assign(this.fleet, await loadFleet(db, now, this.fleet.checks, this.fleet.vantages, this.options.settingsHeldElsewhere));
  }

  definitions(): CheckDefinition[] {
    return [...this.fleet.checks.values()];
  }

  /** The checks the central monitor runs itself (not those only probe agents run). */
  centralDefinitions(): CheckDefinition[] {
    return [...this.fleet.checks.values()].filter((check) => check.votes?.runsCentrally ?? true);
  }

  /** The checks a vantage runs: central's, or those that list an agent or region. */
  definitionsRunFrom(vantage: VantageNode): CheckDefinition[] {
    return [...this.fleet.checks.values()].filter((check) => checkRunsFrom(check, vantage));
  }

  vantages(): VantageNode[] {
    return [...this.fleet.vantages.values()];
  }

  vantage(vantageId: number): VantageNode | undefined {
    return this.fleet.vantages.get(vantageId);
  }

  /** Whether the check runs from the vantage (so a result from it counts). */
  runsFrom(checkId: number, vantage: VantageNode): boolean {
    const check = this.fleet.checks.get(checkId);
    return !!check && checkRunsFrom(check, vantage);
  }

  /** An agent was heard from: the next flush writes when, and takes it back if it was lost. */
  noteVantageSeen(vantageId: number, now: number): void {
    const vantage = this.fleet.vantages.get(vantageId);
    if (!vantage) return;
    vantage.lastSeenAt = now;
    vantage.seen = true;
  }

  /** A copy of the check's state as it is now. */
  checkState(checkId: number): CheckState | undefined {
    const record = this.fleet.checks.get(checkId);
    return record && copyState(record, {} as CheckState);
  }

  checkKind(checkId: number): CheckKind | undefined {
    return this.fleet.checks.get(checkId)?.kind;
  }

  assetStatusCounts(): Partial<Record<AssetStatus, number>> {
    const counts: Partial<Record<AssetStatus, number>> = {};
    for (const asset of this.fleet.assets.values()) counts[asset.status] = (counts[asset.status] ?? 0) + 1;
    return counts;
  }

  functionSummaries(): Array<{ key: string; status: FunctionStatus; redundancy: RedundancyState }> {
    return [...this.fleet.functions.values()].map((f) => ({ key: f.key, status: f.status, redundancy: f.redundancy }));
  }

  /** Held for the assets that have a link or contact check, whose probes read them. */
  assetFacts(assetId: number): AssetFacts | undefined {
    return this.fleet.assets.get(assetId)?.facts ?? undefined;
  }

  assetStatus(assetId: number): AssetStatus | undefined {
    return this.fleet.assets.get(assetId)?.status;
  }

  functionStatus(functionId: number): { status: FunctionStatus; redundancy: RedundancyState } | undefined {
    const fn = this.fleet.functions.get(functionId);
    return fn && { status: fn.status, redundancy: fn.redundancy };
  }

  assetState(assetId: number): { key: string; kind: string; status: AssetStatus; since: number } | undefined {
    const a = this.fleet.assets.get(assetId);
    return a && { key: a.key, kind: a.kind, status: a.status, since: a.since };
  }

  assetIds(): number[] {
    return [...this.fleet.assets.keys()];
  }

  /** Functions that depend on an asset, directly or through other functions. */
  functionsHurtBy(assetId: number): number[] {
    return functionsHurtBy(this.fleet, assetId);
  }

  /**
   * Plans the writes for a batch of observations (and for maintenance windows opening or
   * closing by `now`), applying them to memory as it goes. Commit the statements in one
   * transaction; if that fails, `reload` puts memory back in line with the database.
   */
  planObservations(db: Db, records: readonly ObservationRecord[], now: number): Statement[] {
    const ctx = this.writeContext(db, now);
    const changes = newResultChanges(refreshMaintenance(this.fleet, now));
    const statements = planVantageLiveness(this.fleet, ctx, now, this.startedAt, changes);
    statements.push(...planCheckResults(this.fleet, db, records, changes), ...checkStateStatements(db, changes));
    if (changes.events.length) statements.push(...recordEvents(ctx, changes.events));
    if (changes.dirtyAssets.size) statements.push(...planStateChanges(this.fleet, ctx, changes.dirtyAssets, now));
    return statements;
  }

  /**
   * Re-evaluates every asset, e.g. after definitions changed (a check removed, a window added, a
   * check's vantages or quorum edited).
   */
  planReassessment(db: Db, now: number): Statement[] {
    const changes = newResultChanges(refreshMaintenance(this.fleet, now));
    for (const check of this.fleet.checks.values()) if (check.votes && recombine(check, now)) noteCheckChanged(changes, check);
    return [
      ...checkStateStatements(db, changes),
      ...planStateChanges(this.fleet, this.writeContext(db, now), new Set(this.fleet.assets.keys()), now),
    ];
  }

  /** Starts (or changes) a drill's marks; reassess afterwards to apply simulated outages. */
  setDrill(runId: number, marks: DrillMarks): void {
    this.fleet.drills.set(runId, marks);
  }

  clearDrill(runId: number): void {
    this.fleet.drills.delete(runId);
  }

  private writeContext(db: Db, now: number): WriteContext {
    return { db, actor: MONITOR_ACTOR, now: () => now };
  }
}

function checkRunsFrom(check: CheckRecord, vantage: VantageNode): boolean {
  const central = vantage.kind === 'central';
  if (!check.votes) return central;
  return memberFor(check, central ? undefined : vantage.id) !== undefined;
}
