// One stored event → the request body for a subscription's format: `standard` (Standard Webhooks
// JSON), `slack` (incoming webhook text + blocks), `teams` (Workflows webhook, Adaptive Card 1.4)
// and `pagerduty` (Events API v2). Pure: no I/O, no Node-only imports.
import type { Severity } from '../domain/enums.js';

export const ALERT_FORMATS = ['standard', 'slack', 'teams', 'pagerduty'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

/** An event as stored in the events table (the subset the formats read). */
export interface AlertEvent {
  id: number | string;
  /** Unix milliseconds. */
  ts: number;
  type: string;
  subjectKind: string;
  subjectKey: string | null;
  severity: Severity;
  drillRunId: number | null;
  data: Record<string, unknown>;
}

export interface FormatOptions {
  /** The dashboard's public base URL, for links back. */
  publicUrl?: string;
  /** PagerDuty integration (routing) key; required by the pagerduty format. */
  routingKey?: string;
}

export interface FormattedBody {
  body: string;
  contentType: string;
}

const JSON_TYPE = 'application/json';
/** The Standard Webhooks recommendation: keep payloads small. */
export const STANDARD_MAX_BYTES = 20 * 1024;

// ---- shared description ----------------------------------------------------------------------

/** Drill events never page anyone as a real outage: every format labels them. */
export function isDrillEvent(event: AlertEvent): boolean {
  return (event.drillRunId !== null && event.drillRunId !== undefined) || event.type.startsWith('drill.') || event.type === 'rto.breached';
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function seconds(ms: unknown): string | null {
  return typeof ms === 'number' && Number.isFinite(ms) ? `${Math.round(ms / 100) / 10} s` : null;
}

/** The asset the event is about, or null (the `assetKey` every standard body carries). */
export function eventAssetKey(event: AlertEvent): string | null {
  return str(event.data['assetKey']) ?? (event.subjectKind === 'asset' ? event.subjectKey : null);
}

export function eventFunctionKey(event: AlertEvent): string | null {
  return str(event.data['functionKey']) ?? (event.subjectKind === 'function' ? event.subjectKey : null);
}

export interface EventDescription {
  emoji: string;
  /** One line, e.g. "JAXA Usuda is down — affects missile-warning-relay". */
  headline: string;
  /** Label → value pairs shown as fields/facts. */
  facts: Array<{ title: string; value: string }>;
  /** A longer explanation (reason, update message), if any. */
  detail: string | null;
  drill: boolean;
}

const SEVERITY_LABEL: Record<Severity, string> = { info: 'Info', minor: 'Minor', major: 'Major', critical: 'Critical' };

/** A human description of an event, shared by the chat formats and the PagerDuty summary. */
export function describeEvent(event: AlertEvent): EventDescription {
  const d = event.data;
  const drill = isDrillEvent(event);
  const assetKey = eventAssetKey(event);
  const functionKey = eventFunctionKey(event);
  const assetName = str(d['assetName']) ?? assetKey ?? event.subjectKey ?? 'an asset';
  const functionName = str(d['functionName']) ?? functionKey ?? event.subjectKey ?? 'a function';
  const tier = str(d['tier']);
  const fnLabel = tier ? `${functionName} (${tier})` : functionName;
  const affected = strings(d['functionKeys']);
  const facts: Array<{ title: string; value: string }> = [];
  let emoji = 'ℹ️';
  let headline: string;
  let detail: string | null = null;
  const [family, action = ''] = splitType(event.type);

  if (family === 'asset') {
    const status = str(d['status']) ?? action;
    const affects = affected.length ? ` — affects ${affected.join(', ')}` : '';
    switch (status) {
      case 'down': emoji = '🔴'; headline = `${assetName} is down${affects}`; break;
      case 'degraded': emoji = '🟠'; headline = `${assetName} is degraded${affects}`; break;
      case 'up': emoji = '🟢'; headline = `${assetName} is up`; break;
      case 'maintenance': emoji = '🔧'; headline = `${assetName} is in maintenance`; break;
      case 'unknown': emoji = '⚪'; headline = `${assetName} status is unknown`; break;
      default: headline = `${assetName}: ${status}`;
    }
    facts.push({ title: 'Status', value: withPrevious(status, d['previous']) });
    facts.push({ title: 'Asset', value: assetKey && assetKey !== assetName ? `${assetName} (${assetKey})` : assetName });
    if (str(d['kind'])) facts.push({ title: 'Kind', value: str(d['kind'])! });
    if (affected.length) facts.push({ title: 'Functions', value: affected.join(', ') });
    if (d['suppressed'] === true) facts.push({ title: 'Suppressed', value: 'yes: a station at either end is down' });
    detail = str(d['reason']);
  } else if (family === 'function' || family === 'redundancy') {
    const status = str(d['status']) ?? action;
    const redundancy = str(d['redundancy']);
    if (family === 'function') {
      emoji = status === 'lost' ? '🔴' : status === 'degraded' ? '🟠' : status === 'operational' ? '🟢' : 'ℹ️';
      headline = `${fnLabel} is ${status}`;
    } else if (action === 'lost') {
      emoji = '🟠';
      headline = `${fnLabel} has lost redundancy${redundancy ? ` (${redundancy})` : ''}`;
    } else {
      emoji = '🟢';
      headline = `${fnLabel} redundancy restored${redundancy ? ` (${redundancy})` : ''}`;
    }
    facts.push({ title: 'Status', value: withPrevious(status, d['previous']) });
    facts.push({ title: 'Function', value: functionKey && functionKey !== functionName ? `${functionName} (${functionKey})` : functionName });
    if (redundancy) facts.push({ title: 'Redundancy', value: redundancy });
    const groups = Array.isArray(d['groups']) ? d['groups'] : [];
    const groupText = groups
      .filter((g): g is Record<string, unknown> => typeof g === 'object' && g !== null)
      .map((g) => `${str(g['name']) ?? 'group'}: ${str(g['available']) ?? '?'} of ${str(g['n']) ?? '?'} available, ${str(g['k']) ?? '?'} needed`);
    if (groupText.length) detail = groupText.join('\n');
  } else if (family === 'incident') {
    const title = str(d['title']);
    const ref = str(d['incidentRef']) ?? event.subjectKey ?? String(event.id);
    const name = title ?? `incident ${ref}`;
    switch (action) {
      case 'opened': emoji = '🚨'; headline = `Incident opened: ${name}`; break;
      case 'acknowledged': emoji = '👀'; headline = `Incident acknowledged${str(d['acknowledgedBy']) ? ` by ${str(d['acknowledgedBy'])}` : ''}: ${name}`; break;
      case 'updated': emoji = '📝'; headline = `Incident update${str(d['status']) ? ` (${str(d['status'])})` : ''}: ${name}`; break;
      case 'resolved': emoji = '✅'; headline = `Incident resolved: ${name}`; break;
      default: headline = `Incident ${action}: ${name}`;
    }
    facts.push({ title: 'Incident', value: ref });
    if (assetKey) facts.push({ title: 'Asset', value: assetKey });
    if (affected.length) facts.push({ title: 'Functions', value: affected.join(', ') });
    const tta = seconds(d['ttaMs']);
    const ttd = seconds(d['ttdMs']);
    if (ttd) facts.push({ title: 'Time to detect', value: ttd });
    if (tta) facts.push({ title: 'Time to acknowledge', value: tta });
    detail = str(d['message']);
  } else if (family === 'drill' || family === 'rto') {
    const key = str(d['drillKey']) ?? event.subjectKey ?? str(d['drillId']) ?? 'drill';
    emoji = '🧪';
    switch (event.type) {
      case 'drill.started': headline = `Drill ${key} started`; break;
      case 'drill.detected': headline = `Drill ${key}: outage detected${seconds(d['ttdMs']) ? ` after ${seconds(d['ttdMs'])}` : ''}`; break;
      case 'drill.failed_over': headline = `Drill ${key}: failed over${seconds(d['ttfMs']) ? ` in ${seconds(d['ttfMs'])}` : ''}${d['rtoMet'] === false ? ' (RTO missed)' : d['rtoMet'] === true ? ' (RTO met)' : ''}`; break;
      case 'drill.completed': headline = `Drill ${key} completed${str(d['verdict']) ? `: ${str(d['verdict'])}` : ''}`; break;
      case 'drill.aborted': headline = `Drill ${key} aborted${str(d['reason']) ? `: ${str(d['reason'])}` : ''}`; break;
      case 'drill.failed': emoji = '❌'; headline = `Drill ${key} failed`; break;
      case 'rto.breached': emoji = '⏱️'; headline = `RTO breached in drill ${key}${seconds(d['ttfMs']) && str(d['rtoSeconds']) ? `: ${seconds(d['ttfMs'])} > ${str(d['rtoSeconds'])} s` : ''}`; break;
      default: headline = `Drill ${key}: ${event.type}`;
    }
    facts.push({ title: 'Drill', value: key });
    if (str(d['runId'])) facts.push({ title: 'Run', value: str(d['runId'])! });
    const targets = strings(d['targets']);
    if (targets.length) facts.push({ title: 'Targets', value: targets.join(', ') });
    detail = str(d['note']);
  } else {
    headline = `${event.type}${event.subjectKey ? `: ${event.subjectKey}` : ''}`;
    if (event.subjectKey) facts.push({ title: capitalize(event.subjectKind), value: event.subjectKey });
    detail = str(d['message']);
  }

  facts.push({ title: 'Severity', value: SEVERITY_LABEL[event.severity] ?? String(event.severity) });
  return { emoji, headline, facts, detail, drill };
}

function splitType(type: string): [string, string | undefined] {
  const dot = type.indexOf('.');
  return dot < 0 ? [type, undefined] : [type.slice(0, dot), type.slice(dot + 1)];
}

function withPrevious(status: string, previous: unknown): string {
  const prev = str(previous);
  return prev && prev !== status ? `${status} (was ${prev})` : status;
}

function capitalize(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1).replace(/_/g, ' ') : text;
}

/** Cuts a string to at most `max` characters (code units), ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  // Do not leave half of a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

function eventLink(options: FormatOptions): string | null {
  if (!options.publicUrl) return null;
  try {
    const url = new URL(options.publicUrl);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}

// ---- standard --------------------------------------------------------------------------------

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

/** A copy with long strings cut, long arrays shortened and deep nesting elided. */
function bound(value: unknown, maxString: number, maxItems: number, depth = 0): unknown {
  if (typeof value === 'string') return truncate(value, maxString);
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? String(value) : value;
  if (depth >= 6) return '[nested too deep]';
  if (Array.isArray(value)) {
    const items = value.slice(0, maxItems).map((v) => bound(v, maxString, maxItems, depth + 1));
    if (value.length > maxItems) items.push(`[${value.length - maxItems} more]`);
    return items;
  }
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [key, v] of Object.entries(value)) {
    if (count++ >= maxItems) {
      out['_truncated'] = true;
      break;
    }
    out[truncate(key, 128)] = bound(v, maxString, maxItems, depth + 1);
  }
  return out;
}

