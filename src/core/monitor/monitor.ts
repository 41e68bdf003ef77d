import { eq, sql } from 'drizzle-orm';
import type { Observation } from '../../../checks/types.js';
import { insertChunks, type Db, type Statement } from '../store/client.js';
import {
  assets,
  assetStates,
  checks,
  checkStates,
  dependencyGroups,
  functionStates,
  groupMembers,
  incidents,
  maintenanceWindows,
  missionFunctions,
} from '../store/schema/index.js';
import type { AssetStatus, CheckKind, FunctionStatus, FunctionTier, RedundancyState, Severity } from '../domain/enums.js';
import { SYSTEM_ACTOR } from '../domain/roles.js';
import type { ServiceContext } from '../services/context.js';
import { recordEvents, type EventSpec } from '../store/events.js';
import type { AssetFacts } from './check-runner.js';
import { applyObservation, STATUS_CODE, STATUS_FROM_CODE, type CheckState } from './check-state.js';
import { maintenanceActive } from '../domain/schedules.js';
import { assessFunctions, type FunctionGraphNode } from '../domain/impact.js';
import { resultInsertStatements } from './result-rows.js';
import { IdIndex } from './id-index.js';
import { AssetNode, CheckRecord, copyState, Sharing } from './monitor-records.js';
import { incidentSeverity } from '../domain/severity.js';

export interface CheckDefinition {
  id: number;
  key: string;
  assetId: number;
  kind: CheckKind;
  enabled: boolean;
  intervalSeconds: number | null;
  cron: string | null;
  timezone: string | null;
  timeoutMs: number;
  failureThreshold: number;
  successThreshold: number;
  settings: Record<string, unknown>;
}

interface FunctionNode extends FunctionGraphNode {
  key: string;
  name: string;
  tier: FunctionTier;
  status: FunctionStatus;
  redundancy: RedundancyState;
  since: number;
}

interface OpenIncident {
  ref: string;
  assetId: number | null;
  functionIds: number[];
  severity: Severity;
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

export interface ObservationRecord {
  checkId: number;
  /** When the probe started; results and streaks are dated by it. */
  at: number;
  observation: Observation;
}

const MONITOR_ACTOR = { ...SYSTEM_ACTOR, name: 'monitor' };

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
 * The live picture: every check's streak, every asset's and function's status, the open
 * incidents. It lives in memory so the hot path does no reads; the database is the truth it is
 * loaded from on start and after a failed write.
 *
 * `planObservations` turns a batch of probe results into the statements that record them —
 * results, state changes, events, incidents — to be committed in one transaction.
 */
export class Monitor {
  private checks = new IdIndex<CheckRecord>();
  private assets = new IdIndex<AssetNode>();
  private functions = new Map<number, FunctionNode>();
  private functionsByAsset = new Map<number, number[]>();
  private dependents = new Map<number, number[]>();
  private openIncidents = new Map<string, OpenIncident>();
  private maintenance = new Set<number>();
  private drills = new Map<number, DrillMarks>();
  private windows: Array<typeof maintenanceWindows.$inferSelect> = [];

  private constructor() {}

  static async load(db: Db, now: number): Promise<Monitor> {
    const monitor = new Monitor();
    await monitor.reload(db, now);
    return monitor;
  }

