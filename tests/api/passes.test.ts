import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import type { ServiceContext } from '../../src/core/services/context.js';
import { applyInventory } from '../../src/core/services/inventory/apply.js';
import { parseInventoryDocument } from '../../src/core/services/inventory/document.js';
import { fetchElementsFeed, refreshElements, refreshElementsFromFeed } from '../../src/core/services/satellites.js';
import { createTestApp, expectErrorShape, rawClient, tableCounts, type TestApp } from '../helpers.js';

// ISS (ZARYA) element sets: 20 September 2008 and 5 June 2019 (epoch 2019-06-05 12:12:58 UTC).
const ISS_2008 = {
  line1: '1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927',
  line2: '2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537',
};
const ISS_2019 = {
  line1: '1 25544U 98067A   19156.50900463  .00003075  00000-0  59442-4 0  9992',
  line2: '2 25544  51.6433  59.2583 0008217  16.4489 347.6017 15.51174618173442',
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const MASK = 5;

const FIXTURE = `assets:
  - key: gs-svalbard
    kind: ground_station
    name: SvalSat
    lat: 78.2298
    lon: 15.4078
    altM: 500
  - key: gs-usuda
    kind: ground_station
    name: Usuda
    lat: 36.1331
    lon: 138.3622
    altM: 1456
  - key: gs-idle
    kind: ground_station
    name: A station without a contact check
    lat: 35.2
    lon: 140.3
  - key: gs-nowhere
    kind: ground_station
    name: A station without a location
  - key: moc-tsukuba
    kind: mission_ops_center
    name: Tsukuba
    lat: 36.07
    lon: 140.13
satellites:
  - key: sso-700
    name: DEMO-EO-1
    noradId: 99001
    orbit: { altitudeKm: 700, raanDeg: 100, meanAnomalyDeg: 40 }
  - key: sso-550
    name: DEMO-SSO-2
    noradId: 99002
    orbit: { altitudeKm: 550, raanDeg: 220, meanAnomalyDeg: 200 }
  - key: iss
    name: ISS (ZARYA)
    tle:
      line1: "${ISS_2008.line1}"
      line2: "${ISS_2008.line2}"
checks:
  - key: svalbard-contact
    assetKey: gs-svalbard
    kind: contact
    contact: { satellites: [sso-700, sso-550], elevationMaskDeg: ${MASK}, url: http://127.0.0.1:9/contact }
  - key: usuda-contact
    assetKey: gs-usuda
    kind: contact
    contact: { satellites: [iss], elevationMaskDeg: 10, url: http://127.0.0.1:9/contact }
  - key: usuda-health
    assetKey: gs-usuda
    kind: http
    http: { url: http://127.0.0.1:9/health }
`;

let t: TestApp;
let clock: number;
let ctx: ServiceContext;
let app: ReturnType<typeof createApp>;
let ids: Record<string, number>;

/** The app with a clock the test moves. */
async function call(url: string, token: string | null = t.tokens.viewer) {
  const res = await app.request(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

beforeEach(async () => {
  t = await createTestApp();
  clock = T0;
  ctx = { ...t.ctx, now: () => clock };
  app = createApp({ database: () => t.sqlite.db, now: () => clock });
  const { document, locate } = parseInventoryDocument(FIXTURE);
  await applyInventory(ctx, document, { locate });
  ids = Object.fromEntries((rawClient(t.sqlite).prepare('select id, key from assets').all() as Array<{ id: number; key: string }>).map((r) => [r.key, r.id]));
});
afterEach(() => t.close());

interface PassItem {
  satelliteKey: string;
  satelliteName: string;
  aosAt: string;
  tcaAt: string;
  losAt: string;
  maxElevationDeg: number;
  aosAzimuthDeg: number;
  losAzimuthDeg: number;
}

describe('GET /api/assets/{id}/passes', () => {
  it('lists the next 24 h of passes of the station’s contact satellites, in AOS order, within the window, above the mask', async () => {
    const res = await call(`/api/assets/${ids['gs-svalbard']}/passes`);
    expect(res.status, res.text).toBe(200);
    const items = res.body.items as PassItem[];
    // Two polar orbiters over a station at 78° N: well over a dozen passes a day.
    expect(items.length).toBeGreaterThan(15);
    expect(new Set(items.map((p) => p.satelliteKey))).toEqual(new Set(['sso-700', 'sso-550']));
    expect(items.find((p) => p.satelliteKey === 'sso-700')!.satelliteName).toBe('DEMO-EO-1');
    const aos = items.map((p) => Date.parse(p.aosAt));
    expect(aos).toEqual([...aos].sort((a, b) => a - b));
    for (const p of items) {
      const [a, tca, los] = [Date.parse(p.aosAt), Date.parse(p.tcaAt), Date.parse(p.losAt)];
      expect(a).toBeGreaterThanOrEqual(T0);
      expect(a).toBeLessThanOrEqual(T0 + DAY);
      expect(tca).toBeGreaterThanOrEqual(a);
      expect(los).toBeGreaterThanOrEqual(tca);
      expect(los - a).toBeLessThan(20 * 60_000); // a LEO pass lasts minutes
      expect(p.maxElevationDeg).toBeGreaterThanOrEqual(MASK);
      expect(p.maxElevationDeg).toBeLessThanOrEqual(90);
      for (const az of [p.aosAzimuthDeg, p.losAzimuthDeg]) {
        expect(az).toBeGreaterThanOrEqual(0);
        expect(az).toBeLessThan(360);
      }
    }
  });

  it('looks `hours` ahead (1–168), and moves with the clock', async () => {
    const day = (await call(`/api/assets/${ids['gs-svalbard']}/passes?hours=24`)).body.items as PassItem[];
    const two = (await call(`/api/assets/${ids['gs-svalbard']}/passes?hours=2`)).body.items as PassItem[];
    const week = await call(`/api/assets/${ids['gs-svalbard']}/passes?hours=168`);
    expect(week.status).toBe(200);
    expect(two.length).toBeGreaterThan(0);
    expect(two.length).toBeLessThan(day.length);
    expect(two.every((p) => Date.parse(p.aosAt) <= T0 + 2 * HOUR)).toBe(true);
    expect(week.body.items.length).toBeGreaterThan(5 * day.length);
    // The first 2 h are the start of the day's list.
    expect(day.slice(0, two.length).map((p) => [p.satelliteKey, p.aosAt])).toEqual(two.map((p) => [p.satelliteKey, p.aosAt]));

    clock = T0 + 6 * HOUR;
    const later = (await call(`/api/assets/${ids['gs-svalbard']}/passes`)).body.items as PassItem[];
    expect(later.every((p) => Date.parse(p.losAt) >= clock)).toBe(true);
    expect(Date.parse(later.at(-1)!.aosAt)).toBeGreaterThan(Date.parse(day.at(-1)!.aosAt));
  });

  it('uses the check’s elevation mask', async () => {
    const items = (await call(`/api/assets/${ids['gs-usuda']}/passes?hours=72`)).body.items as PassItem[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((p) => p.satelliteKey === 'iss' && p.maxElevationDeg >= 10)).toBe(true);
  });

  it('is empty for a ground station without a contact check', async () => {
    const res = await call(`/api/assets/${ids['gs-idle']}/passes`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
  });

  it.each([
    ['an asset that is not a ground station', 'moc-tsukuba', /not|only ground stations/],
    ['a ground station without a location', 'gs-nowhere', /no location/],
  ])('refuses %s with 422', async (_label, key, message) => {
    const res = await call(`/api/assets/${ids[key]}/passes`);
    const error = expectErrorShape(res, 422);
    expect(error.message).toMatch(message);
  });

  it('404 for an unknown asset; 400 for hours out of range; 401 without a token', async () => {
    expectErrorShape(await call('/api/assets/9999/passes'), 404);
    for (const hours of ['0', '169', '1.5', 'many']) {
      const error = expectErrorShape(await call(`/api/assets/${ids['gs-svalbard']}/passes?hours=${hours}`), 400);
      expect(error.details.map((d) => d.path)).toContain('hours');
    }
    expectErrorShape(await call(`/api/assets/${ids['gs-svalbard']}/passes`, null), 401);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await call('/openapi.json', null)).body;
    expect(doc.paths['/api/assets/{id}/passes']?.get).toBeDefined();
  });
});

describe('stale orbital elements', () => {
  it('flag a ground station whose contact satellites’ elements are older than the maximum age; other assets get []', async () => {
    const usuda = (await call(`/api/assets/${ids['gs-usuda']}`)).body;
    // The ISS set is from 2008: thousands of days old.
    expect(usuda.warnings).toHaveLength(1);
    expect(usuda.warnings[0]).toMatch(/^orbital elements for iss are \d+\.\d days old$/);
    // The synthetic orbits were generated at T0: fresh.
    expect((await call(`/api/assets/${ids['gs-svalbard']}`)).body.warnings).toEqual([]);
    expect((await call(`/api/assets/${ids['moc-tsukuba']}`)).body.warnings).toEqual([]);

    // Five days on, the synthetic elements are stale too (default maximum: 3 days).
    clock = T0 + 5.2 * DAY;
    expect((await call(`/api/assets/${ids['gs-svalbard']}`)).body.warnings).toEqual([
      'orbital elements for sso-700 are 5.2 days old',
      'orbital elements for sso-550 are 5.2 days old',
    ]);
    // The list page carries them too (one batch lookup for the page).
    const page = (await call('/api/assets?limit=500')).body.items as Array<{ key: string; warnings: string[] }>;
    const byKey = Object.fromEntries(page.map((a) => [a.key, a.warnings]));
    expect(byKey['gs-svalbard']).toHaveLength(2);
    expect(byKey['gs-usuda']).toHaveLength(1);
    expect(byKey['gs-idle']).toEqual([]);
    expect(byKey['moc-tsukuba']).toEqual([]);
  });

  it('a page of more stations than are bound as query parameters still gets its warnings', async () => {
    const extra = Array.from({ length: 60 }, (_, i) => `  - key: gs-extra-${i}\n    kind: ground_station\n    name: Extra ${i}\n`).join('');
    const { document, locate } = parseInventoryDocument(`assets:\n${extra}`);
    await applyInventory(ctx, document, { locate });
    clock = T0 + 4 * DAY;
    const page = (await call('/api/assets?limit=500')).body.items as Array<{ key: string; warnings: string[] }>;
    expect(page).toHaveLength(65);
    const byKey = Object.fromEntries(page.map((a) => [a.key, a.warnings]));
    expect(byKey['gs-svalbard']).toEqual(['orbital elements for sso-700 are 4.0 days old', 'orbital elements for sso-550 are 4.0 days old']);
    expect(byKey['gs-extra-7']).toEqual([]);
  });

  it('the maximum age comes from the service context', async () => {
    clock = T0 + 2 * DAY;
    const { getAsset } = await import('../../src/core/services/assets.js');
    expect((await getAsset(ctx, ids['gs-svalbard']!)).warnings).toEqual([]);
    expect((await getAsset({ ...ctx, elementsMaxAgeDays: 1 }, ids['gs-svalbard']!)).warnings).toEqual([
      'orbital elements for sso-700 are 2.0 days old',
      'orbital elements for sso-550 are 2.0 days old',
    ]);
  });
});

describe('GP/TLE feed refresh', () => {
  let server: http.Server;
  let base: string;
  let feed = '';
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      if (req.url === '/gp.php?GROUP=stations&FORMAT=tle') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(feed);
      } else {
        res.writeHead(404).end('not here');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('replaces elements of satellites whose noradId is in the feed, and the stale warning goes away', async () => {
    clock = Date.UTC(2019, 5, 6, 12, 0, 0); // a day after the 2019 element set
    const stale = (await call(`/api/assets/${ids['gs-usuda']}`)).body.warnings as string[];
    // 2008-09-20 12:25:40 to 2019-06-06 12:00: 3911.0 days.
    expect(stale).toEqual(['orbital elements for iss are 3911.0 days old']);

    // A CelesTrak-style 3LE feed (CRLF), with an object coopwatch does not follow.
    feed = [
      'ISS (ZARYA)             ', ISS_2019.line1, ISS_2019.line2,
      'HELIOS 2A', '1 28492U 04049A   25085.22192265  .00005995  00000-0  48021-3 0  9997', '2 28492  98.3164 103.8411 0005830  20.5667 339.5789 15.00555103865501',
    ].join('\r\n');
    const before = hits;
    const result = await refreshElementsFromFeed(ctx, `${base}/gp.php?GROUP=stations&FORMAT=tle`);
    expect(hits).toBe(before + 1);
    expect(result).toEqual({ entries: 2, updated: ['iss'], current: [] });

    const row = rawClient(t.sqlite).prepare(`select source, elements, epoch_ms from satellites where key = 'iss'`).get() as { source: string; elements: string; epoch_ms: number };
    expect(row.source).toBe('feed');
    expect(JSON.parse(row.elements)).toEqual({ format: 'tle', ...ISS_2019 });
    expect(row.epoch_ms).toBe(Math.round(Date.UTC(2019, 0, 1) + (156.50900463 - 1) * DAY));
    const event = rawClient(t.sqlite).prepare(`select type, subject_key as key, data from events where subject_kind = 'satellite' order by id desc limit 1`).get() as { type: string; key: string; data: string };
    expect(event).toMatchObject({ type: 'satellite.updated', key: 'iss' });
    expect(JSON.parse(event.data)).toMatchObject({ source: 'feed', epoch: '2019-06-05T12:12:58.000Z' });

    expect((await call(`/api/assets/${ids['gs-usuda']}`)).body.warnings).toEqual([]);
    // The new elements predict passes at that time.
    expect((await call(`/api/assets/${ids['gs-usuda']}/passes?hours=48`)).body.items.length).toBeGreaterThan(0);

    // The same feed again: nothing newer, nothing written.
    const counts = tableCounts(t.sqlite);
    expect(await refreshElementsFromFeed(ctx, `${base}/gp.php?GROUP=stations&FORMAT=tle`)).toEqual({ entries: 2, updated: [], current: ['iss'] });
    expect(tableCounts(t.sqlite)).toEqual(counts);
  });

  it('fetchElementsFeed throws on a non-2xx answer; a malformed feed is refused whole with its line', async () => {
    await expect(fetchElementsFeed(`${base}/missing.txt`)).rejects.toThrow(/answered 404/);
    const counts = tableCounts(t.sqlite);
    const broken = `ISS (ZARYA)\n${ISS_2019.line1}\n${ISS_2019.line2.slice(0, 68)}0\n`;
    await expect(refreshElements(ctx, broken)).rejects.toMatchObject({ status: 400, details: [{ line: 3 }] });
    expect(tableCounts(t.sqlite)).toEqual(counts);
  });

  it('needs the admin role', async () => {
    const viewer = { ...ctx, actor: { name: 'token:v', role: 'viewer' as const, tokenId: null } };
    await expect(refreshElements(viewer, '')).rejects.toMatchObject({ status: 403 });
  });
});
