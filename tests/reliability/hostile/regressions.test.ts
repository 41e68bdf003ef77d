// What the fuzzers found, one test each, kept so the fix stays.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, expectErrorShape, ok, tableCounts, type TestApp } from '../../helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

const yaml = { 'content-type': 'application/yaml' };
const apply = (source: string, query = '') => t.call('POST', `/api/inventory/apply${query}`, { raw: source, headers: yaml });

const INVENTORY = `assets:
  - { key: gs-a, kind: ground_station, name: Station A }
  - { key: gs-b, kind: ground_station, name: Station B }
  - { key: gs-c, kind: ground_station, name: Station C }
  - key: fiber-ab
    kind: network_link
    name: Fiber A-B
    link: { fromAssetKey: gs-a, toAssetKey: gs-b }
functions:
  - key: contact
    name: Contact
    tier: MEF
    rtoSeconds: 60
    mtdSeconds: 600
    groups:
      - { name: stations, k: 2, members: [{ assetKey: gs-a }, { assetKey: gs-c }] }
`;

describe('apply after a forced delete (fuzz: POST /api/inventory/apply answered 500)', () => {
  async function forceDeleteStationA() {
    await ok(apply(INVENTORY));
    const assets = (await ok(t.call('GET', '/api/assets'))).items as Array<{ id: number; key: string }>;
    const a = assets.find((x) => x.key === 'gs-a')!;
    await ok(t.call('DELETE', `/api/assets/${a.id}?force=true`), 204);
  }

  it('an unrelated file still applies when a link lost an endpoint and a group fell below k', async () => {
    await forceDeleteStationA();
    const res = await apply('assets:\n  - { key: gs-d, kind: ground_station, name: Station D }\n');
    expect(res.status, res.text).toBe(200);
    expect(res.body.created.assets).toEqual(['gs-d']);
  });

  it('an empty file applies as a no-op', async () => {
    await forceDeleteStationA();
    const res = await t.call('POST', '/api/inventory/apply', { body: {} });
    expect(res.status, res.text).toBe(200);
  });

  it('a file naming the broken items repairs them', async () => {
    await forceDeleteStationA();
    const repaired = INVENTORY.replace('fromAssetKey: gs-a', 'fromAssetKey: gs-c').replace('[{ assetKey: gs-a }, { assetKey: gs-c }]', '[{ assetKey: gs-b }, { assetKey: gs-c }]').replace('  - { key: gs-a, kind: ground_station, name: Station A }\n', '');
    const res = await apply(repaired);
    expect(res.status, res.text).toBe(200);
    expect(res.body.updated.assets).toEqual(['fiber-ab']);
    expect(res.body.updated.functions).toEqual(['contact']);
    // and now the stored inventory round-trips again
    const exported = await t.call('GET', '/api/inventory');
    const again = await apply(exported.text, '?dryRun=true');
    expect(again.status, again.text).toBe(200);
    expect(again.body.unchanged).toBeGreaterThan(0);
    expect([...again.body.updated.assets, ...again.body.created.assets]).toEqual([]);
  });

  it('the export of a broken inventory is refused on apply with 400 naming the item, and writes nothing', async () => {
    await forceDeleteStationA();
    const exported = await t.call('GET', '/api/inventory');
    expect(exported.status).toBe(200);
    const before = tableCounts(t.sqlite);
    const res = await apply(exported.text);
    const error = expectErrorShape(res, 400);
    expect(error.details.map((d) => d.path)).toContain('assets.2.link');
    expect(tableCounts(t.sqlite)).toEqual(before);
  });
});
