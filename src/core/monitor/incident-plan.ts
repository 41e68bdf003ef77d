// Incidents from state changes: one incident per cause, its symptoms attached as children rather
// than opened (and paged) on their own. The rules are in domain/incident-cause.ts. Monitoring and
// recovery are never suppressed: every change still records its asset or function event.
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Statement } from '../store/client.js';
import { incidents } from '../store/schema/index.js';
import type { EventSpec } from '../store/events.js';
import type { Severity } from '../domain/enums.js';
import { CORRELATION_WINDOW_MS, type IncidentChild } from '../domain/incident-cause.js';
import { maxSeverity } from '../domain/severity.js';
import type { AssetNode } from './monitor-records.js';
import type { FleetState, FunctionNode, OpenIncident } from './fleet-state.js';
import { functionsHurtBy, isAvailable } from './fleet-evaluation.js';

/** Writes planned for one batch: row changes first, then every event in order, in one insert. */
export interface WritePlan {
  db: Db;
  writes: Statement[];
  events: EventSpec[];
}

/** What became of an asset's outage: a symptom (not paged on its own) or the cause of an incident. */
export interface Attribution {
  suppressed: boolean;
  incidentRef?: string;
}

type Subject = { kind: 'asset'; node: AssetNode } | { kind: 'function'; node: FunctionNode };

export class IncidentPlanner {
  private readonly touched = new Set<OpenIncident>();

  constructor(private readonly fleet: FleetState, private readonly plan: WritePlan, private readonly now: number) {}

  /** An asset went down outside a drill: attach it to the failure that explains it, or open an incident. */
  assetDown(asset: AssetNode, severity: Severity, startedAt: number): Attribution {
    const already = this.oldest((i) => i.causeAssetId === asset.id);
    if (already) return { suppressed: true, incidentRef: already.ref };
    const parents = this.fleet.upstream.get(asset.id) ?? [];
    if (parents.length && parents.every((p) => !isAvailable(this.fleet.assets, p))) {
      // Unreachable behind its failed parents: their incident carries it; with none (planned
      // work, a drill, an officer's resolution) there is nothing to page.
      const covering = this.oldest((i) => parents.some((p) => i.assetIds.has(p)));
      if (!covering) return { suppressed: true };
      this.attach(covering, { kind: 'asset', node: asset }, severity, 'symptom_attached');
      return { suppressed: true, incidentRef: covering.ref };
    }
    const explained = this.open()
      .filter((i) => i.causeAssetId !== null && i.openedAt >= this.now - CORRELATION_WINDOW_MS && this.explains(asset.id, i.causeAssetId))
      .sort((a, b) => a.openedAt - b.openedAt);
    const [first, ...rest] = explained;
    if (!first) return { suppressed: false, incidentRef: this.openIncident({ kind: 'asset', node: asset }, severity, startedAt) };
    this.makeCause(first, asset, severity);
    for (const other of rest) this.merge(other, first);
    return { suppressed: true, incidentRef: first.ref };
  }

  /** An asset came back: the incident it caused resolves; a symptom is marked cleared. */
  assetBack(asset: AssetNode): void {
    for (const incident of this.open()) {
      if (incident.causeAssetId === asset.id) this.resolve(incident);
      else this.clearChild(incident, (c) => 'assetId' in c && c.assetId === asset.id);
    }
  }

  /** A function was lost outside a drill: a symptom of the incident that hurts it, or an incident of its own. */
  functionLost(fn: FunctionNode): void {
    const severity: Severity = fn.tier === 'PMEF' ? 'critical' : 'major';
    const covering = this.oldest((i) => i.functionIds.includes(fn.id));
    if (covering) this.attach(covering, { kind: 'function', node: fn }, severity, 'symptom_attached');
    else this.openIncident({ kind: 'function', node: fn }, severity, this.now);
  }

  functionBack(fn: FunctionNode): void {
    for (const incident of this.open()) {
      if (incident.causeFunctionId === fn.id) this.resolve(incident);
      else this.clearChild(incident, (c) => 'functionId' in c && c.functionId === fn.id);
    }
  }

