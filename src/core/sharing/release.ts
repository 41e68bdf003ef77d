// What a partner of a country may see, field by field: THE one redaction rule, used by every way
// out (the instance-to-instance feed, TAXII 2.1, the allied pages).
//
// The rule is an allow-list. A record crosses only when its marking is releasable to the country
// (domain/marking.ts releasableTo); what crosses is built here from the fields listed below, and
// nothing else. So these never leave, whatever the marking: descriptions (free text), hostnames,
// addresses and check targets (checks are never shared), coordinates, vendor, model, firmware,
// management network, grid region, tags, owners, dependency groups, failure reasons and probe
// messages, officers' updates, hook settings, and any record the item names that is not itself
// releasable (its key is dropped from lists, or the item is withheld).
import { EVENT_TYPES, isDrillStep, eventFields } from '../domain/events.js';
import { releasableTo, type Marking, type SharedKind } from '../domain/marking.js';
import { isoTime } from '../domain/time.js';

/** A record as the directory holds it for release decisions. */
export interface Releasable {
  key: string;
  name: string;
  marking: Marking | null;
}

/** The current markings of everything that can cross, by key (incidents by ref). */
export interface SharingDirectory {
  asset: Map<string, Releasable & { kind: string; criticality: string; status: string; statusSince: number | null; operator: string | null; region: string | null }>;
  function: Map<string, Releasable & { tier: string; rtoSeconds: number; status: string; redundancy: string; statusSince: number | null }>;
  incident: Map<string, Releasable & IncidentFacts>;
  drill: Map<string, Releasable>;
}

export interface IncidentFacts {
  state: string;
  severity: string;
  startedAt: number;
  openedAt: number;
  resolvedAt: number | null;
  assetKeys: string[];
  functionKeys: string[];
  /** A cyber cause (a cyber-tagged asset, or a title that says so): TAXII lists these first. */
  cyber: boolean;
}

/** Whether the record of this kind and key may go to `country` now. */
export function mayRelease(dir: SharingDirectory, kind: SharedKind, key: string | null | undefined, country: string): boolean {
  if (!key) return false;
  return releasableTo(dir[kind].get(key)?.marking, country);
}

const releasedKeys = (dir: SharingDirectory, kind: SharedKind, keys: readonly string[] | undefined, country: string) =>
  (keys ?? []).filter((k) => mayRelease(dir, kind, k, country));

/** The fields of an asset that cross. */
export function sharedAsset(dir: SharingDirectory, key: string, country: string) {
  if (!mayRelease(dir, 'asset', key, country)) return null;
  const a = dir.asset.get(key)!;
  return {
    key: a.key, name: a.name, kind: a.kind, criticality: a.criticality, operator: a.operator, region: a.region,
    status: a.status, statusSince: isoTime(a.statusSince), marking: a.marking,
  };
}
export type SharedAsset = NonNullable<ReturnType<typeof sharedAsset>>;

/** The fields of a mission function that cross. */
export function sharedFunction(dir: SharingDirectory, key: string, country: string) {
  if (!mayRelease(dir, 'function', key, country)) return null;
  const f = dir.function.get(key)!;
  return {
    key: f.key, name: f.name, tier: f.tier, rtoSeconds: f.rtoSeconds, status: f.status, redundancy: f.redundancy,
    statusSince: isoTime(f.statusSince), marking: f.marking,
  };
}
export type SharedFunction = NonNullable<ReturnType<typeof sharedFunction>>;

/** The fields of an incident that cross (its updates never do). */
export function sharedIncident(dir: SharingDirectory, ref: string, country: string) {
  if (!mayRelease(dir, 'incident', ref, country)) return null;
  const i = dir.incident.get(ref)!;
  return {
    ref: i.key, title: i.name, state: i.state, severity: i.severity, cyber: i.cyber,
    startedAt: i.startedAt, openedAt: i.openedAt, resolvedAt: i.resolvedAt,
    assetKeys: releasedKeys(dir, 'asset', i.assetKeys, country),
    functionKeys: releasedKeys(dir, 'function', i.functionKeys, country),
    marking: i.marking,
  };
}
export type SharedIncident = NonNullable<ReturnType<typeof sharedIncident>>;

/** A stored event, as the feed reads it. */
export interface EventLike {
  id: number;
  ts: number;
  type: string;
  subjectKind: string;
  subjectKey: string | null;
  drillRunId: number | null;
  data: Record<string, unknown>;
}

