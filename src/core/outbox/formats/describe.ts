// A human description of an event (emoji, headline, facts, detail), shared by the chat formats
// and the PagerDuty summary. Fields are read by the catalog's names; rows are checked as read.
import type { Severity } from '../../domain/enums.js';
import { eventFields, type EventFields } from '../../domain/events.js';
import { eventAssetKey, eventFunctionKey, isDrillEvent, isPing, splitType, str, type AlertEvent } from './shared.js';

type Fact = { title: string; value: string };

export interface EventDescription {
  emoji: string;
  /** One line, e.g. "JAXA Usuda is down — affects missile-warning-relay". */
  headline: string;
  /** Label → value pairs shown as fields/facts. */
  facts: Fact[];
  /** A longer explanation (reason, update message), if any. */
  detail: string | null;
  drill: boolean;
}

type Described = Omit<EventDescription, 'drill'>;

const SEVERITY_LABEL: Record<Severity, string> = { info: 'Info', minor: 'Minor', major: 'Major', critical: 'Critical' };

export function describeEvent(event: AlertEvent): EventDescription {
  const d = eventFields(event.data);
  const [family, action = ''] = splitType(event.type);
  if (isPing(event)) return { ...describePing(event), drill: false };
  const described =
    family === 'asset' ? describeAsset(event, d, action)
    : family === 'function' || family === 'redundancy' ? describeFunction(event, d, family, action)
    : family === 'incident' ? describeIncident(event, d, action)
    : family === 'drill' || family === 'rto' ? describeDrill(event, d)
    : event.type === 'contact.missed' ? describeMissedContact(event, d)
    : describeOther(event, d);
  described.facts.push({ title: 'Severity', value: SEVERITY_LABEL[event.severity] ?? String(event.severity) });
  return { ...described, drill: isDrillEvent(event) };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function seconds(ms: unknown): string | null {
  return typeof ms === 'number' && Number.isFinite(ms) ? `${Math.round(ms / 100) / 10} s` : null;
}

function withPrevious(status: string, previous: unknown): string {
  const prev = str(previous);
  return prev && prev !== status ? `${status} (was ${prev})` : status;
}

function capitalize(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1).replace(/_/g, ' ') : text;
}

function describeAsset(event: AlertEvent, d: EventFields, action: string): Described {
  const assetKey = eventAssetKey(event);
  const assetName = str(d.assetName) ?? assetKey ?? event.subjectKey ?? 'an asset';
  const affected = strings(d.functionKeys);
  const status = str(d.status) ?? action;
  const affects = affected.length ? ` — affects ${affected.join(', ')}` : '';
  const [emoji, headline] = ((): [string, string] => {
    switch (status) {
      case 'down': return ['🔴', `${assetName} is down${affects}`];
      case 'degraded': return ['🟠', `${assetName} is degraded${affects}`];
      case 'flapping': return ['🔶', `${assetName} is flapping${affects}`];
      case 'up': return ['🟢', `${assetName} is up`];
      case 'maintenance': return ['🔧', `${assetName} is in maintenance`];
      case 'unknown': return ['⚪', `${assetName} status is unknown`];
      default: return ['ℹ️', `${assetName}: ${status}`];
    }
  })();
  const facts: Fact[] = [
    { title: 'Status', value: withPrevious(status, d.previous) },
    { title: 'Asset', value: assetKey && assetKey !== assetName ? `${assetName} (${assetKey})` : assetName },
  ];
  if (str(d.kind)) facts.push({ title: 'Kind', value: str(d.kind)! });
  if (affected.length) facts.push({ title: 'Functions', value: affected.join(', ') });
  if (d.suppressed === true) facts.push({ title: 'Suppressed', value: 'yes: a station at either end is down' });
  return { emoji, headline, facts, detail: str(d.reason) };
}

function describeFunction(event: AlertEvent, d: EventFields, family: string, action: string): Described {
  const functionKey = eventFunctionKey(event);
  const functionName = str(d.functionName) ?? functionKey ?? event.subjectKey ?? 'a function';
  const tier = str(d.tier);
  const fnLabel = tier ? `${functionName} (${tier})` : functionName;
  const status = str(d.status) ?? action;
  const redundancy = str(d.redundancy);
  let emoji: string;
  let headline: string;
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
  const facts: Fact[] = [
    { title: 'Status', value: withPrevious(status, d.previous) },
    { title: 'Function', value: functionKey && functionKey !== functionName ? `${functionName} (${functionKey})` : functionName },
  ];
  if (redundancy) facts.push({ title: 'Redundancy', value: redundancy });
  const groups: unknown[] = Array.isArray(d.groups) ? d.groups : [];
  const groupText = groups
    .filter((g): g is Record<string, unknown> => typeof g === 'object' && g !== null)
    .map((g) => `${str(g['name']) ?? 'group'}: ${str(g['available']) ?? '?'} of ${str(g['n']) ?? '?'} available, ${str(g['k']) ?? '?'} needed`);
  return { emoji, headline, facts, detail: groupText.length ? groupText.join('\n') : null };
}