  /** The incidents' rows as they now stand. */
  finish(): void {
    for (const i of this.touched) {
      this.plan.writes.push(
        this.plan.db.update(incidents).set({
          assetId: i.causeAssetId, causeFunctionId: i.causeFunctionId, affectedAssetIds: [...i.assetIds],
          functionIds: i.functionIds, children: i.children, severity: i.severity, title: i.title,
        }).where(eq(incidents.ref, i.ref)),
      );
    }
  }

  /** Whether `ancestor` failing explains `id`: every parent of `id` is down and one of them is, or is explained by, it. */
  private explains(ancestor: number, id: number, seen = new Set<number>()): boolean {
    if (seen.has(id)) return false;
    seen.add(id);
    const parents = this.fleet.upstream.get(id) ?? [];
    if (!parents.length || parents.some((p) => isAvailable(this.fleet.assets, p))) return false;
    return parents.some((p) => p === ancestor || this.explains(ancestor, p, seen));
  }

  private open(): OpenIncident[] {
    return [...this.fleet.openIncidents.values()];
  }

  private oldest(match: (incident: OpenIncident) => boolean): OpenIncident | undefined {
    return this.open().filter(match).sort((a, b) => a.openedAt - b.openedAt)[0];
  }

  private hurtBy(subject: Subject): FunctionNode[] {
    const ids = subject.kind === 'asset' ? functionsHurtBy(this.fleet, subject.node.id) : [subject.node.id];
    return ids.map((id) => this.fleet.functions.get(id)!);
  }

  private openIncident(cause: Subject, severity: Severity, startedAt: number): string {
    const ref = crypto.randomUUID();
    const hurt = this.hurtBy(cause);
    const incident: OpenIncident = {
      ref, causeAssetId: cause.kind === 'asset' ? cause.node.id : null, causeFunctionId: cause.kind === 'function' ? cause.node.id : null,
      assetIds: new Set(cause.kind === 'asset' ? [cause.node.id] : []), functionIds: hurt.map((f) => f.id), children: [],
      severity, title: titleFor(cause, hurt), openedAt: this.now,
    };
    this.fleet.openIncidents.set(ref, incident);
    this.plan.writes.push(this.plan.db.insert(incidents).values({
      ref, assetId: incident.causeAssetId, causeFunctionId: incident.causeFunctionId, affectedAssetIds: [...incident.assetIds],
      functionIds: incident.functionIds, state: 'open', severity, title: incident.title, startedAt, openedAt: this.now,
    }));
    this.plan.events.push({
      type: 'incident.opened', subjectKind: 'incident', subjectId: incidentId(ref), subjectKey: ref, severity,
      data: {
        incidentRef: ref, title: incident.title, assetKey: cause.kind === 'asset' ? cause.node.key : null, functionKeys: hurt.map((f) => f.key),
        startedAt, openedAt: this.now, ttdMs: this.now - startedAt,
      },
    });
    return ref;
  }

  private attach(incident: OpenIncident, subject: Subject, severity: Severity, change: 'symptom_attached' | 'cause_changed'): void {
    const { node } = subject;
    const same = (c: IncidentChild) => (subject.kind === 'asset' ? 'assetId' in c && c.assetId === node.id : 'functionId' in c && c.functionId === node.id);
    const existing = incident.children.find(same);
    if (existing) existing.clearedAt = null;
    else if (change === 'symptom_attached') {
      const at = { key: node.key, attachedAt: this.now, clearedAt: null };
      incident.children.push(subject.kind === 'asset' ? { assetId: node.id, ...at } : { functionId: node.id, ...at });
    }
    const hurt = this.hurtBy(subject).map((f) => f.id);
    this.widen(incident, subject.kind === 'asset' ? [node.id] : [], hurt, severity, { change, subjectKind: subject.kind, subjectKey: node.key });
  }

  /**
   * Takes more assets and functions into the incident, raises its severity to cover them, and
   * announces it as `incident.correlated`.
   */
  private widen(
    incident: OpenIncident, assetIds: Iterable<number>, functionIds: number[], severity: Severity,
    what: { change: 'symptom_attached' | 'cause_changed' | 'merged'; subjectKind: 'asset' | 'function'; subjectKey: string },
  ): void {
    for (const id of assetIds) incident.assetIds.add(id);
    incident.functionIds = [...new Set([...incident.functionIds, ...functionIds])];
    const previousSeverity = incident.severity;
    incident.severity = maxSeverity(incident.severity, severity);
    this.touched.add(incident);
    this.plan.events.push({
      type: 'incident.correlated', subjectKind: 'incident', subjectId: incidentId(incident.ref), subjectKey: incident.ref, severity: incident.severity,
      data: { incidentRef: incident.ref, title: incident.title, ...what, causeKey: this.causeKey(incident), previousSeverity },
    });
  }

