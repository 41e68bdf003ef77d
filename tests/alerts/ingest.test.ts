// Prometheus Alertmanager in: `POST /api/ingest/alertmanager` with v4 payloads. Alerts map to
// assets by a label; an asset's `external` check (created on its first alert) is down while any
// of its alerts fires. With a LiveMonitor running, firing → the asset down and an incident open;
// resolved → back up and the incident resolved — and the same round trip goes out as webhooks.
import { describe, it, type TestContext } from 'vitest';
import { WebhookDispatcher } from '../../src/core/outbox/dispatcher.js';
import { createWebhookSender } from '../../src/hosts/node/webhook-sender.js';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createTestApp, errorPaths, expectErrorShape, rawClient, tableCounts, type TestApp } from '../helpers.js';
import { HOOK_PATH, ok, runDispatcher, startWebhookReceiver, waitFor, withWebhookDeps, type DispatcherLoop } from '../support/webhook-receiver.js';

async function setup(ctx: TestContext, options: { label?: string } = {}) {
  const base = await createTestApp();
  const t: TestApp = withWebhookDeps(base, { allowPrivate: true, ...(options.label ? { alertmanagerLabel: options.label } : {}) });
  const runtime = createNodeProbeRuntime();
  let live: LiveMonitor | undefined;
  let loop: DispatcherLoop | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  ctx.onTestFinished(async () => {
    await loop?.stop();
    await live?.stop();
    await runtime.close();
    for (const fn of cleanups) await fn();
    base.close();
  });
  return {
    t,
    async createAsset(key: string, extra: Record<string, unknown> = {}): Promise<number> {
      return (await ok(t.call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: key, ...extra } }), 201)).id;
    },
    ingest: (payload: unknown, token: string | null = t.tokens.officer) => t.call('POST', '/api/ingest/alertmanager', { token, body: payload }),
    async startMonitor() {
      live = await LiveMonitor.start({ db: t.sqlite.db, probeContext: runtime.context, flushIntervalMs: 100, syncIntervalMs: 200 });
      return live;
    },
    async startWebhooks(events: string[]) {
      const receiver = await startWebhookReceiver();
      const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 500 });
      cleanups.push(() => receiver.close(), () => sender.close());
      const sub = await ok(t.call('POST', '/api/webhooks', { body: { url: receiver.urlFor(HOOK_PATH), events } }), 201);
      receiver.setSecrets([sub.secret]);
      loop = runDispatcher(new WebhookDispatcher({ db: t.sqlite.db, send: sender.send, retryScheduleSeconds: [0.2, 0.2] }));
      return receiver;
    },
    externalChecks(assetId: number) {
      return rawClient(t.sqlite).prepare("select * from checks where kind = 'external' and asset_id = ?").all(assetId) as any[];
    },
    resultsOf(checkId: number) {
      return rawClient(t.sqlite).prepare('select ts, status from check_results where check_id = ? order by ts').all(checkId) as Array<{ ts: number; status: number }>;
    },
  };
}

interface Alert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  fingerprint: string;
  summary?: string;
}

