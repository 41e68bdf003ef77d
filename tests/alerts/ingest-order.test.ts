// Notifications for one fingerprint count in the order things happened (startsAt, and endsAt once
// resolved), not the order they arrive: two Alertmanagers in HA can deliver a "firing" after the
// "resolved". An older notification is reported in `stale` and changes nothing.
import { describe, it } from 'vitest';
import { storeAlert } from '../../src/core/services/ingest.js';
import type { InboundAlert } from '../../src/core/services/ingest/payload.js';
import { commitAtomically } from '../../src/core/store/client.js';
import { ingestHarness } from './ingest-harness.js';
import { alertmanagerMessage, grafanaMessage, type SentAlert } from './sender-payloads.js';

const T0 = '2025-03-01T10:00:00Z';
const T1 = '2025-03-01T10:05:00Z';
const T2 = '2025-03-01T11:30:00Z';
const T3 = '2025-03-01T11:42:00Z';

const firing = (fingerprint: string, startsAt: string, asset = 'gs-svalbard'): SentAlert => ({
  status: 'firing', fingerprint, startsAt, labels: { alertname: 'NoDownlinkCarrier', asset, severity: 'critical' }, annotations: { summary: 'no downlink carrier' },
});
const resolved = (fingerprint: string, startsAt: string, endsAt: string, asset = 'gs-svalbard'): SentAlert => ({ ...firing(fingerprint, startsAt, asset), status: 'resolved', endsAt });

