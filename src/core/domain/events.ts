// The one event catalog: every type appended to the events table, its payload (`data`), the kind
// of subject it is about, and who reads it besides the timelines. The lists the consumers need
// (webhook subscriptions, the watch floor's stream, the live monitor's reloads) are derived here.
import { z } from 'zod';
import { DRILL_VERDICTS } from './drills.js';
import {
  ASSET_STATUSES, CHECK_KINDS, FUNCTION_STATUSES, FUNCTION_TIERS, INCIDENT_UPDATE_STATUSES, REDUNDANCY_STATES, ROLES, SEVERITIES, UPDATE_VISIBILITIES, LOCATION_HINTS, VANTAGE_KINDS,
} from './enums.js';
import { SCENARIO_KINDS } from './scenarios.js';
import { SHARED_KINDS } from './marking.js';

const int = () => z.number().int();
const keys = () => z.array(z.string());

const nothing = z.strictObject({});
/** An edit through the API names the fields it changed; the inventory file applies whole items. */
const edited = z.strictObject({ changed: keys().optional() });

const assetChange = z.strictObject({
  assetKey: z.string(),
  assetName: z.string(),
  kind: z.string(),
  previous: z.enum(ASSET_STATUSES),
  status: z.enum(ASSET_STATUSES),
  reason: z.string().nullable(),
  functionKeys: keys(),
  /** A symptom of another failure (its cause pages, not this asset), or unreachable behind planned work. */
  suppressed: z.literal(true).optional(),
  /** The incident this asset's outage is attached to, when it is a symptom or became the cause. */
  incidentRef: z.string().optional(),
});

/** Function status and redundancy changes carry the same picture of the function. */
const functionChange = z.strictObject({
  functionKey: z.string(),
  functionName: z.string(),
  tier: z.enum(FUNCTION_TIERS),
  status: z.enum(FUNCTION_STATUSES),
  previous: z.enum(FUNCTION_STATUSES),
  redundancy: z.enum(REDUNDANCY_STATES),
  groups: z.array(z.strictObject({ name: z.string(), k: int(), n: int(), available: int() })),
});

/**
 * A drill run's steps are recorded through one helper, so they share one payload: the run, and
 * what the step adds (targets on start, timings, the verdict at the end, the reason of an abort).
 */
const drillRunStep = z.strictObject({
  drillId: int(),
  drillKey: z.string().nullable(),
  /** Absent from a run that ends as it starts (tabletop, no targets): it is recorded with its run. */
  runId: int().optional(),
  targets: keys().optional(),
  mode: z.enum(['simulated', 'live']).optional(),
  ttdMs: z.number().optional(),
  ttfMs: z.number().optional(),
  rtoMet: z.boolean().optional(),
  rtoSeconds: z.number().nullable().optional(),
  verdict: z.enum(DRILL_VERDICTS).nullable().optional(),
  reason: z.string().optional(),
  status: z.literal('interrupted').optional(),
  note: z.string().optional(),
});

/** A satellite pass over a station ended without one successful contact (the check is idle after it). */
const contactMissed = z.strictObject({
  checkKey: z.string(),
  assetKey: z.string(),
  satelliteKey: z.string(),
  aosMs: int(),
  losMs: int(),
  message: z.string(),
});

const deletedWithDependents = z.strictObject({ forced: z.boolean(), functionsAffected: keys() });
const satelliteElements = z.strictObject({
  elementsChanged: z.boolean(),
  source: z.enum(['file', 'orbit', 'feed']).optional(),
  epoch: z.string().optional(),
  previousEpoch: z.string().optional(),
});
const applyLists = z.strictObject({
  assets: keys(), functions: keys(), checks: keys(), satellites: keys(), scenarios: keys(), drills: keys(), statusPages: keys(),
  /** Since issue 18. */
  vantages: keys().optional(),
});
const vantageSilence = z.strictObject({
  lastSeenAt: int().nullable(),
  graceSeconds: int(),
  /** The checks the vantage votes on. */
  checks: keys(),
  /** On loss: those of them now seen by fewer live vantages than their quorum (they read unknown). */
  checksWithoutQuorum: keys().optional(),
});
const scenarioKind = z.strictObject({ kind: z.enum(SCENARIO_KINDS) });