  /** A failure upstream of the incident's cause, within the window, becomes its cause; the old cause a symptom. */
  private makeCause(incident: OpenIncident, asset: AssetNode, severity: Severity): void {
    const previousNode = incident.causeAssetId === null ? undefined : this.fleet.assets.get(incident.causeAssetId);
    if (previousNode) incident.children.push({ assetId: previousNode.id, key: previousNode.key, attachedAt: this.now, clearedAt: null });
    incident.causeAssetId = asset.id;
    incident.title = titleFor({ kind: 'asset', node: asset }, this.hurtBy({ kind: 'asset', node: asset }));
    this.attach(incident, { kind: 'asset', node: asset }, severity, 'cause_changed');
  }

  /** Another incident whose cause the same upstream failure explains: its members move over, it resolves. */
  private merge(other: OpenIncident, into: OpenIncident): void {
    const cause = other.causeAssetId === null ? undefined : this.fleet.assets.get(other.causeAssetId);
    if (cause) into.children.push({ assetId: cause.id, key: cause.key, attachedAt: this.now, clearedAt: null });
    for (const child of other.children) if (!into.children.some((c) => c.key === child.key)) into.children.push(child);
    this.resolve(other, into.ref);
    this.widen(into, other.assetIds, other.functionIds, other.severity, { change: 'merged', subjectKind: 'asset', subjectKey: cause?.key ?? other.ref });
  }

  private clearChild(incident: OpenIncident, match: (child: IncidentChild) => boolean): void {
    for (const child of incident.children) {
      if (child.clearedAt === null && match(child)) {
        child.clearedAt = this.now;
        this.touched.add(incident);
      }
    }
  }

  /**
   * Resolves the incident. Symptoms still failing are no longer explained by it: each is
   * attributed afresh (another incident, or one of its own), so resolution never hides an outage.
   */
  private resolve(incident: OpenIncident, mergedInto?: string): void {
    this.fleet.openIncidents.delete(incident.ref);
    // An officer may have resolved it by hand already: keep their resolution time.
    this.plan.writes.push(
      this.plan.db.update(incidents).set({ state: 'resolved', resolvedAt: this.now }).where(and(eq(incidents.ref, incident.ref), eq(incidents.state, 'open'))),
    );
    this.plan.events.push({
      type: 'incident.resolved', subjectKind: 'incident', subjectId: incidentId(incident.ref), subjectKey: incident.ref, severity: incident.severity,
      data: {
        incidentRef: incident.ref, title: incident.title, assetKey: incident.causeAssetId === null ? null : this.fleet.assets.get(incident.causeAssetId)?.key ?? null, resolvedAt: this.now,
        ...(mergedInto ? { mergedInto } : {}),
      },
    });
    if (mergedInto) return;
    for (const child of incident.children) {
      if (child.clearedAt !== null) continue;
      if ('assetId' in child) {
        const asset = this.fleet.assets.get(child.assetId);
        if (asset?.status === 'down') this.assetDown(asset, incident.severity, asset.since);
      } else {
        const fn = this.fleet.functions.get(child.functionId);
        if (fn?.status === 'lost') this.functionLost(fn);
      }
    }
  }

  private causeKey(incident: OpenIncident): string {
    if (incident.causeAssetId !== null) return this.fleet.assets.get(incident.causeAssetId)?.key ?? '';
    if (incident.causeFunctionId !== null) return this.fleet.functions.get(incident.causeFunctionId)?.key ?? '';
    return '';
  }
}

function incidentId(ref: string) {
  return sql`(select id from incidents where ref = ${ref})`;
}

function titleFor(cause: Subject, hurt: FunctionNode[]): string {
  if (cause.kind === 'function') return `${cause.node.name} is lost`;
  return `${cause.node.name} is down${hurt.length ? ` (affects ${hurt.map((f) => f.name).join(', ')})` : ''}`;
}
