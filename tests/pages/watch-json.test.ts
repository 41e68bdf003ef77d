// /watch.json: the watch floor's data in its compact form (assets as a table), and the security
// headers every answer keeps after they moved into one precomputed middleware.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_CSP, SECURITY_HEADERS } from '../../src/http/middleware/security-headers.js';
import { WATCH_ASSET_FIELDS } from '../../src/core/services/read-models/watch-floor.js';
import { Monitor } from '../../src/core/monitor/monitor.js';
import { commitAtomically } from '../../src/core/store/client.js';
import { createTestApp, ok, rawClient, type TestApp } from '../helpers.js';

describe('/watch.json', () => {
  let t: TestApp;
  let cookie: string;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp();
    const login = await t.app.request('/login', { method: 'POST', body: new URLSearchParams({ token: t.tokens.viewer, next: '/' }), redirect: 'manual' });
    cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    for (const [key, body] of Object.entries({
      'gs-a': { kind: 'ground_station', name: 'Station "A"', region: 'eu', lat: 48.123456789, lon: 11.5 },
      'moc-b': { kind: 'mission_ops_center', name: 'MOC B' },
    })) ids[key] = (await ok(t.call('POST', '/api/assets', { body: { key, ...body } }), 201)).id;
    ids['link-ab'] = (await ok(t.call('POST', '/api/assets', {
      body: { key: 'link-ab', kind: 'network_link', name: 'A–B', link: { fromAssetId: ids['gs-a'], toAssetId: ids['moc-b'] } },
    }), 201)).id;
    const check = await ok(t.call('POST', `/api/checks`, {
      body: { key: 'gs-a-http', assetId: ids['gs-a'], kind: 'http', intervalSeconds: 60, timeoutMs: 5_000, http: { url: 'https://gs-a.example.net/health', expectStatus: 200 } },
    }), 201);
    // Two results recorded as the monitor records them; the newest one's latency is the one shown.
    const monitor = await Monitor.load(t.sqlite.db, 1_700_000_000_000);
    const observations = [
      { checkId: check.id, at: 1_700_000_000_000, observation: { status: 'up' as const, latencyMs: 40, message: null } },
      { checkId: check.id, at: 1_700_000_060_000, observation: { status: 'down' as const, latencyMs: 75, message: 'status 503, expected 2xx' } },
    ];
    await commitAtomically(t.sqlite.db, monitor.planObservations(t.sqlite.db, observations, 1_700_000_060_000));
    rawClient(t.sqlite).prepare('update asset_states set status = ?, since = ?, reason = ? where asset_id = ?').run('down', 1_700_000_000_000, 'status 503, expected 2xx', ids['gs-a']);
  });
  afterAll(() => t?.close());

  it('carries the assets as a table: the field names once, one array per asset in id order', async () => {
    const res = await t.app.request('/watch.json', { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const data = (await res.json()) as any;
    expect(Object.keys(data).sort()).toEqual(['assetFields', 'assets', 'drills', 'functions', 'incidents', 'lastEventId', 'now', 'passes', 'warnings']);
    expect(data.assetFields).toEqual([...WATCH_ASSET_FIELDS]);
    const rows = (data.assets as unknown[][]).map((row) => Object.fromEntries(WATCH_ASSET_FIELDS.map((f, i) => [f, row[i]])));
    expect(rows.map((r) => r.key)).toEqual(['gs-a', 'moc-b', 'link-ab']);
    expect(rows[0]).toEqual({
      id: ids['gs-a'], key: 'gs-a', name: 'Station "A"', kind: 'ground_station', region: 'eu', status: 'down', since: 1_700_000_000_000,
      reason: 'status 503, expected 2xx', lat: 48.12346, lon: 11.5, linkFromAssetId: null, linkToAssetId: null, latencyMs: 75,
    });
    // no state yet: unknown, no time; link ends only on links
    expect(rows[1]).toMatchObject({ status: 'unknown', since: null, reason: null, latencyMs: null, linkFromAssetId: null });
    expect(rows[2]).toMatchObject({ kind: 'network_link', linkFromAssetId: ids['gs-a'], linkToAssetId: ids['moc-b'] });
    expect(data.warnings).toEqual({});
    expect(data.drills).toEqual([]);
  });

  it('says the same as the page', async () => {
    const html = await (await t.app.request('/', { headers: { cookie } })).text();
    expect(html).toContain('data-key="gs-a" data-status="down"');
    expect(html).toContain('data-key="moc-b" data-status="unknown"');
    expect(html).toMatch(/Station &quot;A&quot;|Station "A"/);
  });

  it('needs a session like the page', async () => {
    const res = await t.app.request('/watch.json', { redirect: 'manual' });
    expect(res.status).toBe(303);
  });

  it('keeps every security header: the app-wide set on the API, the CSP too on pages and their JSON', async () => {
    const api = await t.app.request('/api/assets', { headers: { authorization: `Bearer ${t.tokens.viewer}` } });
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(api.headers.get(name), name).toBe(value);
    expect(api.headers.get('content-security-policy')).toBeNull();
    await ok(t.call('POST', '/api/status-pages', { body: { slug: 'public', title: 'Status', components: [{ assetId: ids['gs-a'], name: 'A' }] } }), 201);
    for (const path of ['/status/public', '/status/public/summary.json', '/watch.json', '/login']) {
      for (let round = 0; round < 2; round++) {
        // the summary is answered from its cache the second time: same headers
        const res = await t.app.request(path, { headers: { cookie } });
        expect(res.status, path).toBe(200);
        // summary.json is fetched by other sites: only its resource policy differs (see status-page.test.ts)
        const expected = { ...SECURITY_HEADERS, ...(path.endsWith('summary.json') ? { 'cross-origin-resource-policy': 'cross-origin' } : {}) };
        for (const [name, value] of Object.entries(expected)) expect(res.headers.get(name), `${path} ${name}`).toBe(value);
        expect(res.headers.get('content-security-policy'), path).toBe(PAGE_CSP);
      }
    }
    const summary = await t.app.request('/status/public/summary.json');
    expect(summary.headers.get('access-control-allow-origin')).toBe('*');
    expect(summary.headers.get('content-type')).toBe('application/json');
  });
});