/** Which record an event is about (and so whose marking rules it), or null when its kind never crosses. */
export function eventItem(e: EventLike): { kind: SharedKind; key: string } | null {
  const f = eventFields(e.data);
  if (e.type === 'sharing.retracted') return f.itemKind && f.itemKey ? { kind: f.itemKind, key: f.itemKey } : null;
  if (isDrillStep(e.type)) return f.drillKey ? { kind: 'drill', key: f.drillKey } : null;
  if (STATE_TYPES.asset.includes(e.type)) return f.assetKey ? { kind: 'asset', key: f.assetKey } : null;
  if (STATE_TYPES.function.includes(e.type)) return f.functionKey ? { kind: 'function', key: f.functionKey } : null;
  if (STATE_TYPES.incident.includes(e.type)) return f.incidentRef ? { kind: 'incident', key: f.incidentRef } : null;
  return null;
}

/** The state changes that cross (definition changes, tokens, webhooks, officers' notes never do). */
export const STATE_TYPES: Record<'asset' | 'function' | 'incident', readonly string[]> = {
  asset: ['asset.down', 'asset.up', 'asset.degraded', 'asset.flapping', 'asset.unknown', 'asset.maintenance'],
  function: ['function.degraded', 'function.lost', 'function.operational', 'redundancy.lost', 'redundancy.restored'],
  incident: ['incident.opened', 'incident.acknowledged', 'incident.resolved', 'incident.reopened'],
};

/** Every event type that can cross: the state changes above, drill steps, and retractions. */
export const SHARED_EVENT_TYPES: readonly string[] = [
  ...STATE_TYPES.asset, ...STATE_TYPES.function, ...STATE_TYPES.incident, ...EVENT_TYPES.filter(isDrillStep), 'sharing.retracted',
];

/** The event as it crosses to `country`, or null when it may not. */
export function sharedEvent(dir: SharingDirectory, e: EventLike, country: string, drillKeyOfRun: (runId: number) => string | undefined) {
  const item = eventItem(e);
  if (!item) return null;
  const f = eventFields(e.data);
  const base = { id: e.id, type: e.type, at: isoTime(e.ts)!, subject: item };
  if (e.type === 'sharing.retracted') {
    const countries = Array.isArray(e.data.countries) ? (e.data.countries as string[]) : [];
    return countries.includes(country) ? { ...base, drill: false, marking: dir[item.kind].get(item.key)?.marking ?? null, data: {} } : null;
  }
  if (!mayRelease(dir, item.kind, item.key, country)) return null;
  // A drill's side effects (an asset down because a drill broke it) cross only with a releasable drill.
  const drillKey = e.drillRunId !== null ? drillKeyOfRun(e.drillRunId) : undefined;
  if (e.drillRunId !== null && !mayRelease(dir, 'drill', drillKey, country)) return null;
  const drill = isDrillStep(e.type) || e.drillRunId !== null;
  return { ...base, drill, marking: dir[item.kind].get(item.key)!.marking, data: sharedData(dir, item.kind, e, country, drillKey) };
}
export type SharedEvent = NonNullable<ReturnType<typeof sharedEvent>>;

function sharedData(dir: SharingDirectory, kind: SharedKind, e: EventLike, country: string, drillKey: string | undefined) {
  const f = eventFields(e.data);
  const name = (k: SharedKind, key: string) => dir[k].get(key)?.name ?? null;
  switch (kind) {
    case 'asset':
      return { assetKey: f.assetKey, assetName: name('asset', f.assetKey!), status: f.status, previous: f.previous, functionKeys: releasedKeys(dir, 'function', f.functionKeys, country), drillKey };
    case 'function':
      return { functionKey: f.functionKey, functionName: name('function', f.functionKey!), tier: f.tier, status: f.status, previous: f.previous, redundancy: f.redundancy, drillKey };
    case 'incident':
      return { incidentRef: f.incidentRef, title: name('incident', f.incidentRef!) };
    case 'drill':
      return {
        drillKey: f.drillKey, drillName: name('drill', f.drillKey!), mode: f.mode, targets: releasedKeys(dir, 'asset', f.targets, country),
        ttdMs: f.ttdMs, ttfMs: f.ttfMs, rtoMet: f.rtoMet, verdict: f.verdict,
      };
  }
}
