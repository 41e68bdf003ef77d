// Standard Webhooks JSON: `{ type, timestamp, data }`, kept small.
import { isoTime } from '../../domain/time.js';
import { bound, eventAssetKey, isDrillEvent, JSON_TYPE, type AlertEvent, type FormatOptions, type FormattedBody } from './shared.js';

/** The Standard Webhooks recommendation: keep payloads small. */
export const STANDARD_MAX_BYTES = 20 * 1024;

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

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
