// The API on Workers + D1: the same routes, auth and validation as on Node.
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, expectStatus } from './client.js';

describe('the API on Workers + D1', () => {
  it('reports health from D1 without a token', async () => {
    const res = await SELF.fetch('https://coopwatch.test/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('answers 401 without a token or with a wrong one, and serves the admin token minted from the secret', async () => {
    expect((await call('GET', '/api/assets', { token: null })).status).toBe(401);
    expect((await call('GET', '/api/assets', { token: 'not-a-real-token-at-all' })).status).toBe(401);
    expect((await call('GET', '/api/assets')).status).toBe(200);
  });

  it('limits failed token attempts per client address (CF-Connecting-IP), with 429 and Retry-After', async () => {
    const attempt = (ip: string, token: string) =>
      SELF.fetch('https://coopwatch.test/api/assets', { headers: { authorization: `Bearer ${token}`, 'cf-connecting-ip': ip } });
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await attempt('203.0.113.9', `wrong-token-${i}-xxxxxxxxxxxx`)).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    const locked = await attempt('203.0.113.9', env.COOPWATCH_ADMIN_TOKEN);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await attempt('198.51.100.7', env.COOPWATCH_ADMIN_TOKEN)).status).toBe(200);
  });

  it('creates, reads, changes and deletes an asset, recording an event for each change', async () => {
    const created = await expectStatus(call('POST', '/api/assets', { body: { key: 'gs-svalbard', kind: 'ground_station', name: 'Svalbard', lat: 78.23, lon: 15.39 } }), 201);
    expect(created).toMatchObject({ key: 'gs-svalbard', kind: 'ground_station', name: 'Svalbard' });

    const listed = await expectStatus(call('GET', '/api/assets?limit=10'), 200);
    expect(listed.items.map((a: { key: string }) => a.key)).toEqual(['gs-svalbard']);

    const patched = await expectStatus(call('PATCH', `/api/assets/${created.id}`, { body: { name: 'SvalSat' } }), 200);
    expect(patched.name).toBe('SvalSat');

    await expectStatus(call('DELETE', `/api/assets/${created.id}`), 204);
    expect((await call('GET', `/api/assets/${created.id}`)).status).toBe(404);

    const { results } = await env.DB.prepare("select type from events where subject_key = 'gs-svalbard' order by id").all<{ type: string }>();
    expect(results.map((r) => r.type)).toEqual(['asset.created', 'asset.updated', 'asset.deleted']);
  });

  it('names the field in a 400 and writes nothing', async () => {
    const res = await call('POST', '/api/assets', { body: { key: 'Bad Key!', kind: 'ground_station', name: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'key', location: 'body' })]));
    const { results } = await env.DB.prepare('select count(*) as n from assets').all<{ n: number }>();
    expect(results[0]!.n).toBe(0);
  });

  it('lets a viewer read but not write, and a revoked token stops working at once', async () => {
    const viewer = await expectStatus(call('POST', '/api/tokens', { body: { name: 'wall-screen', role: 'viewer' } }), 201);
    expect((await call('GET', '/api/assets', { token: viewer.secret })).status).toBe(200);
    const refused = await call('POST', '/api/assets', { token: viewer.secret, body: { key: 'gs-x', kind: 'ground_station', name: 'X' } });
    expect(refused.status).toBe(403);
    await expectStatus(call('DELETE', `/api/tokens/${viewer.id}`), 200);
    expect((await call('GET', '/api/assets', { token: viewer.secret })).status).toBe(401);
  });

  it('handles lists past D1\'s 100 bound parameters: a function of 120 stations, applied, listed and read', async () => {
    const keys = Array.from({ length: 120 }, (_, i) => `gs-many-${i}`);
    const document = {
      assets: keys.map((key) => ({ key, kind: 'ground_station', name: key })),
      functions: [{ key: 'wide-net', name: 'Wide net', tier: 'MEF', rtoSeconds: 600, mtdSeconds: 3600, groups: [{ name: 'any station', k: 1, members: keys.map((assetKey) => ({ assetKey })) }] }],
    };
    const applied = await expectStatus(call('POST', '/api/inventory/apply', { body: document }), 200);
    expect(applied.created.assets).toHaveLength(120);
    const listed = await expectStatus(call('GET', '/api/functions'), 200);
    const fn = listed.items.find((f: { key: string }) => f.key === 'wide-net');
    expect(fn.groups[0].members).toHaveLength(120);
    const read = await expectStatus(call('GET', `/api/functions/${fn.id}`), 200);
    expect(read.groups[0].members).toHaveLength(120);
  });

  it('refuses, when configured, a check kind Workers cannot run, saying why', async () => {
    const asset = await expectStatus(call('POST', '/api/assets', { body: { key: 'dc-tokyo', kind: 'datacenter', name: 'Tokyo' } }), 201);
    const dns = await call('POST', '/api/checks', { body: { key: 'tokyo-dns', assetId: asset.id, kind: 'dns', dns: { name: 'moc.example.net', type: 'A' } } });
    expect(dns.status).toBe(400);
    expect(dns.body.error.details).toEqual([expect.objectContaining({ path: 'kind', message: expect.stringMatching(/cannot run on this runtime: .*UDP/) })]);

    const tls = await call('POST', '/api/inventory/apply', {
      body: { checks: [{ key: 'tokyo-tls', assetKey: 'dc-tokyo', kind: 'tls', tls: { host: 'moc.example.net', port: 443 } }] },
    });
    expect(tls.status).toBe(422);
    expect(JSON.stringify(tls.body.error.details)).toMatch(/checks\.0\.kind.*certificate/);

    const http = await call('POST', '/api/checks', { body: { key: 'tokyo-http', assetId: asset.id, kind: 'http', http: { url: 'https://moc.example.net/health' } } });
    expect(http.status).toBe(201);
  });
});

describe('the worker module', () => {
  it('exports only the handler object and the Durable Object classes wrangler.toml binds: workerd refuses any other export', async () => {
    const module = await import('../../src/hosts/workers/main.js');
    expect(Object.keys(module).sort()).toEqual(['CheckShard', 'Coordinator', 'default']);
    expect(Object.keys(module.default).sort()).toEqual(['fetch', 'queue', 'scheduled']);
  });
});
