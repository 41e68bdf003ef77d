// One route, two senders: Prometheus Alertmanager's webhook (version "4") and Grafana's webhook
// contact point (version "1", grafana/alerting receivers/webhook/v1/webhook.go), each built as
// the sender builds it (./sender-payloads.ts). Over-long fields are clipped rather than costing
// the whole notification (Alertmanager never retries a 4xx); only what cannot be read is refused.
import { describe, it } from 'vitest';
import { errorPaths, expectErrorShape, rawClient, tableCounts, type TestApp } from '../helpers.js';
import { ingestHarness } from './ingest-harness.js';
import { alertmanagerMessage, grafanaMessage, type SentAlert } from './sender-payloads.js';

const T0 = '2025-03-01T10:00:00Z';
const T1 = '2025-03-01T10:05:30Z';

const stationDown = (asset: string, fingerprint: string, extra: Partial<SentAlert> = {}): SentAlert => ({
  status: 'firing', fingerprint, startsAt: T0,
  labels: { alertname: 'StationDown', asset, severity: 'critical' },
  annotations: { summary: `${asset} antenna controller unreachable` },
  ...extra,
});

/** What the newest ingest event recorded: counts and the sender. */
const lastIngestEvent = (t: TestApp) =>
  JSON.parse((rawClient(t.sqlite).prepare("select data from events where type = 'ingest.alertmanager' order by id desc limit 1").get() as { data: string }).data);