/** `{ type, timestamp, data: { ...event data, eventId, severity, drill, drillRunId, subject, assetKey } }`, under ~20 KB. */
export function formatStandard(event: AlertEvent, _options: FormatOptions = {}): FormattedBody {
  const envelope = (data: Record<string, unknown>) => ({
    type: event.type,
    timestamp: isoTime(event.ts),
    data: {
      ...data,
      eventId: event.id,
      severity: event.severity,
      drill: isDrillEvent(event),
      drillRunId: event.drillRunId ?? null,
      subject: { kind: event.subjectKind, key: event.subjectKey },
      assetKey: eventAssetKey(event),
    },
  });
  for (const [maxString, maxItems] of [[2048, 200], [512, 50], [128, 20]] as const) {
    const body = JSON.stringify(envelope(bound(event.data, maxString, maxItems) as Record<string, unknown>));
    if (byteLength(body) <= STANDARD_MAX_BYTES) return { body, contentType: JSON_TYPE };
  }
  // Still too large: only the identifying fields survive.
  return { body: JSON.stringify(envelope({ truncated: true })), contentType: JSON_TYPE };
}

// ---- slack -----------------------------------------------------------------------------------

/** Slack mrkdwn needs &, < and > escaped in text it should show as is. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `{ text, blocks }` for a Slack incoming webhook; `text` is the notification fallback. */
export function formatSlack(event: AlertEvent, options: FormatOptions = {}): FormattedBody {
  const desc = describeEvent(event);
  const prefix = desc.drill ? '🧪 DRILL — ' : '';
  const text = truncate(`${prefix}${desc.emoji} ${desc.headline}`, 3000);
  const unix = Math.floor(event.ts / 1000);
  const when = `<!date^${unix}^{date_short_pretty} {time_secs}|${isoTime(event.ts)}>`;
  const link = eventLink(options);

  const blocks: unknown[] = [];
  if (desc.drill) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: ':test_tube: *DRILL* — an exercise, not a real outage' } });
  }
  blocks.push({ type: 'header', text: { type: 'plain_text', text: truncate(`${desc.drill ? 'DRILL: ' : ''}${desc.emoji} ${desc.headline}`, 150), emoji: true } });
  // Slack allows at most 10 fields per section; the time always shows.
  const fields = [
    ...desc.facts.slice(0, 9).map((fact) => `*${escapeSlack(fact.title)}*\n${escapeSlack(fact.value)}`),
    `*Time*\n${when}`,
  ].map((text) => ({ type: 'mrkdwn', text: truncate(text, 2000) }));
  blocks.push({ type: 'section', fields });
  if (desc.detail) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(escapeSlack(desc.detail), 3000) } });
  if (link) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${link}|Open coopwatch>` } });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(`coopwatch · ${escapeSlack(event.type)} · event ${escapeSlack(String(event.id))}${desc.drill ? ' · DRILL' : ''}`, 3000) }],
  });
  return { body: JSON.stringify({ text, blocks }), contentType: JSON_TYPE };
}

// ---- teams -----------------------------------------------------------------------------------

const TEAMS_COLOR: Record<Severity, string> = { info: 'Default', minor: 'Warning', major: 'Attention', critical: 'Attention' };

/** A Teams Workflows webhook message carrying one Adaptive Card 1.4. */
export function formatTeams(event: AlertEvent, options: FormatOptions = {}): FormattedBody {
  const desc = describeEvent(event);
  const link = eventLink(options);
  const body: unknown[] = [];
  if (desc.drill) {
    body.push({
      type: 'Container',
      style: 'warning',
      bleed: true,
      items: [{ type: 'TextBlock', text: '🧪 DRILL — an exercise, not a real outage', weight: 'Bolder', color: 'Warning', wrap: true }],
    });
  }
  body.push({
    type: 'TextBlock',
    text: truncate(`${desc.drill ? 'DRILL: ' : ''}${desc.emoji} ${desc.headline}`, 1000),
    size: 'Large',
    weight: 'Bolder',
    wrap: true,
    color: desc.drill ? 'Default' : TEAMS_COLOR[event.severity] ?? 'Default',
  });
  body.push({
    type: 'FactSet',
    facts: [...desc.facts, { title: 'Time', value: isoTime(event.ts) }].map((f) => ({ title: f.title, value: truncate(f.value, 1000) })),
  });
  if (desc.detail) body.push({ type: 'TextBlock', text: truncate(desc.detail, 2000), wrap: true });
  body.push({
    type: 'TextBlock',
    text: `coopwatch · ${event.type} · event ${event.id}${desc.drill ? ' · DRILL' : ''}`,
    isSubtle: true,
    size: 'Small',
    wrap: true,
  });
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    msteams: { width: 'Full' },
  };
  if (link) card['actions'] = [{ type: 'Action.OpenUrl', title: 'Open coopwatch', url: link }];
  const message = {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
  return { body: JSON.stringify(message), contentType: JSON_TYPE };
}

// ---- pagerduty -------------------------------------------------------------------------------

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export const PAGERDUTY_SEVERITY: Record<Severity, PagerDutySeverity> = { critical: 'critical', major: 'error', minor: 'warning', info: 'info' };
const MAX_DEDUP_KEY = 255;

/** A dedup key of at most 255 characters; a long one keeps its start and a hash of the whole. */
export function boundDedupKey(key: string): string {
  if (key.length <= MAX_DEDUP_KEY) return key;
  // FNV-1a (32-bit), twice with different seeds: stable and dependency-free; uniqueness, not secrecy.
  const fnv = (seed: number) => {
    let h = seed >>> 0;
    for (let i = 0; i < key.length; i++) {
      h ^= key.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16).padStart(8, '0');
  };
  const suffix = `#${fnv(0x811c9dc5)}${fnv(0x9747b28c)}`;
  return key.slice(0, MAX_DEDUP_KEY - suffix.length) + suffix;
}

