import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { commitAtomically, type Statement } from '../store/client.js';
import { assets, checks, externalAlerts, incidents } from '../store/schema/index.js';
import { SEVERITIES, type Severity } from '../domain/enums.js';
import { authorize } from '../domain/roles.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';
import { idsIn, textIn } from '../store/ids.js';

/** Prometheus Alertmanager webhook payload, version 4 (extra fields are allowed and ignored). */
export const alertmanagerPayloadSchema = z.object({
  version: z.literal('4'),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(500).optional(),
  groupKey: z.string().max(5000).optional(),
  alerts: z
    .array(
      z.object({
        status: z.enum(['firing', 'resolved']),
        labels: z.record(z.string().max(200), z.string().max(2000)),
        annotations: z.record(z.string().max(200), z.string().max(5000)).default({}),
        startsAt: z.string().max(64).optional(),
        endsAt: z.string().max(64).optional(),
        fingerprint: z.string().min(1).max(200),
      }),
    )
    .max(1000),
});
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;

export interface IngestResult {
  accepted: Array<{ fingerprint: string; assetKey: string; status: 'firing' | 'resolved' }>;
  /** Alerts whose label names no asset: reported back, not dropped silently. */
  unknownAssets: Array<{ fingerprint: string; label: string | null }>;
}

/**
 * Alertmanager's `severity` label as an incident severity: Prometheus's `critical` pages someone
 * (critical), `error` is an outage to fix now (major), `warning` wants a look (minor), `info`
 * informs. Other values leave the severity the monitor chose.
 */
const ALERT_SEVERITIES: Readonly<Record<string, Severity>> = { critical: 'critical', error: 'major', warning: 'minor', info: 'info' };

export function alertSeverity(labels: Record<string, string>): Severity | null {
  return ALERT_SEVERITIES[(labels.severity ?? '').trim().toLowerCase()] ?? null;
}

/** The highest severity among an asset's firing alerts in the payload, per asset. */
function severityByAsset(firing: Array<{ assetId: number; severity: Severity | null }>): Map<number, Severity> {
  const result = new Map<number, Severity>();
  for (const { assetId, severity } of firing) {
    const current = result.get(assetId);
    if (severity && (!current || SEVERITIES.indexOf(severity) > SEVERITIES.indexOf(current))) result.set(assetId, severity);
  }
  return result;
}

/**
 * Alerts from Prometheus become an asset's `external` check: down while any of its alerts fires,
 * up when all are resolved. The asset is found by the value of `label` (e.g. `asset=ksat-svalsat`).
 * An asset without an external check gets one, so alerts work without setup. A firing alert's
 * `severity` label (alertSeverity) grades the asset's open incident.
 */
export async function ingestAlertmanager(ctx: ServiceContext, payload: AlertmanagerPayload, label: string): Promise<IngestResult> {
  authorize(ctx.actor, 'handleIncidents');
  const keys = [...new Set(payload.alerts.flatMap((a) => (a.labels[label] ? [a.labels[label]!] : [])))];
  const found = keys.length ? await ctx.db.select({ id: assets.id, key: assets.key }).from(assets).where(textIn(assets.key, keys)) : [];
  const byKey = new Map(found.map((a) => [a.key, a.id]));
  const withExternal = new Set(
    found.length
      ? (await ctx.db.select({ assetId: checks.assetId }).from(checks).where(and(eq(checks.kind, 'external'), idsIn(checks.assetId, found.map((a) => a.id))))).map((c) => c.assetId)
      : [],
  );
  const now = ctx.now();
  const result: IngestResult = { accepted: [], unknownAssets: [] };
  const statements: Statement[] = [];
  const firing: Array<{ assetId: number; severity: Severity | null }> = [];
  for (const alert of payload.alerts) {
    const key = alert.labels[label];
    const assetId = key ? byKey.get(key) : undefined;
    if (!key || assetId === undefined) {
      result.unknownAssets.push({ fingerprint: alert.fingerprint, label: key ?? null });
      continue;
    }
    const row = {
      assetId, alertName: alert.labels.alertname ?? 'alert', status: alert.status,
      summary: alert.annotations.summary ?? alert.annotations.description ?? null, updatedAt: now,
    };
    statements.push(ctx.db.insert(externalAlerts).values({ fingerprint: alert.fingerprint, ...row }).onConflictDoUpdate({ target: externalAlerts.fingerprint, set: row }));
    result.accepted.push({ fingerprint: alert.fingerprint, assetKey: key, status: alert.status });
    if (alert.status === 'firing') firing.push({ assetId, severity: alertSeverity(alert.labels) });
    if (!withExternal.has(assetId)) {
      withExternal.add(assetId);
      const checkKey = `${key}-alertmanager`.slice(0, 80);
      statements.push(
        ctx.db.insert(checks).values({
          key: checkKey, assetId, kind: 'external', intervalSeconds: 5, timeoutMs: 1000, failureThreshold: 1, successThreshold: 1,
          settings: { source: 'alertmanager' }, createdAt: now, updatedAt: now,
        }).onConflictDoNothing(),
        recordEvent(ctx, { type: 'check.created', subjectKind: 'check', subjectId: sql`(select id from checks where key = ${checkKey})`, subjectKey: checkKey, data: { assetId, kind: 'external', reason: 'first Alertmanager alert for the asset' } }),
      );
    }
  }
  for (const [assetId, severity] of severityByAsset(firing)) {
    statements.push(ctx.db.update(incidents).set({ severity }).where(and(eq(incidents.assetId, assetId), eq(incidents.state, 'open'))));
  }
  if (statements.length) {
    statements.push(recordEvent(ctx, { type: 'ingest.alertmanager', subjectKind: 'ingest', data: { accepted: result.accepted.length, unknown: result.unknownAssets.length } }));
    await commitAtomically(ctx.db, statements);
  }
  return result;
}