describe.concurrent('POST /api/ingest/alertmanager: senders and field limits', () => {
  it("takes Grafana's webhook: the asset goes down while its alert fires and comes back when resolved", { timeout: 40_000 }, async (ctx) => {
    const { expect } = ctx;
    const h = await ingestHarness(ctx);
    const assetId = await h.createAsset('gs-inuvik');
    await h.startMonitor();

    const firing = grafanaMessage([stationDown('gs-inuvik', 'c6eadffa33fcdf37')]);
    const res = await h.send(firing);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ accepted: [{ fingerprint: 'c6eadffa33fcdf37', assetKey: 'gs-inuvik', status: 'firing' }], unknownAssets: [], stale: [] });
    expect(lastIngestEvent(h.t)).toEqual({ accepted: 1, unknown: 0, stale: 0, clipped: 0, sender: 'grafana' });
    // Grafana's zero endsAt is no end.
    expect(h.stored('c6eadffa33fcdf37')).toMatchObject({ status: 'firing', starts_at: Date.parse(T0), ends_at: null, clipped: null });
    await h.waitForStatus(assetId, 'down');
    expect((await h.t.call('GET', `/api/assets/${assetId}`)).body.statusReason).toContain('StationDown: gs-inuvik antenna controller unreachable');

    await h.send(grafanaMessage([stationDown('gs-inuvik', 'c6eadffa33fcdf37', { status: 'resolved', endsAt: T1 })]));
    expect(h.stored('c6eadffa33fcdf37')).toMatchObject({ status: 'resolved', starts_at: Date.parse(T0), ends_at: Date.parse(T1) });
    await h.waitForStatus(assetId, 'up');
  });

  it("takes Alertmanager's webhook with Go's nanosecond times, a firing alert's endsAt estimate ignored", async (ctx) => {
    const { expect } = ctx;
    const h = await ingestHarness(ctx);
    await h.createAsset('gs-hartebeesthoek');
    const sent = stationDown('gs-hartebeesthoek', '5f1e0b7c9a2d4e68', { startsAt: '2025-03-01T12:00:00.123456789+02:00', endsAt: '2025-03-01T12:04:00.123456789+02:00' });
    const res = await h.send(alertmanagerMessage([sent]));
    expect(res.status, res.text).toBe(200);
    expect(res.body.accepted).toEqual([{ fingerprint: '5f1e0b7c9a2d4e68', assetKey: 'gs-hartebeesthoek', status: 'firing' }]);
    expect(h.stored('5f1e0b7c9a2d4e68')).toMatchObject({ status: 'firing', starts_at: Date.parse('2025-03-01T10:00:00.123Z'), ends_at: null });
  });

  it('clips over-long keys, values and fingerprints, says so, and keeps the rest of the group', async (ctx) => {
    const { expect } = ctx;
    const h = await ingestHarness(ctx);
    await h.createAsset('gs-kiruna');
    const longKey = `k${'e'.repeat(299)}`;
    const longFingerprint = `fp-${'9'.repeat(297)}`;
    const sibling = `${longFingerprint.slice(0, -1)}8`;
    const oversized = stationDown('gs-kiruna', longFingerprint, {
      labels: { alertname: 'StationDown', asset: 'gs-kiruna', instance: 'x'.repeat(3000), [longKey]: 'v' },
      annotations: { summary: `🛰${'s'.repeat(5100)}`, runbook_url: 'https://wiki.ops.example/runbooks/station-down' },
    });
    const atLimits = stationDown('gs-kiruna', 'f'.repeat(200), { annotations: { summary: 's'.repeat(5000) } });
    const res = await h.send(alertmanagerMessage([oversized, stationDown('gs-kiruna', sibling), stationDown('gs-kiruna', '0a1b2c3d4e5f6071'), atLimits]));
    expect(res.status, res.text).toBe(200);
    const [clippedAlert, siblingAlert, plain, fits] = res.body.accepted;
    expect(clippedAlert.fingerprint).toHaveLength(200);
    expect(clippedAlert.fingerprint.startsWith('fp-999')).toBe(true);
    expect(clippedAlert.clipped).toEqual(['fingerprint', 'labels.instance', `labels.${longKey.slice(0, 199)}…`, 'annotations.summary']);
    // A fingerprint differing only past the limit stays a different alert.
    expect(siblingAlert.fingerprint).toHaveLength(200);
    expect(siblingAlert.fingerprint).not.toBe(clippedAlert.fingerprint);
    expect(plain).toEqual({ fingerprint: '0a1b2c3d4e5f6071', assetKey: 'gs-kiruna', status: 'firing' });
    expect(fits).toEqual({ fingerprint: 'f'.repeat(200), assetKey: 'gs-kiruna', status: 'firing' });
    expect(h.stored('f'.repeat(200))).toMatchObject({ summary: 's'.repeat(5000), clipped: null });
    // the oversized alert and its sibling (a 300-character fingerprint) were clipped
    expect(lastIngestEvent(h.t)).toEqual({ accepted: 4, unknown: 0, stale: 0, clipped: 2, sender: 'alertmanager' });

    const stored = h.stored(clippedAlert.fingerprint)!;
    expect(stored.summary).toHaveLength(5000);
    expect(stored.summary!.startsWith('🛰sss')).toBe(true);
    expect(stored.summary!.endsWith('s…')).toBe(true);
    expect(JSON.parse(stored.clipped!)).toEqual(clippedAlert.clipped);

    // Resolving the same long fingerprint reaches the same stored alert.
    const resolved = await h.send(alertmanagerMessage([{ ...oversized, status: 'resolved', endsAt: T1 }]));
    expect(resolved.body.accepted.map((a: { fingerprint: string }) => a.fingerprint)).toEqual([clippedAlert.fingerprint]);
    expect(h.stored(clippedAlert.fingerprint)).toMatchObject({ status: 'resolved', ends_at: Date.parse(T1) });
    expect(h.stored(siblingAlert.fingerprint)).toMatchObject({ status: 'firing' });
  });

  it('reads a missing, invalid or wrongly typed time as absent rather than refusing the group', async (ctx) => {
    const { expect } = ctx;
    const h = await ingestHarness(ctx);
    await h.createAsset('gs-wallops');
    const body = alertmanagerMessage([stationDown('gs-wallops', 'aa00000000000001'), stationDown('gs-wallops', 'aa00000000000002'), stationDown('gs-wallops', 'aa00000000000003', { status: 'resolved' })]);
    Object.assign(body.alerts[0]!, { startsAt: 'yesterday' });
    Object.assign(body.alerts[1]!, { startsAt: 1740823200 });
    Object.assign(body.alerts[2]!, { startsAt: null, endsAt: '2025-02-30T25:00:00Z' });
    const { startsAt: _s, endsAt: _e, ...timeless } = { ...body.alerts[0]!, fingerprint: 'aa00000000000004' };
    const res = await h.send({ ...body, alerts: [...body.alerts, timeless] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.accepted).toHaveLength(4);
    for (const fp of ['aa00000000000001', 'aa00000000000002', 'aa00000000000003', 'aa00000000000004']) expect(h.stored(fp)).toMatchObject({ starts_at: null, ends_at: null });
  });

  it('refuses only what cannot be read, with 400 naming the field and nothing written', async (ctx) => {
    const { expect } = ctx;
    const h = await ingestHarness(ctx);
    await h.createAsset('gs-alpha');
    const good = grafanaMessage([stationDown('gs-alpha', 'c6eadffa33fcdf37')]);
    const alert = good.alerts[0]!;
    const before = tableCounts(h.t.sqlite);
    const cases: Array<[unknown, string]> = [
      [{ ...good, version: '2' }, 'version'],
      [{ ...good, alerts: undefined }, 'alerts'],
      [{ ...good, status: 'alerting' }, 'status'],
      [{ ...good, alerts: [{ ...alert, fingerprint: '' }] }, 'alerts.0.fingerprint'],
      [{ ...good, alerts: [{ ...alert, annotations: ['summary'] }] }, 'alerts.0.annotations'],
      [{ ...good, alerts: Array.from({ length: 1001 }, (_, i) => ({ ...alert, fingerprint: `fp-${i}` })) }, 'alerts'],
    ];
    for (const [body, field] of cases) {
      const res = await h.send(body);
      expectErrorShape(res, 400);
      expect(errorPaths(res), field).toContain(field);
    }
    expectErrorShape(await h.t.call('POST', '/api/ingest/alertmanager', { token: h.t.tokens.officer, raw: 'firing: gs-alpha', headers: { 'content-type': 'application/json' } }), 400);
    expect(tableCounts(h.t.sqlite)).toEqual(before);
  });

  it('is documented as taking both senders', async (ctx) => {
    const { expect } = ctx;
    const h = await ingestHarness(ctx);
    const doc = await h.t.call('GET', '/openapi.json', { token: null });
    expect(doc.status).toBe(200);
    const route = doc.body.paths['/api/ingest/alertmanager'].post;
    expect(route.summary).toMatch(/Alertmanager.*Grafana/);
    expect(route.requestBody.content['application/json'].schema.properties.version.enum.sort()).toEqual(['1', '4']);
    expect(Object.keys(route.responses[200].content['application/json'].schema.properties)).toEqual(['accepted', 'unknownAssets', 'stale']);
  });
});
