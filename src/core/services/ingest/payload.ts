import { z } from 'zod';
import { keyHash } from '../../domain/hash.js';

/*
 * One route takes two senders of the same shape:
 * - Prometheus Alertmanager, version "4": prometheus/alertmanager notify/webhook/webhook.go
 *   (Message: version, groupKey, truncatedAlerts) around template/template.go (Data: receiver,
 *   status, alerts, groupLabels, commonLabels, commonAnnotations, externalURL; Alert: status,
 *   labels, annotations, startsAt, endsAt, generatorURL, fingerprint).
 * - Grafana's webhook contact point, version "1": grafana/alerting receivers/webhook/v1/webhook.go
 *   (webhookMessage adds orgId, title, state, message) around templates/template_data.go
 *   (ExtendedAlert adds silenceURL, dashboardURL, panelURL, values, valueString, imageURL…).
 * Only what coopwatch uses is declared; every other field is ignored, never refused.
 */

/** The longest values stored; longer ones are clipped, not refused (Alertmanager never retries a 4xx). */
export const ALERT_LIMITS = { key: 200, labelValue: 2000, annotationValue: 5000, fingerprint: 200 } as const;
export const MAX_ALERTS_PER_NOTIFICATION = 1000;

export const ALERT_STATUSES = ['firing', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** Go's time.Time in JSON (RFC 3339); anything else, of any type, reads as absent (alertTime). */
const timestamp = z.unknown().optional().describe('An RFC 3339 string; an invalid or zero (0001-01-01…) time reads as absent');

export const alertmanagerPayloadSchema = z.object({
  version: z.enum(['4', '1']).describe('"4" from Prometheus Alertmanager, "1" from Grafana'),
  status: z.enum(ALERT_STATUSES),
  alerts: z
    .array(
      z.object({
        status: z.enum(ALERT_STATUSES),
        labels: z.record(z.string(), z.string()),
        // Go marshals a nil map as null.
        annotations: z.record(z.string(), z.string()).nullish(),
        startsAt: timestamp,
        endsAt: timestamp.describe("Read on resolved alerts only: a firing alert's endsAt is an estimate (Alertmanager) or zero (Grafana)"),
        fingerprint: z.string().min(1).describe('Identifies the alert across firing and resolved (16 hex digits from both senders)'),
      }),
    )
    .max(MAX_ALERTS_PER_NOTIFICATION),
});
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;

/** An alert as stored: values within ALERT_LIMITS, times in ms (null when absent). */
export interface InboundAlert {
  fingerprint: string;
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number | null;
  /** When a resolved alert ended; always null while firing. */
  endsAt: number | null;
  /** The fields cut to fit, e.g. `annotations.description`; empty when none was. */
  clipped: string[];
}

const CLIP_MARK = '…';

/** `value` cut to `max` characters ending in "…" (never splitting a surrogate pair), or null when it fits. */
export function clipText(value: string, max: number): string | null {
  if (value.length <= max) return null;
  let head = value.slice(0, max - CLIP_MARK.length);
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return head + CLIP_MARK;
}

/**
 * A fingerprint identifies the alert across firing and resolved, so an over-long one keeps a hash
 * of the whole after its clipped head: the same input maps to the same stored key, different
 * inputs stay apart. Real fingerprints are 16 hex digits (model.Fingerprint).
 */
function clipFingerprint(value: string): string | null {
  if (value.length <= ALERT_LIMITS.fingerprint) return null;
  const hash = keyHash(value);
  return clipText(value, ALERT_LIMITS.fingerprint - hash.length)! + hash;
}

function clipRecord(record: Record<string, string>, field: string, valueMax: number, clipped: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [rawKey, rawValue] of Object.entries(record)) {
    const key = clipText(rawKey, ALERT_LIMITS.key) ?? rawKey;
    const value = clipText(rawValue, valueMax);
    if (key !== rawKey || value !== null) clipped.push(`${field}.${key}`);
    result[key] = value ?? rawValue;
  }
  return result;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** Milliseconds since the epoch, or null for an absent, malformed or zero time (Go's 0001-01-01). */
export function alertTime(value: unknown): number | null {
  if (typeof value !== 'string' || value.length > 64 || !RFC3339.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

export function inboundAlerts(payload: AlertmanagerPayload): InboundAlert[] {
  return payload.alerts.map((alert) => {
    const clipped: string[] = [];
    const fingerprint = clipFingerprint(alert.fingerprint);
    if (fingerprint !== null) clipped.push('fingerprint');
    const startsAt = alertTime(alert.startsAt);
    const endsAt = alert.status === 'resolved' ? alertTime(alert.endsAt) : null;
    return {
      fingerprint: fingerprint ?? alert.fingerprint,
      status: alert.status,
      labels: clipRecord(alert.labels, 'labels', ALERT_LIMITS.labelValue, clipped),
      annotations: clipRecord(alert.annotations ?? {}, 'annotations', ALERT_LIMITS.annotationValue, clipped),
      startsAt,
      // An end before the start is no end at all.
      endsAt: endsAt !== null && startsAt !== null && endsAt < startsAt ? null : endsAt,
      clipped,
    };
  });
}