function describeIncident(event: AlertEvent, d: EventFields, action: string): Described {
  const title = str(d.title);
  const ref = str(d.incidentRef) ?? event.subjectKey ?? String(event.id);
  const name = title ?? `incident ${ref}`;
  const [emoji, headline] = ((): [string, string] => {
    switch (action) {
      case 'opened': return ['🚨', `Incident opened: ${name}`];
      case 'acknowledged': return ['👀', `Incident acknowledged${str(d.acknowledgedBy) ? ` by ${str(d.acknowledgedBy)}` : ''}: ${name}`];
      case 'updated': return ['📝', `Incident update${str(d.status) ? ` (${str(d.status)})` : ''}: ${name}`];
      case 'resolved': return ['✅', `Incident resolved: ${name}`];
      default: return ['ℹ️', `Incident ${action}: ${name}`];
    }
  })();
  const facts: Fact[] = [{ title: 'Incident', value: ref }];
  const assetKey = eventAssetKey(event);
  const affected = strings(d.functionKeys);
  if (assetKey) facts.push({ title: 'Asset', value: assetKey });
  if (affected.length) facts.push({ title: 'Functions', value: affected.join(', ') });
  const ttd = seconds(d.ttdMs);
  const tta = seconds(d.ttaMs);
  if (ttd) facts.push({ title: 'Time to detect', value: ttd });
  if (tta) facts.push({ title: 'Time to acknowledge', value: tta });
  return { emoji, headline, facts, detail: str(d.message) };
}

function drillHeadline(type: string, key: string, d: EventFields): [string, string] {
  const ttd = seconds(d.ttdMs);
  const ttf = seconds(d.ttfMs);
  switch (type) {
    case 'drill.started': return ['🧪', `Drill ${key} started`];
    case 'drill.detected': return ['🧪', `Drill ${key}: outage detected${ttd ? ` after ${ttd}` : ''}`];
    case 'drill.failed_over': return ['🧪', `Drill ${key}: failed over${ttf ? ` in ${ttf}` : ''}${d.rtoMet === false ? ' (RTO missed)' : d.rtoMet === true ? ' (RTO met)' : ''}`];
    case 'drill.completed': return ['🧪', `Drill ${key} completed${str(d.verdict) ? `: ${str(d.verdict)}` : ''}`];
    case 'drill.aborted': return ['🧪', `Drill ${key} aborted${str(d.reason) ? `: ${str(d.reason)}` : ''}`];
    case 'drill.failed': return ['❌', `Drill ${key} failed`];
    case 'rto.breached': return ['⏱️', `RTO breached in drill ${key}${ttf && str(d.rtoSeconds) ? `: ${ttf} > ${str(d.rtoSeconds)} s` : ''}`];
    default: return ['🧪', `Drill ${key}: ${type}`];
  }
}

function describeDrill(event: AlertEvent, d: EventFields): Described {
  const key = str(d.drillKey) ?? event.subjectKey ?? str(d.drillId) ?? 'drill';
  const [emoji, headline] = drillHeadline(event.type, key, d);
  const facts: Fact[] = [{ title: 'Drill', value: key }];
  if (str(d.runId)) facts.push({ title: 'Run', value: str(d.runId)! });
  const targets = strings(d.targets);
  if (targets.length) facts.push({ title: 'Targets', value: targets.join(', ') });
  return { emoji, headline, facts, detail: str(d.note) };
}

function utc(ms: unknown): string | null {
  return typeof ms === 'number' && Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : null;
}

function describeMissedContact(event: AlertEvent, d: EventFields): Described {
  const station = eventAssetKey(event) ?? 'a station';
  const satellite = str(d.satelliteKey) ?? 'its satellite';
  const facts: Fact[] = [{ title: 'Station', value: station }, { title: 'Satellite', value: satellite }];
  const [aos, los] = [utc(d.aosMs), utc(d.losMs)];
  if (aos) facts.push({ title: 'AOS', value: aos });
  if (los) facts.push({ title: 'LOS', value: los });
  if (str(d.checkKey)) facts.push({ title: 'Check', value: str(d.checkKey)! });
  return { emoji: '📡', headline: `${station} missed its contact with ${satellite}`, facts, detail: str(d.message) };
}

/** A test ping says so in its headline: never a severity, never mistaken for an outage. */
function describePing(event: AlertEvent): Described {
  return {
    emoji: '🔔',
    headline: 'Test message from coopwatch: not an alert, nothing is down',
    facts: [{ title: 'Subscription', value: `#${event.subjectKey ?? '?'}` }],
    detail: 'Sent on request to test this webhook subscription: it reached you, so alerts will too.',
  };
}

function describeOther(event: AlertEvent, d: EventFields): Described {
  const facts: Fact[] = event.subjectKey ? [{ title: capitalize(event.subjectKind), value: event.subjectKey }] : [];
  return { emoji: 'ℹ️', headline: `${event.type}${event.subjectKey ? `: ${event.subjectKey}` : ''}`, facts, detail: str(d.message) };
}
