// Inbound alerts on Workers + D1: the migration's times are there, and the ordered write (an
// upsert guarded by `excluded`) keeps a late firing from overwriting the resolve.
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { alertmanagerMessage, grafanaMessage, type SentAlert } from '../alerts/sender-payloads.js';
import { call, expectStatus } from './client.js';

const alert = (status: 'firing' | 'resolved', extra: Partial<SentAlert> = {}): SentAlert => ({
  status, fingerprint: '3f9a1c7e5b2d4068', startsAt: '2025-03-01T10:00:00Z', labels: { alertname: 'NoDownlinkCarrier', asset: 'gs-troll' }, ...extra,
});

it('orders Alertmanager and Grafana notifications by time and clips over-long fields on D1', async () => {
  await expectStatus(call('POST', '/api/assets', { body: { key: 'gs-troll', kind: 'ground_station', name: 'TrollSat' } }), 201);
  const ingest = (body: unknown) => expectStatus(call('POST', '/api/ingest/alertmanager', { body }), 200);

  await ingest(alertmanagerMessage([alert('firing')]));
  await ingest(grafanaMessage([alert('resolved', { endsAt: '2025-03-01T10:05:00Z' })]));
  const late = await ingest(alertmanagerMessage([alert('firing', { annotations: { description: 'd'.repeat(6000) } })]));
  expect(late.stale).toEqual([{ fingerprint: '3f9a1c7e5b2d4068', assetKey: 'gs-troll', status: 'firing' }]);
  const again = await ingest(grafanaMessage([alert('firing', { startsAt: '2025-03-01T11:00:00Z', annotations: { description: 'd'.repeat(6000) } })]));
  expect(again.accepted).toEqual([{ fingerprint: '3f9a1c7e5b2d4068', assetKey: 'gs-troll', status: 'firing', clipped: ['annotations.description'] }]);

  const row = await env.DB.prepare('select status, starts_at, ends_at, length(summary) as n, clipped from external_alerts').first();
  expect(row).toEqual({ status: 'firing', starts_at: Date.parse('2025-03-01T11:00:00Z'), ends_at: null, n: 5000, clipped: '["annotations.description"]' });
});