describe.concurrent('POST /api/ingest/alertmanager: ordering by time', () => {
  it('an HA pair delivering out of order: the asset follows what happened last, not what arrived last', { timeout: 60_000 }, async (ctx) => {
    const { expect } = ctx;
    const h = await ingestHarness(ctx);
    const assetId = await h.createAsset('gs-svalbard');
    await h.startMonitor();
    const fp = '3f9a1c7e5b2d4068';

    // Alertmanager A sends the firing, then B (which saw the resolve first) the resolved.
    await h.send(alertmanagerMessage([firing(fp, T0)]));
    await h.waitForStatus(assetId, 'down');
    await h.send(alertmanagerMessage([resolved(fp, T0, T1)]));
    await h.waitForStatus(assetId, 'up');

    // A's firing for the same episode arrives late: stale, reported, and the asset stays up.
    const late = await h.send(alertmanagerMessage([firing(fp, T0)]));
    expect(late.body).toEqual({ accepted: [], unknownAssets: [], stale: [{ fingerprint: fp, assetKey: 'gs-svalbard', status: 'firing' }] });
    expect(h.stored(fp)).toMatchObject({ status: 'resolved', starts_at: Date.parse(T0), ends_at: Date.parse(T1) });
    expect(await h.statusAfterNextRun(assetId)).toBe('up');

    // A genuine new firing (a later startsAt) takes it down again…
    const again = await h.send(alertmanagerMessage([firing(fp, T2)]));
    expect(again.body.accepted).toEqual([{ fingerprint: fp, assetKey: 'gs-svalbard', status: 'firing' }]);
    await h.waitForStatus(assetId, 'down');

    // …and the first episode's resolved, delivered again by the other peer, does not bring it up.
    const oldResolve = await h.send(alertmanagerMessage([resolved(fp, T0, T1)]));
    expect(oldResolve.body.stale).toEqual([{ fingerprint: fp, assetKey: 'gs-svalbard', status: 'resolved' }]);
    expect(await h.statusAfterNextRun(assetId)).toBe('down');

    await h.send(alertmanagerMessage([resolved(fp, T2, T3)]));
    await h.waitForStatus(assetId, 'up');
  });

  it('decides per fingerprint by startsAt and a resolved endsAt', async (ctx) => {
    const { expect } = ctx;
    const h = await ingestHarness(ctx);
    await h.createAsset('gs-svalbard');
    const verdict = async (body: unknown) => {
      const res = await h.send(body);
      expect(res.status, res.text).toBe(200);
      return res.body.accepted.length ? 'accepted' : res.body.stale.length ? 'stale' : 'neither';
    };

    // The resolve arrives before any firing: the firing of that same episode is stale.
    expect(await verdict(grafanaMessage([resolved('a000000000000001', T0, T1)]))).toBe('accepted');
    expect(await verdict(grafanaMessage([firing('a000000000000001', T0)]))).toBe('stale');
    // A firing that starts after the start but not after the end of the stored resolve: stale too.
    expect(await verdict(alertmanagerMessage([firing('a000000000000001', '2025-03-01T10:05:00Z')]))).toBe('stale');
    expect(await verdict(alertmanagerMessage([firing('a000000000000001', '2025-03-01T10:05:01Z')]))).toBe('accepted');

    // Alertmanager's firing endsAt is an estimate past the real resolve: it must not make a
    // late firing look newer than the resolve.
    await verdict(alertmanagerMessage([resolved('a000000000000002', T0, '2025-03-01T10:02:00Z')]));
    expect(await verdict(alertmanagerMessage([{ ...firing('a000000000000002', T0), endsAt: '2025-03-01T10:04:00Z' }]))).toBe('stale');

    // Repeats of the latest notification are taken again (Alertmanager's repeat_interval).
    await verdict(alertmanagerMessage([firing('a000000000000003', T2)]));
    expect(await verdict(alertmanagerMessage([firing('a000000000000003', T2)]))).toBe('accepted');
    expect(await verdict(alertmanagerMessage([firing('a000000000000003', T0)]))).toBe('stale');
    await verdict(alertmanagerMessage([resolved('a000000000000003', T2, T3)]));
    expect(await verdict(alertmanagerMessage([resolved('a000000000000003', T2, T3)]))).toBe('accepted');
    expect(await verdict(alertmanagerMessage([resolved('a000000000000003', T0, T1)]))).toBe('stale');

    // A resolve with an unreadable endsAt counts from its start: a firing with the same start is stale.
    const noEnd = alertmanagerMessage([resolved('a000000000000004', T0, T1)]);
    noEnd.alerts[0]!.endsAt = 'soon';
    await verdict(noEnd);
    expect(await verdict(grafanaMessage([firing('a000000000000004', T0)]))).toBe('stale');

    // Without times on either side, arrival decides, as it did before times were kept.
    const timeless = alertmanagerMessage([firing('a000000000000005', T0)]);
    timeless.alerts[0]!.startsAt = '';
    await verdict(alertmanagerMessage([resolved('a000000000000005', T0, T1)]));
    expect(await verdict(timeless)).toBe('accepted');
    expect(h.stored('a000000000000005')).toMatchObject({ status: 'firing', starts_at: null });
  });

  it('orders within one notification', async (ctx) => {
    const { expect } = ctx;
    const h = await ingestHarness(ctx);
    await h.createAsset('gs-svalbard');
    const res = await h.send(alertmanagerMessage([resolved('b000000000000001', T0, T1), firing('b000000000000001', T0)]));
    expect(res.body.accepted.map((a: { status: string }) => a.status)).toEqual(['resolved']);
    expect(res.body.stale).toEqual([{ fingerprint: 'b000000000000001', assetKey: 'gs-svalbard', status: 'firing' }]);
  });

  it('the write itself keeps the newer notification when two peers race past the read', async (ctx) => {
    const { expect } = ctx;
    const h = await ingestHarness(ctx);
    const assetId = await h.createAsset('gs-svalbard');
    const write = (alert: Omit<InboundAlert, 'labels' | 'annotations' | 'clipped'>) =>
      commitAtomically(h.t.ctx.db, [storeAlert(h.t.ctx, { ...alert, labels: { alertname: 'NoDownlinkCarrier' }, annotations: {}, clipped: [] }, assetId, Date.now())]);
    // Both peers read "firing since T0"; the resolve commits first, the late firing second.
    await write({ fingerprint: 'd000000000000001', status: 'firing', startsAt: Date.parse(T0), endsAt: null });
    await write({ fingerprint: 'd000000000000001', status: 'resolved', startsAt: Date.parse(T0), endsAt: Date.parse(T1) });
    await write({ fingerprint: 'd000000000000001', status: 'firing', startsAt: Date.parse(T0), endsAt: null });
    expect(h.stored('d000000000000001')).toMatchObject({ status: 'resolved', ends_at: Date.parse(T1) });
    await write({ fingerprint: 'd000000000000001', status: 'firing', startsAt: Date.parse(T2), endsAt: null });
    expect(h.stored('d000000000000001')).toMatchObject({ status: 'firing', starts_at: Date.parse(T2), ends_at: null });
  });
});