  /** Re-reads definitions and stored states; streaks in memory are kept for checks that remain. */
  async reload(db: Db, now: number): Promise<void> {
    const [checkRows, checkStateRows, assetRows, assetStateRows, functionRows, functionStateRows, memberRows, openRows, windowRows] =
      await Promise.all([
        db.select().from(checks),
        db.select().from(checkStates),
        db.select().from(assets),
        db.select().from(assetStates),
        db.select().from(missionFunctions),
        db.select().from(functionStates),
        db
          .select({ functionId: dependencyGroups.functionId, groupId: dependencyGroups.id, name: dependencyGroups.name, k: dependencyGroups.k, assetId: groupMembers.assetId, memberFunctionId: groupMembers.memberFunctionId })
          .from(dependencyGroups)
          .leftJoin(groupMembers, eq(groupMembers.groupId, dependencyGroups.id))
          .orderBy(dependencyGroups.functionId, dependencyGroups.position, groupMembers.position),
        db.select().from(incidents).where(eq(incidents.state, 'open')),
        db.select().from(maintenanceWindows),
      ]);

    const sharing = new Sharing();
    const storedAssetStates = new Map(assetStateRows.map((r) => [r.assetId, r]));
    this.assets = new IdIndex(assetRows.map((row) => [row.id, new AssetNode(row, sharing, storedAssetStates.get(row.id), now)] as const));
    storedAssetStates.clear();

    const storedCheckStates = new Map(checkStateRows.map((r) => [r.checkId, r]));
    const previousChecks = this.checks;
    const fresh: number[] = [];
    const records: CheckRecord[] = [];
    for (const row of checkRows) {
      const record = new CheckRecord(row, sharing, now);
      const previous = previousChecks.get(row.id);
      const stored = storedCheckStates.get(row.id);
      if (previous) {
        copyState(previous, record);
      } else {
        fresh.push(row.id);
        if (stored) {
          record.status = sharing.string(stored.status);
          record.since = stored.since;
          record.streakStartedAt = stored.since;
          record.message = stored.message;
        }
      }
      records.push(record);
    }
    storedCheckStates.clear();
    this.checks = new IdIndex(records.map((record) => [record.id, record] as const));
    // Threaded from the last so each asset's list runs in id order.
    for (let i = records.length - 1; i >= 0; i--) {
      const record = records[i]!;
      const asset = this.assets.get(record.assetId);
      if (asset) {
        record.nextOnAsset = asset.firstCheck;
        asset.firstCheck = record;
      }
    }
    // Streaks that were in flight before a restart come back from the recent raw results.
    if (fresh.length) await this.rebuildStreaks(db, fresh, now);

    const storedFunctionStates = new Map(functionStateRows.map((r) => [r.functionId, r]));
    this.functions = new Map(
      functionRows.map((row) => {
        const stored = storedFunctionStates.get(row.id);
        return [row.id, {
          id: row.id, key: row.key, name: row.name, tier: row.tier, groups: [],
          status: stored?.status ?? 'operational', redundancy: stored?.redundancy ?? 'N', since: stored?.since ?? now,
        }];
      }),
    );
    const groups = new Map<number, FunctionNode['groups'][number]>();
    this.functionsByAsset = new Map();
    this.dependents = new Map();
    for (const row of memberRows) {
      const fn = this.functions.get(row.functionId);
      if (!fn) continue;
      let group = groups.get(row.groupId);
      if (!group) {
        group = { name: row.name, k: row.k, members: [] };
        groups.set(row.groupId, group);
        fn.groups.push(group);
      }
      if (row.assetId !== null) {
        group.members.push({ assetId: row.assetId });
        this.functionsByAsset.set(row.assetId, [...(this.functionsByAsset.get(row.assetId) ?? []), fn.id]);
      } else if (row.memberFunctionId !== null) {
        group.members.push({ functionId: row.memberFunctionId });
        this.dependents.set(row.memberFunctionId, [...(this.dependents.get(row.memberFunctionId) ?? []), fn.id]);
      }
    }

    // A function seen for the first time starts from what its members say now, without alerts.
    const unassessed = [...this.functions.values()].filter((fn) => !storedFunctionStates.has(fn.id));
    if (unassessed.length) {
      const impacts = assessFunctions([...this.functions.values()], (id) => this.isAvailable(id));
      for (const fn of unassessed) {
        const impact = impacts.get(fn.id)!;
        fn.status = impact.status;
        fn.redundancy = impact.redundancy;
        await db.insert(functionStates).values({ functionId: fn.id, status: fn.status, redundancy: fn.redundancy, since: fn.since }).onConflictDoNothing();
      }
    }

    this.openIncidents = new Map(
      openRows.map((row) => [row.ref, { ref: row.ref, assetId: row.assetId, functionIds: row.functionIds, severity: row.severity }]),
    );
    this.windows = windowRows;
  }

  /**
   * One query for all of them: each check's latest results, as many as its thresholds look at,
   * from a window a few intervals deep (a day for cron checks), so the scan stays bounded.
   */
  private async rebuildStreaks(db: Db, checkIds: number[], now: number) {
    const wanted = new Set(checkIds);
    const rows = await db.all<{ checkId: number; status: number; ts: number }>(sql`
      select check_id as checkId, status, ts from (
        select r.check_id, r.status, r.ts,
          row_number() over (partition by r.check_id order by r.ts desc) as rn,
          max(c.failure_threshold, c.success_threshold) as depth
        from check_results r join checks c on c.id = r.check_id
        where r.ts >= ${now} - coalesce(c.interval_seconds, 86400) * 1000 * (max(c.failure_threshold, c.success_threshold) + 2)
      ) where rn <= depth
      order by check_id, ts desc`);
    const recentByCheck = new Map<number, Array<{ status: number; ts: number }>>();
    for (const row of rows) {
      if (!wanted.has(row.checkId)) continue;
      const list = recentByCheck.get(row.checkId) ?? [];
      list.push(row);
      recentByCheck.set(row.checkId, list);
    }
    for (const [checkId, recent] of recentByCheck) {
      const latest = recent[0]!;
      let count = 0;
      let startedAt = latest.ts;
      for (const r of recent) {
        if (r.status !== latest.status) break;
        count++;
        startedAt = r.ts;
      }
      const record = this.checks.get(checkId)!;
      record.streakStatus = STATUS_FROM_CODE[latest.status]!;
      record.streakCount = count;
      record.streakStartedAt = startedAt;
      record.lastObservedAt = latest.ts;
    }
  }