const EVENT_SUBJECTS = [
  'asset', 'function', 'incident', 'drill', 'drill_run', 'check', 'maintenance', 'inventory', 'satellite', 'scenario',
  'status_page', 'token', 'webhook', 'ingest', 'vantage', 'partner', 'sharing', 'allied',
] as const;
type EventSubject = (typeof EVENT_SUBJECTS)[number];

interface EventDefinition {
  subject: EventSubject;
  payload: z.ZodType;
  /** A step of a drill run: labelled DRILL wherever it goes, never a real outage. */
  drill?: true;
  /** A webhook subscription can ask for it. */
  webhook?: true;
  /** The watch floor listens for it on the live stream (and patches or re-reads the page). */
  stream?: true;
  /** The live monitor re-reads its definitions after it. */
  reloadsMonitor?: true;
}

const stateChange = { webhook: true, stream: true } as const;
const drillStep = { subject: 'drill_run', payload: drillRunStep, drill: true, webhook: true, stream: true } as const;
const definitionChange = { stream: true, reloadsMonitor: true } as const;

/** Every event type, in the order the derived lists (and the API's documentation) show them. */
export const EVENT_CATALOG = {
  'asset.down': { subject: 'asset', payload: assetChange, ...stateChange },
  'asset.up': { subject: 'asset', payload: assetChange, ...stateChange },
  'asset.degraded': { subject: 'asset', payload: assetChange, ...stateChange },
  'asset.flapping': { subject: 'asset', payload: assetChange, ...stateChange },
  'asset.unknown': { subject: 'asset', payload: assetChange, stream: true },
  'asset.maintenance': { subject: 'asset', payload: assetChange, stream: true },
  'contact.missed': { subject: 'asset', payload: contactMissed, ...stateChange },
  'redundancy.lost': { subject: 'function', payload: functionChange, ...stateChange },
  'redundancy.restored': { subject: 'function', payload: functionChange, ...stateChange },
  'function.degraded': { subject: 'function', payload: functionChange, ...stateChange },
  'function.lost': { subject: 'function', payload: functionChange, ...stateChange },
  'function.operational': { subject: 'function', payload: functionChange, ...stateChange },
  'incident.opened': {
    subject: 'incident',
    payload: z.strictObject({
      incidentRef: z.string(), title: z.string(), assetKey: z.string().nullable(), functionKeys: keys(), startedAt: int(), openedAt: int(), ttdMs: z.number(),
    }),
    ...stateChange,
  },
  'incident.acknowledged': {
    subject: 'incident',
    payload: z.strictObject({ incidentRef: z.string(), title: z.string(), acknowledgedBy: z.string(), ttaMs: z.number() }),
    ...stateChange,
  },
  'incident.updated': {
    subject: 'incident',
    payload: z.strictObject({
      incidentRef: z.string(), title: z.string(), status: z.enum(INCIDENT_UPDATE_STATUSES), message: z.string(),
      // Webhooks go to the operator's own pagers and chat, so they carry internal notes too, marked.
      visibility: z.enum(UPDATE_VISIBILITIES),
    }),
    ...stateChange,
  },
  'incident.resolved': {
    subject: 'incident',
    payload: z.strictObject({
      incidentRef: z.string(), title: z.string(), assetKey: z.string().nullable(), resolvedAt: int(),
      /** Resolved because a more upstream failure's incident took it over. */
      mergedInto: z.string().optional(),
    }),
    ...stateChange,
  },
  'incident.reopened': {
    subject: 'incident',
    payload: z.strictObject({ incidentRef: z.string(), title: z.string(), reopenedBy: z.string() }),
    ...stateChange,
  },
  'incident.edited': {
    subject: 'incident',
    payload: z.strictObject({ incidentRef: z.string(), title: z.string(), changed: keys() }),
    ...stateChange,
  },
  'incident.correlated': {
    subject: 'incident',
    payload: z.strictObject({
      incidentRef: z.string(), title: z.string(),
      /** A symptom attached, a more upstream failure made the cause, or another incident merged in. */
      change: z.enum(['symptom_attached', 'cause_changed', 'merged']),
      subjectKind: z.enum(['asset', 'function']), subjectKey: z.string(),
      causeKey: z.string(), previousSeverity: z.enum(SEVERITIES),
    }),
    ...stateChange,
  },
  'drill.started': drillStep,
  'drill.detected': drillStep,
  'drill.failed_over': drillStep,
  'drill.completed': drillStep,
  'drill.aborted': drillStep,
  'drill.failed': drillStep,
  'rto.breached': drillStep,

  'asset.created': { subject: 'asset', payload: nothing, ...definitionChange },
  'asset.updated': { subject: 'asset', payload: edited, ...definitionChange },
  'asset.deleted': {
    subject: 'asset', payload: deletedWithDependents.extend({ linksAffected: keys() }), ...definitionChange,
  },
  'function.created': { subject: 'function', payload: nothing, ...definitionChange },
  'function.updated': { subject: 'function', payload: edited, ...definitionChange },
  'function.deleted': { subject: 'function', payload: deletedWithDependents, ...definitionChange },
  'check.created': {
    subject: 'check',
    payload: z.strictObject({ assetId: int().optional(), kind: z.enum(CHECK_KINDS).optional(), reason: z.string().optional() }),
    ...definitionChange,
  },
  'check.updated': { subject: 'check', payload: edited, ...definitionChange },
  'check.deleted': { subject: 'check', payload: nothing, ...definitionChange },
  'maintenance.created': {
    subject: 'maintenance', payload: z.strictObject({ title: z.string(), assetIds: z.array(int()) }), ...definitionChange,
  },
  'maintenance.updated': { subject: 'maintenance', payload: edited, ...definitionChange },
  'maintenance.deleted': { subject: 'maintenance', payload: nothing, ...definitionChange },
  'satellite.created': { subject: 'satellite', payload: satelliteElements },
  'satellite.updated': { subject: 'satellite', payload: satelliteElements, ...definitionChange },
  'inventory.applied': {
    subject: 'inventory', payload: z.strictObject({ created: applyLists, updated: applyLists, unchanged: int() }), ...definitionChange,
  },
  'scenario.created': { subject: 'scenario', payload: scenarioKind, stream: true },
  'scenario.updated': { subject: 'scenario', payload: scenarioKind.extend(edited.shape) },
  'scenario.deleted': { subject: 'scenario', payload: nothing, stream: true },
  'scenario.shakemap_attached': {
    subject: 'scenario', payload: z.strictObject({ eventId: z.string(), points: int(), bytes: int(), replaced: z.boolean() }),
  },
  'scenario.shakemap_detached': { subject: 'scenario', payload: z.strictObject({ eventId: z.string() }) },
  'drill.created': { subject: 'drill', payload: nothing, stream: true },
  'drill.updated': { subject: 'drill', payload: edited, stream: true },
  /** Recorded by earlier versions, which deleted drills with their runs; drills are now retired. */
  'drill.deleted': { subject: 'drill', payload: nothing, stream: true },
  'drill.retired': { subject: 'drill', payload: nothing, stream: true },
  'finding.created': {
    subject: 'drill_run', payload: z.strictObject({ title: z.string(), owner: z.string(), dueDate: z.string() }),
  },
  'finding.updated': { subject: 'drill_run', payload: z.strictObject({ findingId: int(), changed: keys() }) },
  'status_page.created': { subject: 'status_page', payload: z.strictObject({ components: int().optional() }) },
  'status_page.updated': { subject: 'status_page', payload: z.strictObject({ components: int().optional() }) },
  'status_page.deleted': { subject: 'status_page', payload: nothing },
  'token.created': { subject: 'token', payload: z.strictObject({ role: z.enum(ROLES) }) },
  'token.revoked': { subject: 'token', payload: nothing },
  'webhook.created': { subject: 'webhook', payload: z.strictObject({ url: z.string(), format: z.string() }) },
  'webhook.updated': { subject: 'webhook', payload: z.strictObject({ changed: keys() }) },
  'webhook.deleted': { subject: 'webhook', payload: nothing },
  'webhook.redelivery_requested': { subject: 'webhook', payload: z.strictObject({ deliveryId: int() }) },
  'webhook.disabled': { subject: 'webhook', payload: z.strictObject({ reason: z.string(), url: z.string() }) },
  'vantage.created': { subject: 'vantage', payload: z.strictObject({ kind: z.enum(VANTAGE_KINDS), locationHint: z.enum(LOCATION_HINTS).nullable().optional() }), ...definitionChange },
  'vantage.updated': { subject: 'vantage', payload: edited, ...definitionChange },
  'vantage.deleted': { subject: 'vantage', payload: z.strictObject({ tokensRevoked: int() }), ...definitionChange },
  /** An agent silent past its grace: its votes stop counting until it reports again. */
  'vantage.lost': { subject: 'vantage', payload: vantageSilence, ...stateChange },
  'vantage.restored': { subject: 'vantage', payload: vantageSilence, ...stateChange },
  'partner.created': { subject: 'partner', payload: z.strictObject({ country: z.string() }) },
  'partner.revoked': { subject: 'partner', payload: z.strictObject({ tokensRevoked: int() }) },
  /** An item's marking got more restrictive: the partners' countries that may no longer hold it are told to drop it. */
  'sharing.retracted': {
    subject: 'sharing',
    payload: z.strictObject({ itemKind: z.enum(SHARED_KINDS), itemKey: z.string(), countries: keys() }),
  },
  /** An ally's feed changed what its tiles show here (the watch floor re-reads them). */
  'allied.updated': { subject: 'allied', payload: z.strictObject({ source: z.string(), events: int() }), stream: true },
  'ingest.alertmanager': {
    subject: 'ingest',
    // stale, clipped and sender since issue 17 (older events lack them)
    payload: z.strictObject({ accepted: int(), unknown: int(), stale: int().optional(), clipped: int().optional(), sender: z.enum(['alertmanager', 'grafana']).optional() }),
  },
} as const satisfies Record<string, EventDefinition>;