/** A v4 payload as Alertmanager sends it, with the fields coopwatch ignores too. */
function payload(alerts: Alert[], status?: 'firing' | 'resolved') {
  return {
    version: '4',
    groupKey: '{}:{alertname="StationDown"}',
    truncatedAlerts: 0,
    status: status ?? (alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved'),
    receiver: 'coopwatch',
    groupLabels: { alertname: 'StationDown' },
    commonLabels: { severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts: alerts.map((a) => ({
      status: a.status,
      labels: { alertname: 'StationDown', severity: 'critical', ...a.labels },
      annotations: a.summary ? { summary: a.summary } : {},
      startsAt: '2025-03-01T10:00:00.000Z',
      endsAt: a.status === 'resolved' ? '2025-03-01T10:05:00.000Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up%3D%3D0',
      fingerprint: a.fingerprint,
    })),
  };
}

describe.concurrent('POST /api/ingest/alertmanager', () => {
  it('takes mixed alerts (officer), reports unknown assets back and creates the external check once', async (ctx) => {
    const { expect } = ctx;
    const { t, createAsset, ingest, externalChecks } = await setup(ctx);
    const a = await createAsset('gs-alpha');
    const b = await createAsset('gs-bravo');
    const existing = await ok(t.call('POST', '/api/checks', { body: { key: 'bravo-prom', assetId: b, kind: 'external', intervalSeconds: 30 } }), 201);
    const body = payload([
      { status: 'firing', labels: { asset: 'gs-alpha' }, fingerprint: 'fp-alpha-1', summary: 'antenna controller unreachable' },
      { status: 'resolved', labels: { asset: 'gs-bravo' }, fingerprint: 'fp-bravo-1' },
      { status: 'firing', labels: { asset: 'gs-nowhere' }, fingerprint: 'fp-ghost' },
      { status: 'firing', labels: { instance: 'node-exporter:9100' }, fingerprint: 'fp-nolabel' },
    ]);

    expect((await ingest(body, t.tokens.viewer)).status).toBe(403);
    expect((await ingest(body, null)).status).toBe(401);
    const res = await ok(ingest(body));
    expect(res.accepted).toEqual([
      { fingerprint: 'fp-alpha-1', assetKey: 'gs-alpha', status: 'firing' },
      { fingerprint: 'fp-bravo-1', assetKey: 'gs-bravo', status: 'resolved' },
    ]);
    expect(res.unknownAssets).toEqual([
      { fingerprint: 'fp-ghost', label: 'gs-nowhere' },
      { fingerprint: 'fp-nolabel', label: null },
    ]);

    // gs-alpha had no external check: it has one now; gs-bravo keeps its own.
    const [created] = externalChecks(a);
    expect(created).toMatchObject({ kind: 'external', asset_id: a, key: 'gs-alpha-alertmanager' });
    expect(JSON.parse(created.settings)).toEqual({ source: 'alertmanager' });
    expect((await ok(t.call('GET', `/api/checks/${created.id}`))).assetId).toBe(a);
    expect(externalChecks(b).map((c) => c.id)).toEqual([existing.id]);
    const stored = rawClient(t.sqlite).prepare('select fingerprint, asset_id, alert_name, status, summary from external_alerts order by fingerprint').all();
    expect(stored).toEqual([
      { fingerprint: 'fp-alpha-1', asset_id: a, alert_name: 'StationDown', status: 'firing', summary: 'antenna controller unreachable' },
      { fingerprint: 'fp-bravo-1', asset_id: b, alert_name: 'StationDown', status: 'resolved', summary: null },
    ]);

    // Again, resolved, from a planner (above officer) and an admin: no second check, the alert updated in place.
    await ok(ingest(payload([{ status: 'resolved', labels: { asset: 'gs-alpha' }, fingerprint: 'fp-alpha-1' }]), t.tokens.planner));
    await ok(ingest(payload([{ status: 'resolved', labels: { asset: 'gs-alpha' }, fingerprint: 'fp-alpha-1' }]), t.tokens.admin));
    expect(externalChecks(a)).toHaveLength(1);
    expect(rawClient(t.sqlite).prepare("select status from external_alerts where fingerprint = 'fp-alpha-1'").get()).toEqual({ status: 'resolved' });
    const ingestEvents = rawClient(t.sqlite).prepare("select data from events where type = 'ingest.alertmanager' order by id").all() as Array<{ data: string }>;
    expect(JSON.parse(ingestEvents[0]!.data)).toEqual({ accepted: 2, unknown: 2, stale: 0, clipped: 0, sender: 'alertmanager' });

    // Only unknown assets: reported, nothing written.
    const before = tableCounts(t.sqlite);
    const unknownOnly = await ok(ingest(payload([{ status: 'firing', labels: { asset: 'gs-zulu' }, fingerprint: 'fp-z' }])));
    expect(unknownOnly).toEqual({ accepted: [], unknownAssets: [{ fingerprint: 'fp-z', label: 'gs-zulu' }], stale: [] });
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('maps by the configured label', async (ctx) => {
    const { expect } = ctx;
    const { createAsset, ingest } = await setup(ctx, { label: 'coop_asset' });
    await createAsset('gs-alpha');
    const res = await ok(ingest(payload([
      { status: 'firing', labels: { coop_asset: 'gs-alpha' }, fingerprint: 'fp-1' },
      { status: 'firing', labels: { asset: 'gs-alpha' }, fingerprint: 'fp-2' },
    ])));
    expect(res.accepted.map((a: { fingerprint: string }) => a.fingerprint)).toEqual(['fp-1']);
    expect(res.unknownAssets).toEqual([{ fingerprint: 'fp-2', label: null }]);
  });

  it('refuses a malformed payload with 400 naming the field, writing nothing', async (ctx) => {
    const { expect } = ctx;
    const { t, createAsset, ingest } = await setup(ctx);
    await createAsset('gs-alpha');
    const good = payload([{ status: 'firing', labels: { asset: 'gs-alpha' }, fingerprint: 'fp-1' }]);
    const alert = good.alerts[0]!;
    const { fingerprint: _f, ...noFingerprint } = alert;
    const before = tableCounts(t.sqlite);
    const cases: Array<[unknown, string]> = [
      [{ ...good, version: '3' }, 'version'],
      [{ ...good, status: 'exploded' }, 'status'],
      [{ ...good, alerts: 'lots' }, 'alerts'],
      [{ ...good, alerts: [noFingerprint] }, 'alerts.0.fingerprint'],
      [{ ...good, alerts: [alert, { ...alert, status: 'pending' }] }, 'alerts.1.status'],
      [{ ...good, alerts: [{ ...alert, labels: ['asset=gs-alpha'] }] }, 'alerts.0.labels'],
      [{ ...good, alerts: [{ ...alert, labels: { asset: 42 } }] }, 'alerts.0.labels.asset'],
    ];
    for (const [body, field] of cases) {
      const res = await ingest(body);
      expectErrorShape(res, 400);
      expect(errorPaths(res), JSON.stringify(body).slice(0, 200)).toContain(field);
    }
    expectErrorShape(await t.call('POST', '/api/ingest/alertmanager', { token: t.tokens.officer, raw: '{"version": "4", ', headers: { 'content-type': 'application/json' } }), 400);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('round trip with a LiveMonitor: firing takes the asset down and opens an incident; resolved brings it up and resolves it', { timeout: 40_000 }, async (ctx) => {
    const { expect } = ctx;
    const { t, createAsset, ingest, startMonitor, startWebhooks, externalChecks, resultsOf } = await setup(ctx);
    const assetId = await createAsset('gs-svalbard', { criticality: 'high', name: 'Svalbard' });
    const receiver = await startWebhooks(['asset.down', 'asset.up', 'incident.opened', 'incident.resolved']);
    await startMonitor();
    const asset = () => ok(t.call('GET', `/api/assets/${assetId}`));
    const incidents = async () => (await ok(t.call('GET', '/api/incidents'))).items as any[];

    // Two alerts fire for the station.
    await ok(ingest(payload([
      { status: 'firing', labels: { asset: 'gs-svalbard' }, fingerprint: 'fp-power', summary: 'UPS on battery' },
      { status: 'firing', labels: { asset: 'gs-svalbard' }, fingerprint: 'fp-rf', summary: 'no downlink carrier' },
    ])));
    const [check] = externalChecks(assetId);
    expect(check).toBeDefined();
    const down = await waitFor('asset down', async () => {
      const a = await asset();
      return a.status === 'down' ? a : null;
    }, 12_000);
    expect(down.statusReason).toMatch(/alerts firing: StationDown: UPS on battery; StationDown: no downlink carrier/);
    const open = await waitFor('an open incident', async () => (await incidents()).find((i) => i.assetId === assetId && i.state === 'open'), 3_000);

    // One resolves: still down while the other fires (a later run says so).
    const oneResolvedAt = Date.now();
    await ok(ingest(payload([{ status: 'resolved', labels: { asset: 'gs-svalbard' }, fingerprint: 'fp-power' }])));
    await waitFor('a run after the first resolve', () => resultsOf(check.id).some((r) => r.ts > oneResolvedAt), 12_000);
    expect((await asset()).status).toBe('down');
    expect(resultsOf(check.id).filter((r) => r.ts > oneResolvedAt).every((r) => r.status === 2)).toBe(true);
    expect((await incidents()).find((i) => i.id === open.id).state).toBe('open');

    // The same fingerprint resolved: up again, incident resolved.
    await ok(ingest(payload([{ status: 'resolved', labels: { asset: 'gs-svalbard' }, fingerprint: 'fp-rf' }])));
    await waitFor('asset up', async () => (await asset()).status === 'up', 12_000);
    const resolved = await waitFor('incident resolved', async () => (await incidents()).find((i) => i.id === open.id && i.state === 'resolved'), 3_000);
    expect(resolved.resolvedAt).not.toBeNull();
    expect(rawClient(t.sqlite).prepare("select count(*) as n from incidents where state = 'open'").get()).toEqual({ n: 0 });

    // And out again as signed webhooks, in order.
    const got = await receiver.waitForRequests(4, { acceptedOnly: true });
    expect(got.every((r) => r.verified)).toBe(true);
    const types = got.map((r) => receiver.json(r).type);
    expect(types).toEqual(['asset.down', 'incident.opened', 'asset.up', 'incident.resolved']);
    expect(got.map((r) => receiver.json(r).data.assetKey)).toEqual(Array(4).fill('gs-svalbard'));
    expect(receiver.json(got[1]!).data.incidentRef).toBe(open.ref);
    expect(receiver.json(got[3]!).data.incidentRef).toBe(open.ref);
  });
});