/**
 * What the event means to PagerDuty: the action and the dedup key that ties the trigger,
 * acknowledge and resolve of one alert together; null when the event should not be sent.
 */
export function pagerDutyRouting(event: AlertEvent): { action: PagerDutyAction; dedupKey: string; severity: PagerDutySeverity } | null {
  const d = event.data;
  let severity = PAGERDUTY_SEVERITY[event.severity] ?? 'info';
  let action: PagerDutyAction;
  let key: string;
  const [family, verb] = splitType(event.type);

  if (family === 'incident') {
    const ref = str(d['incidentRef']) ?? event.subjectKey;
    if (!ref) return null;
    key = ref; // the incident's stable id: the same key from trigger through acknowledge to resolve
    if (verb === 'opened') action = 'trigger';
    else if (verb === 'acknowledged') action = 'acknowledge';
    else if (verb === 'resolved') action = 'resolve';
    else return null; // updated: a trigger with the same key would re-open or re-alert; PagerDuty has no "note" action here
  } else if (family === 'asset') {
    const assetKey = eventAssetKey(event);
    if (!assetKey) return null;
    key = `asset:${assetKey}`;
    if (verb === 'down') {
      if (d['suppressed'] === true) return null; // a link whose station is down: the station pages, not the link
      action = 'trigger';
    } else if (verb === 'degraded' || verb === 'unknown') {
      action = 'trigger';
      severity = 'warning';
    } else if (verb === 'up' || verb === 'maintenance') {
      action = 'resolve';
    } else return null;
  } else if (family === 'function') {
    const functionKey = eventFunctionKey(event);
    if (!functionKey) return null;
    key = `function:${functionKey}`;
    if (verb === 'lost' || verb === 'degraded') action = 'trigger';
    else if (verb === 'operational') action = 'resolve';
    else return null;
  } else if (family === 'redundancy') {
    const functionKey = eventFunctionKey(event);
    if (!functionKey) return null;
    key = `redundancy:${functionKey}`;
    if (verb === 'lost') action = 'trigger';
    else if (verb === 'restored') action = 'resolve';
    else return null;
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
  const group = str(event.data['kind']) ?? str(event.data['tier']) ?? event.subjectKind;
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

// ---- dispatch --------------------------------------------------------------------------------

/** The request body for a subscription's format, or null when the event means nothing in it. */
export function formatEvent(format: AlertFormat, event: AlertEvent, options: FormatOptions = {}): FormattedBody | null {
  switch (format) {
    case 'standard': return formatStandard(event, options);
    case 'slack': return formatSlack(event, options);
    case 'teams': return formatTeams(event, options);
    case 'pagerduty': return formatPagerDuty(event, options);
    default: throw new Error(`unknown alert format: ${String(format satisfies never)}`);
  }
}