  definitions(): CheckDefinition[] {
    return [...this.checks.values()];
  }

  /** A copy of the check's state as it is now. */
  checkState(checkId: number): CheckState | undefined {
    const record = this.checks.get(checkId);
    return record && copyState(record, {} as CheckState);
  }

  checkKind(checkId: number): CheckKind | undefined {
    return this.checks.get(checkId)?.kind;
  }

  assetStatusCounts(): Partial<Record<AssetStatus, number>> {
    const counts: Partial<Record<AssetStatus, number>> = {};
    for (const asset of this.assets.values()) counts[asset.status] = (counts[asset.status] ?? 0) + 1;
    return counts;
  }

  functionSummaries(): Array<{ key: string; status: FunctionStatus; redundancy: RedundancyState }> {
    return [...this.functions.values()].map((f) => ({ key: f.key, status: f.status, redundancy: f.redundancy }));
  }

  assetFacts(assetId: number): AssetFacts | undefined {
    return this.assets.get(assetId);
  }

  assetStatus(assetId: number): AssetStatus | undefined {
    return this.assets.get(assetId)?.status;
  }

  functionStatus(functionId: number): { status: FunctionStatus; redundancy: RedundancyState } | undefined {
    const fn = this.functions.get(functionId);
    return fn && { status: fn.status, redundancy: fn.redundancy };
  }