type Catalog = typeof EVENT_CATALOG;
export type EventType = keyof Catalog;
/** The `data` a producer passes for an event of type T. */
export type EventPayload<T extends EventType> = z.input<Catalog[T]['payload']>;
export type EventSubjectOf<T extends EventType> = Catalog[T]['subject'];

export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

type TypesWith<Flag extends keyof EventDefinition> = { [T in EventType]: Catalog[T] extends Record<Flag, true> ? T : never }[EventType];
function typesWith<Flag extends 'drill' | 'webhook' | 'stream' | 'reloadsMonitor'>(flag: Flag): Array<TypesWith<Flag>> {
  return EVENT_TYPES.filter((type) => (EVENT_CATALOG[type] as EventDefinition)[flag] === true) as Array<TypesWith<Flag>>;
}

/** The events a webhook subscription can ask for. */
export const WEBHOOK_EVENT_TYPES = typesWith('webhook') as [TypesWith<'webhook'>, ...Array<TypesWith<'webhook'>>];
/** A drill run's steps, as the drill runner records them. */
export type DrillStepType = TypesWith<'drill'>;
/** What a drill step adds to the run it is about (the runner fills in the run itself). */
export type DrillStepData = Omit<z.input<typeof drillRunStep>, 'drillId' | 'drillKey' | 'runId'>;
/** The events the watch floor listens for on the live stream. */
export const STREAMED_EVENT_TYPES = typesWith('stream');
/** The stream sends events about these subjects (the watch floor ignores the types it does not listen for). */
export const STREAMED_SUBJECTS: ReadonlySet<string> = new Set(STREAMED_EVENT_TYPES.map((type) => EVENT_CATALOG[type].subject));
/** Events after which the live monitor re-reads the definitions it holds in memory. */
export const MONITOR_RELOAD_EVENT_TYPES = typesWith('reloadsMonitor');

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_CATALOG, type);
}

/** A step of a drill run (a type the catalog does not know is not). */
export function isDrillStep(type: string): boolean {
  return isEventType(type) && (EVENT_CATALOG[type] as EventDefinition).drill === true;
}

/** Whether a stored event's data is what the catalog says its type carries. */
export function payloadProblems(type: string, data: unknown): string | null {
  if (!isEventType(type)) return `"${type}" is not in the event catalog`;
  const parsed = EVENT_CATALOG[type].payload.safeParse(data);
  return parsed.success ? null : z.prettifyError(parsed.error);
}

type AnyPayload = EventPayload<EventType>;
type KeysOfUnion<T> = T extends unknown ? keyof T : never;
type ValueIn<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;
/** Every field any payload has, typed by what the catalog allows there: how readers name fields. */
export type EventFields = { [K in KeysOfUnion<AnyPayload>]?: ValueIn<AnyPayload, K> };

/**
 * A stored event's data, read through the catalog's field names and types. Rows from an older
 * version, or of a type a reader does not handle, may lack fields, so every field is optional.
 */
export function eventFields(data: unknown): EventFields {
  return (typeof data === 'object' && data !== null ? data : {}) as EventFields;
}
