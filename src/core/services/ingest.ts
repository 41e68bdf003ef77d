import { and, eq, sql } from 'drizzle-orm';
import { commitAtomically, type Statement } from '../store/client.js';
import { assets, checks, externalAlerts, incidents } from '../store/schema/index.js';
import { SEVERITIES, type Severity } from '../domain/enums.js';
import { authorize } from '../domain/roles.js';
import type { ServiceContext } from './context.js';
import { recordEvent } from '../store/events.js';
import { idsIn, textIn } from '../store/ids.js';
import { inboundAlerts, type AlertmanagerPayload, type AlertStatus, type InboundAlert } from './ingest/payload.js';
import { isStale, newerThanStored, type AlertMoment } from './ingest/alert-order.js';

export { ALERT_STATUSES, alertmanagerPayloadSchema, type AlertmanagerPayload } from './ingest/payload.js';

export interface IngestResult {
  /** Stored alerts; `clipped` names the fields cut to fit, when any was. */
  accepted: Array<{ fingerprint: string; assetKey: string; status: AlertStatus; clipped?: string[] }>;
  /** Alerts whose label names no asset: reported back, not dropped silently. */
  unknownAssets: Array<{ fingerprint: string; label: string | null }>;
  /** Alerts older than what is stored for their fingerprint (isStale): reported, not applied. */
  stale: Array<{ fingerprint: string; assetKey: string; status: AlertStatus }>;
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

/** The assets the alerts name, those with an external check, and what is stored per fingerprint. */
async function loadTargets(ctx: ServiceContext, alerts: InboundAlert[], label: string) {
  const keys = [...new Set(alerts.flatMap((a) => (a.labels[label] ? [a.labels[label]!] : [])))];
  const found = keys.length ? await ctx.db.select({ id: assets.id, key: assets.key }).from(assets).where(textIn(assets.key, keys)) : [];
  const withExternal = new Set(
    found.length
      ? (await ctx.db.select({ assetId: checks.assetId }).from(checks).where(and(eq(checks.kind, 'external'), idsIn(checks.assetId, found.map((a) => a.id))))).map((c) => c.assetId)
      : [],
  );
  const fingerprints = alerts.map((a) => a.fingerprint);
  const stored = fingerprints.length
    ? await ctx.db
        .select({ fingerprint: externalAlerts.fingerprint, status: externalAlerts.status, startsAt: externalAlerts.startsAt, endsAt: externalAlerts.endsAt })
        .from(externalAlerts)
        .where(textIn(externalAlerts.fingerprint, fingerprints))
    : [];
  return { byKey: new Map(found.map((a) => [a.key, a.id])), withExternal, stored: new Map<string, AlertMoment>(stored.map((row) => [row.fingerprint, row])) };
}

/** The alert's row, written only if no newer notification for its fingerprint got there first. */
export function storeAlert(ctx: ServiceContext, alert: InboundAlert, assetId: number, now: number): Statement {
  const row = {
    assetId, alertName: alert.labels.alertname ?? 'alert', status: alert.status,
    summary: alert.annotations.summary ?? alert.annotations.description ?? null,
    startsAt: alert.startsAt, endsAt: alert.endsAt, clipped: alert.clipped.length ? alert.clipped : null, updatedAt: now,
  };
  return ctx.db
    .insert(externalAlerts)
    .values({ fingerprint: alert.fingerprint, ...row })
    .onConflictDoUpdate({ target: externalAlerts.fingerprint, set: row, setWhere: newerThanStored() });
}

/** An asset's first alert gives it an external check, so alerts work without setup. */
function createExternalCheck(ctx: ServiceContext, assetKey: string, assetId: number, now: number): Statement[] {
  const checkKey = `${assetKey}-alertmanager`.slice(0, 80);
  return [
    ctx.db.insert(checks).values({
      key: checkKey, assetId, kind: 'external', intervalSeconds: 5, timeoutMs: 1000, failureThreshold: 1, successThreshold: 1,
      settings: { source: 'alertmanager' }, createdAt: now, updatedAt: now,
    }).onConflictDoNothing(),
    recordEvent(ctx, { type: 'check.created', subjectKind: 'check', subjectId: sql`(select id from checks where key = ${checkKey})`, subjectKey: checkKey, data: { assetId, kind: 'external', reason: 'first Alertmanager alert for the asset' } }),
  ];
}

/**
 * Alerts from Prometheus Alertmanager or Grafana become an asset's `external` check: down while
 * any of its alerts fires, up when all are resolved. The asset is found by the value of `label`
 * (e.g. `asset=ksat-svalsat`). Over-long values are clipped (inboundAlerts); a notification older
 * than the stored one for its fingerprint is reported as stale and changes nothing (isStale). A
 * firing alert's `severity` label (alertSeverity) grades the asset's open incident.
 */
export async function ingestAlertmanager(ctx: ServiceContext, payload: AlertmanagerPayload, label: string): Promise<IngestResult> {
  authorize(ctx.actor, 'handleIncidents');
  const alerts = inboundAlerts(payload);
  const { byKey, withExternal, stored } = await loadTargets(ctx, alerts, label);
  const now = ctx.now();
  const result: IngestResult = { accepted: [], unknownAssets: [], stale: [] };
  const statements: Statement[] = [];
  const firing: Array<{ assetId: number; severity: Severity | null }> = [];
  for (const alert of alerts) {
    const { fingerprint, status, clipped } = alert;
    const key = alert.labels[label];
    const assetId = key ? byKey.get(key) : undefined;
    if (!key || assetId === undefined) {
      result.unknownAssets.push({ fingerprint, label: key ?? null });
      continue;
    }
    if (isStale(alert, stored.get(fingerprint))) {
      result.stale.push({ fingerprint, assetKey: key, status });
      continue;
    }
    stored.set(fingerprint, alert);
    statements.push(storeAlert(ctx, alert, assetId, now));
    result.accepted.push({ fingerprint, assetKey: key, status, ...(clipped.length ? { clipped } : {}) });
    if (status === 'firing') firing.push({ assetId, severity: alertSeverity(alert.labels) });
    if (!withExternal.has(assetId)) {
      withExternal.add(assetId);
      statements.push(...createExternalCheck(ctx, key, assetId, now));
    }
  }
  for (const [assetId, severity] of severityByAsset(firing)) {
    statements.push(ctx.db.update(incidents).set({ severity }).where(and(eq(incidents.assetId, assetId), eq(incidents.state, 'open'))));
  }
  if (statements.length) {
    const data = {
      accepted: result.accepted.length, unknown: result.unknownAssets.length, stale: result.stale.length,
      clipped: result.accepted.filter((a) => a.clipped).length, sender: payload.version === '1' ? 'grafana' as const : 'alertmanager' as const,
    };
    statements.push(recordEvent(ctx, { type: 'ingest.alertmanager', subjectKind: 'ingest', data }));
    await commitAtomically(ctx.db, statements);
  }
  return result;
}