  /**
   * Plans the writes for a batch of observations (and for maintenance windows opening or
   * closing by `now`), applying them to memory as it goes. Commit the statements in one
   * transaction; if that fails, `reload` puts memory back in line with the database.
   */
  planObservations(db: Db, records: readonly ObservationRecord[], now: number): Statement[] {
    const ctx: ServiceContext = { db, actor: MONITOR_ACTOR, now: () => now };
    const statements: Statement[] = [];
    const dirtyAssets = this.refreshMaintenance(now);

    // Flat, RESULT_COLUMNS values per row: no object per result on the hot path.
    const resultValues: Array<number | null> = [];
    const changedChecks = new Map<number, CheckRecord>();
    for (const record of records) {
      const check = this.checks.get(record.checkId);
      if (!check) continue; // deleted while it ran
      const { observation } = record;
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
    if (dirtyAssets.size) statements.push(...this.planStateChanges(ctx, dirtyAssets, now));
    return statements;
  }

  /** Re-evaluates every asset, e.g. after definitions changed (a check removed, a window added). */
  planReassessment(db: Db, now: number): Statement[] {
    const ctx: ServiceContext = { db, actor: MONITOR_ACTOR, now: () => now };
    this.refreshMaintenance(now);
    return this.planStateChanges(ctx, new Set(this.assets.keys()), now);
  }

  private refreshMaintenance(now: number): Set<number> {
    const active = new Set<number>();
    for (const w of this.windows) {
      if (maintenanceActive(w, now)) for (const id of w.assetIds) active.add(id);
    }
    const changed = new Set<number>();
    for (const id of active) if (!this.maintenance.has(id)) changed.add(id);
    for (const id of this.maintenance) if (!active.has(id)) changed.add(id);
    this.maintenance = active;
    return changed;
  }

  /** Starts (or changes) a drill's marks; reassess afterwards to apply simulated outages. */
  setDrill(runId: number, marks: DrillMarks): void {
    this.drills.set(runId, marks);
  }

  clearDrill(runId: number): void {
    this.drills.delete(runId);
  }

  private drillForAsset(assetId: number): number | null {
    for (const [runId, marks] of this.drills) if (marks.assetIds.includes(assetId) || marks.simulatedDown.includes(assetId)) return runId;
    return null;
  }

  private drillForFunction(functionId: number): number | null {
    for (const [runId, marks] of this.drills) if (marks.functionIds.includes(functionId)) return runId;
    return null;
  }

  private deriveAssetStatus(asset: AssetNode): { status: AssetStatus; reason: string | null } {
    if (this.maintenance.has(asset.id)) return { status: 'maintenance', reason: 'in a maintenance window' };
    for (const [runId, marks] of this.drills) {
      if (marks.simulatedDown.includes(asset.id)) return { status: 'down', reason: `drill run ${runId}: simulated outage` };
    }
    let worst: { status: AssetStatus; reason: string | null } = { status: 'unknown', reason: null };
    const rank: Record<AssetStatus, number> = { unknown: 0, maintenance: 0, up: 1, degraded: 2, down: 3 };
    for (let check = asset.firstCheck; check; check = check.nextOnAsset) {
      if (!check.enabled || check.status === 'unknown') continue;
      if (rank[check.status] > rank[worst.status]) {
        worst = { status: check.status, reason: check.message ? `${check.key}: ${check.message}` : null };
      }
    }
    return worst;
  }

  private isAvailable(assetId: number): boolean {
    const status = this.assets.get(assetId)?.status;
    return status !== 'down' && status !== 'maintenance';
  }

  assetState(assetId: number): { key: string; kind: string; status: AssetStatus; since: number } | undefined {
    const a = this.assets.get(assetId);
    return a && { key: a.key, kind: a.kind, status: a.status, since: a.since };
  }

  assetIds(): number[] {
    return [...this.assets.keys()];
  }

  /** Functions that depend on an asset, directly or through other functions. */
  functionsHurtBy(assetId: number): number[] {
    const seen = new Set<number>();
    const queue = [...(this.functionsByAsset.get(assetId) ?? [])];
    while (queue.length) {
      const id = queue.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      queue.push(...(this.dependents.get(id) ?? []));
    }
    return [...seen];
  }

  /**
   * State changes, incidents and events for the assets whose inputs changed. Written as
   * multi-row upserts, then the incident rows, then every event in one ordered insert (the
   * incident events find their incident by ref), so a burst (thousands of checks confirming
   * their first state) is a few statements, not thousands.
   */
  private planStateChanges(ctx: ServiceContext, dirtyAssets: Set<number>, now: number): Statement[] {
    const { db } = ctx;
    const plan: WritePlan = { db, writes: [], events: [] };
    const assetChanges: Array<{ asset: AssetNode; previous: AssetStatus; startedAt: number }> = [];

    for (const assetId of dirtyAssets) {
      const asset = this.assets.get(assetId);
      if (!asset) continue;
      const { status, reason } = this.deriveAssetStatus(asset);
      if (status === asset.status) {
        asset.reason = reason;
        continue;
      }
      const previous = asset.status;
      asset.status = status;
      asset.since = now;
      asset.reason = reason;
      assetChanges.push({ asset, previous, startedAt: this.outageStart(asset.id, now) });
    }
    if (!assetChanges.length) return [];
    const assetRows = assetChanges.map(({ asset }) => ({ assetId: asset.id, status: asset.status, since: now, reason: asset.reason }));
    for (const rows of insertChunks(db, assetRows, 4)) {
      plan.writes.push(db.insert(assetStates).values(rows).onConflictDoUpdate({ target: assetStates.assetId, set: EXCLUDED_ASSET_STATE }));
    }

    const functionChanges = this.reassessFunctions(db, now, plan);
    const functionsById = this.functions;

    for (const { asset, previous, startedAt } of assetChanges) {
      const hurt = this.functionsHurtBy(asset.id).map((id) => functionsById.get(id)!);
      const suppressed = asset.status === 'down' && this.parentDown(asset);
      const drillRunId = this.drillForAsset(asset.id);
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
      if (asset.status === 'down' && !suppressed && drillRunId === null) this.openIncident(plan, asset, hurt, severity, startedAt, now);
      if (previous === 'down' && (asset.status === 'up' || asset.status === 'degraded' || asset.status === 'unknown')) {
        this.resolveIncidents(plan, (i) => i.assetId === asset.id, now);
      }
    }

    for (const { fn, previous } of functionChanges) {
      if (fn.status === 'lost' && previous !== 'lost' && this.drillForFunction(fn.id) === null) {
        const covering = [...this.openIncidents.values()].find((i) => i.functionIds.includes(fn.id));
        if (!covering) this.openIncident(plan, null, [fn], fn.tier === 'PMEF' ? 'critical' : 'major', now, now);
      }
      if (previous === 'lost' && fn.status !== 'lost') {
        this.resolveIncidents(plan, (i) => i.assetId === null && i.functionIds.length === 1 && i.functionIds[0] === fn.id, now);
      }
    }
    return [...plan.writes, ...recordEvents(ctx, plan.events)];
  }

  /** When the outage began: the earliest start among the asset's failing streaks. */
  private outageStart(assetId: number, now: number): number {
    let start = now;
    for (let check = this.assets.get(assetId)?.firstCheck ?? null; check; check = check.nextOnAsset) {
      if (check.streakStatus !== 'up' && check.streakCount > 0) start = Math.min(start, check.streakStartedAt);
    }
    return start;
  }

  /** A link cannot work while a station at either end is down: its own alert would be noise. */
  private parentDown(asset: AssetNode): boolean {
    return [asset.linkFromAssetId, asset.linkToAssetId].some((id) => {
      const status = id === null ? undefined : this.assets.get(id)?.status;
      return status === 'down' || status === 'maintenance';
    });
  }

  private reassessFunctions(db: Db, now: number, plan: WritePlan): Array<{ fn: FunctionNode; previous: FunctionStatus }> {
    const impacts = assessFunctions([...this.functions.values()], (id) => this.isAvailable(id));
    const changes: Array<{ fn: FunctionNode; previous: FunctionStatus }> = [];
    for (const [id, impact] of impacts) {
      const fn = this.functions.get(id)!;
      if (impact.status === fn.status && impact.redundancy === fn.redundancy) continue;
      const previous = fn.status;
      const hadSpare = fn.redundancy === 'N' || fn.redundancy === 'N-1';
      const hasSpare = impact.redundancy === 'N' || impact.redundancy === 'N-1';
      fn.status = impact.status;
      fn.redundancy = impact.redundancy;
      if (previous !== impact.status) fn.since = now;
      plan.writes.push(
        db.insert(functionStates).values({ functionId: id, status: fn.status, redundancy: fn.redundancy, since: fn.since })
          .onConflictDoUpdate({ target: functionStates.functionId, set: { status: fn.status, redundancy: fn.redundancy, since: fn.since } }),
      );
      const data = {
        functionKey: fn.key, functionName: fn.name, tier: fn.tier, status: fn.status, previous, redundancy: fn.redundancy,
        groups: impact.groups.map((g) => ({ name: g.name, k: g.k, n: g.n, available: g.available })),
      };
      if (previous !== impact.status) {
        const severity: Severity = fn.status === 'lost' ? (fn.tier === 'PMEF' ? 'critical' : 'major') : fn.status === 'degraded' ? 'minor' : 'info';
        plan.events.push({ type: `function.${fn.status}`, subjectKind: 'function', subjectId: id, subjectKey: fn.key, severity, drillRunId: this.drillForFunction(id), data });
        changes.push({ fn, previous });
      }
      if (hadSpare && !hasSpare && impact.status !== 'lost') {
        plan.events.push({ type: 'redundancy.lost', subjectKind: 'function', subjectId: id, subjectKey: fn.key, severity: fn.tier === 'PMEF' ? 'major' : 'minor', drillRunId: this.drillForFunction(id), data });
      } else if (!hadSpare && hasSpare) {
        plan.events.push({ type: 'redundancy.restored', subjectKind: 'function', subjectId: id, subjectKey: fn.key, drillRunId: this.drillForFunction(id), data });
      }
    }
    return changes;
  }

  private openIncident(plan: WritePlan, asset: AssetNode | null, hurt: FunctionNode[], severity: Severity, startedAt: number, now: number): void {
    const ref = crypto.randomUUID();
    const title = asset
      ? `${asset.name} is down${hurt.length ? ` (affects ${hurt.map((f) => f.name).join(', ')})` : ''}`
      : `${hurt[0]!.name} is lost`;
    const incident: OpenIncident = { ref, assetId: asset?.id ?? null, functionIds: hurt.map((f) => f.id), severity };
    this.openIncidents.set(ref, incident);
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

  private resolveIncidents(plan: WritePlan, match: (incident: OpenIncident) => boolean, now: number): void {
    for (const incident of [...this.openIncidents.values()].filter(match)) {
      this.openIncidents.delete(incident.ref);
      plan.writes.push(plan.db.update(incidents).set({ state: 'resolved', resolvedAt: now }).where(eq(incidents.ref, incident.ref)));
      plan.events.push({
        type: 'incident.resolved',
        subjectKind: 'incident',
        subjectId: sql`(select id from incidents where ref = ${incident.ref})`,
        subjectKey: incident.ref,
        severity: incident.severity,
        data: { incidentRef: incident.ref, assetKey: incident.assetId === null ? null : this.assets.get(incident.assetId)?.key ?? null, resolvedAt: now },
      });
    }
  }
}
