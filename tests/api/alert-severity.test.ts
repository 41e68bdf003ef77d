// An Alertmanager alert's `severity` label grades its asset's open incident.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertSeverity } from '../../src/core/services/ingest.js';
import { createTestApp, ok, type TestApp } from '../helpers.js';

let t: TestApp;
let incidentId: number;

beforeEach(async () => {
  t = await createTestApp();
  const asset = await ok(t.call('POST', '/api/assets', { body: { key: 'gs-svalsat', kind: 'ground_station', name: 'SvalSat' } }), 201);
  await ok(t.call('POST', '/api/assets', { body: { key: 'gs-troll', kind: 'ground_station', name: 'TrollSat' } }), 201);
  incidentId = (await ok(t.call('POST', '/api/incidents', { token: t.tokens.officer, body: { title: 'SvalSat is down', severity: 'major', assetId: asset.id } }), 201)).id;
});
afterEach(() => t.close());

const alert = (fingerprint: string, status: 'firing' | 'resolved', labels: Record<string, string>) => ({ status, fingerprint, labels: { alertname: 'AntennaFault', asset: 'gs-svalsat', ...labels } });
const ingest = (alerts: unknown[]) => ok(t.call('POST', '/api/ingest/alertmanager', { token: t.tokens.officer, body: { version: '4', status: 'firing', alerts } }));
const severity = async () => (await ok(t.call('GET', `/api/incidents/${incidentId}`))).severity;

describe('alert severity', () => {
  it('maps the Prometheus labels', () => {
    expect(alertSeverity({ severity: 'critical' })).toBe('critical');
    expect(alertSeverity({ severity: 'Error' })).toBe('major');
    expect(alertSeverity({ severity: 'warning' })).toBe('minor');
    expect(alertSeverity({ severity: 'info' })).toBe('info');
    expect(alertSeverity({ severity: 'page-me' })).toBeNull();
    expect(alertSeverity({})).toBeNull();
  });

  it('the highest firing label sets the open incident severity; unknown labels and resolved alerts leave it', async () => {
    await ingest([alert('a', 'firing', { severity: 'warning' })]);
    expect(await severity()).toBe('minor');
    await ingest([alert('a', 'firing', { severity: 'warning' }), alert('b', 'firing', { severity: 'critical' })]);
    expect(await severity()).toBe('critical');
    await ingest([alert('b', 'resolved', { severity: 'info' })]);
    expect(await severity()).toBe('critical');
    await ingest([alert('c', 'firing', { severity: 'sev-whatever' })]);
    expect(await severity()).toBe('critical');
    // another asset's alert touches only its own incidents
    await ingest([alert('d', 'firing', { severity: 'info', asset: 'gs-troll' })]);
    expect(await severity()).toBe('critical');
  });

  it('does not touch a resolved incident', async () => {
    await ok(t.call('POST', `/api/incidents/${incidentId}/updates`, { token: t.tokens.officer, body: { status: 'resolved', message: 'ok' } }), 201);
    await ingest([alert('a', 'firing', { severity: 'info' })]);
    expect(await severity()).toBe('major');
  });
});
