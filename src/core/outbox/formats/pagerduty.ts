// PagerDuty Events API v2: trigger, acknowledge and resolve under one dedup key per alert.
import { SEVERITIES, type Severity } from '../../domain/enums.js';
import { severityAtLeast } from '../../domain/severity.js';
import { keyHash } from '../../domain/hash.js';
import { eventFields } from '../../domain/events.js';
import { isoTime } from '../../domain/time.js';
import { describeEvent } from './describe.js';
import {
  bound, eventAssetKey, eventFunctionKey, eventLink, isPing, JSON_TYPE, splitType, str, truncate, type AlertEvent, type FormatOptions, type FormattedBody,
} from './shared.js';

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export const PAGERDUTY_SEVERITY: Record<Severity, PagerDutySeverity> = { critical: 'critical', major: 'error', minor: 'warning', info: 'info' };
const MAX_DEDUP_KEY = 255;
/** No alert ever has this key (incidents are keyed by UUID, others `event:`/`drill:`), so the ping's resolve closes nothing. */
const PING_DEDUP_KEY = 'coopwatch-test-ping';

/**
 * `routing_key`: "the 32 character Integration Key for an integration on a service or on a global
 * ruleset" (PagerDuty/developer-docs, docs/events-API-v2/02-Trigger-Events.md). Another length
 * could only fail at the first real alert, so it is refused when the subscription is written.
 */
const PAGERDUTY_ROUTING_KEY_LENGTH = 32;

/** What is wrong with a pagerduty subscription's routing key, or null when it has the length of one. */
export function routingKeyProblem(key: string | null | undefined): string | null {
  if (!key) return 'a pagerduty subscription needs the integration routingKey';
  return key.length === PAGERDUTY_ROUTING_KEY_LENGTH
    ? null
    : `routingKey must be ${PAGERDUTY_ROUTING_KEY_LENGTH} characters (the Integration Key of an Events API v2 integration); this one has ${key.length}`;
}

/** The severity went up from `previous` (a payload's string; anything unknown is not a raise). */
function raisedFrom(previous: string | null, now: Severity): boolean {
  return SEVERITIES.includes(previous as Severity) && !severityAtLeast(previous as Severity, now);
}

/** A dedup key of at most 255 characters; a long one keeps its start and a hash of the whole. */
export function boundDedupKey(key: string): string {
  if (key.length <= MAX_DEDUP_KEY) return key;
  const suffix = `#${keyHash(key)}`;
  return key.slice(0, MAX_DEDUP_KEY - suffix.length) + suffix;
}

/**
 * What the event means to PagerDuty: the action and the dedup key that ties the trigger,
 * acknowledge and resolve of one alert together; null when the event should not be sent.
 */
export function pagerDutyRouting(event: AlertEvent): { action: PagerDutyAction; dedupKey: string; severity: PagerDutySeverity } | null {
  // A test ping resolves a key no alert has: PagerDuty accepts it (so the routing key and the path
  // work) and drops it, as it drops any resolve of a key with no open alert (02-Trigger-Events.md,
  // "Alert De-Duplication"): no one is paged, where a trigger would page the on-call for nothing.
  if (isPing(event)) return { action: 'resolve', dedupKey: PING_DEDUP_KEY, severity: 'info' };
  const d = eventFields(event.data);
  const severity = PAGERDUTY_SEVERITY[event.severity] ?? 'info';
  let action: PagerDutyAction;
  let key: string;
  const [family, verb] = splitType(event.type);

  if (family === 'incident') {
    const ref = str(d.incidentRef) ?? event.subjectKey;
    if (!ref) return null;
    key = ref; // the incident's stable id: the same key from trigger through acknowledge to resolve
    if (verb === 'opened' || verb === 'reopened') action = 'trigger';
    else if (verb === 'acknowledged') action = 'acknowledge';
    else if (verb === 'resolved') action = 'resolve';
    // A symptom that raised the severity (a PMEF lost): the same key, so PagerDuty updates the alert it has.
    else if (verb === 'correlated' && raisedFrom(str(d.previousSeverity), event.severity)) action = 'trigger';
    else return null; // updated, edited: a trigger with the same key would re-open or re-alert; PagerDuty has no "note" action here
  } else if (family === 'asset' || family === 'function' || family === 'redundancy') {
    // One page per cause: the incident pages, its assets' and functions' changes do not.
    return null;
  } else {
    key = `event:${event.id}`;
    action = 'trigger';
  }
  // A drill's alerts live under their own keys so they never merge with, or resolve, a real one.
  if (event.drillRunId !== null && event.drillRunId !== undefined && !key.startsWith('event:')) key = `drill:${event.drillRunId}:${key}`;
  return { action, dedupKey: boundDedupKey(key), severity };
}

/** An Events API v2 body; null when the event has no meaning for PagerDuty (the delivery is skipped). */
export function formatPagerDuty(event: AlertEvent, options: FormatOptions = {}): FormattedBody | null {
  const routing = pagerDutyRouting(event);
  if (!routing) return null;
  if (!options.routingKey) throw new Error('the pagerduty format needs a routing key (the integration key of a PagerDuty service)');
  const desc = describeEvent(event);
  const link = eventLink(options);
  const assetKey = eventAssetKey(event);
  const functionKey = eventFunctionKey(event);
  const d = eventFields(event.data);
  const group = str(d.kind) ?? str(d.tier) ?? event.subjectKind;
  const customDetails = bound(
    { ...event.data, eventId: event.id, eventType: event.type, severity: event.severity, drill: desc.drill, drillRunId: event.drillRunId ?? null },
    1024,
    50,
  );
  const body: Record<string, unknown> = {
    routing_key: options.routingKey,
    event_action: routing.action,
    dedup_key: routing.dedupKey,
    payload: {
      summary: truncate(`${desc.drill ? '[DRILL] ' : ''}${desc.headline}`, 1024),
      source: truncate(assetKey ?? functionKey ?? event.subjectKey ?? 'coopwatch', 255),
      severity: routing.severity,
      timestamp: isoTime(event.ts),
      component: truncate(assetKey ?? functionKey ?? event.subjectKey ?? event.subjectKind, 255),
      group: truncate(group, 255),
      class: event.type,
      custom_details: customDetails,
    },
    client: 'coopwatch',
  };
  if (link) {
    body['client_url'] = link;
    body['links'] = [{ href: link, text: 'Open coopwatch' }];
  }
  return { body: JSON.stringify(body), contentType: JSON_TYPE };
}
