// What every format shares: the event as stored, the options, and small text and size helpers.
import type { Severity } from '../../domain/enums.js';
import { eventFields, isDrillStep } from '../../domain/events.js';
import type { WEBHOOK_FORMATS } from '../../store/schema/webhooks.js';

export type AlertFormat = (typeof WEBHOOK_FORMATS)[number];

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

export const JSON_TYPE = 'application/json';

/** The type of a test ping: not a catalog event (nothing is stored for it), so it is never mistaken for one. */
export const PING_TYPE = 'ping';

/** A subscription's test ping as an event, so each format builds it the one way it builds any message. */
export function pingEvent(webhookId: number, messageId: string, now: number): AlertEvent {
  return {
    id: messageId, ts: now, type: PING_TYPE, subjectKind: 'webhook', subjectKey: String(webhookId), severity: 'info', drillRunId: null,
    data: { webhookId, message: 'coopwatch test ping: not an alert' },
  };
}

export function isPing(event: AlertEvent): boolean {
  return event.type === PING_TYPE;
}

/** Drill events never page anyone as a real outage: every format labels them. */
export function isDrillEvent(event: AlertEvent): boolean {
  return (event.drillRunId !== null && event.drillRunId !== undefined) || isDrillStep(event.type);
}

/** A field as text: a non-empty string, or a finite number; null otherwise. */
export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

/** The asset the event is about, or null (the `assetKey` every standard body carries). */
export function eventAssetKey(event: AlertEvent): string | null {
  return str(eventFields(event.data).assetKey) ?? (event.subjectKind === 'asset' ? event.subjectKey : null);
}

export function eventFunctionKey(event: AlertEvent): string | null {
  return str(eventFields(event.data).functionKey) ?? (event.subjectKind === 'function' ? event.subjectKey : null);
}

/** Cuts a string to at most `max` characters (code units), ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  // Do not leave half of a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** A copy with long strings cut, long arrays shortened and deep nesting elided. */
export function bound(value: unknown, maxString: number, maxItems: number, depth = 0): unknown {
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

export function eventLink(options: FormatOptions): string | null {
  if (!options.publicUrl) return null;
  try {
    const url = new URL(options.publicUrl);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}

export function splitType(type: string): [string, string | undefined] {
  const dot = type.indexOf('.');
  return dot < 0 ? [type, undefined] : [type.slice(0, dot), type.slice(dot + 1)];
}
