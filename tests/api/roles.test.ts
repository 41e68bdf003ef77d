import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/core/domain/enums.js';
import { mintToken } from '../../src/core/services/tokens.js';
import { createTestApp, expectErrorShape, rawClient, tableCounts, type TestApp } from '../helpers.js';
import { leaks, SEEDED, seedSecretRecords, storedSecrets } from '../reliability/access/stored-secrets.js';

interface Fixture {
  assetId: number;
  functionId: number;
  spareTokenId: number;
  pushCheckId: number;
  httpCheckId: number;
  drillId: number;
  webhookId: number;
}
type Request = { body?: unknown; raw?: string; headers?: Record<string, string> };

interface Route {
  method: string;
  path: (f: Fixture) => string;
  min: Role;
  /** A request the route carries out for a sufficient role, and the status it answers. */
  valid: Request;
  ok: number;
  /** A request that fails validation, sent by callers who must be refused before validation. */
  invalid: Request;
  /** The one answer allowed to show stored secrets (an admin's export with them). */
  showsSecrets?: boolean;
}

const yaml = { 'content-type': 'application/yaml' };
const INVENTORY = 'assets:\n  - key: gs-new\n    kind: ground_station\n    name: New station\n';

const ROUTES: Route[] = [
  { method: 'GET', path: () => '/api/assets', min: 'viewer', valid: {}, ok: 200, invalid: {} },
  { method: 'GET', path: (f) => `/api/assets/${f.assetId}`, min: 'viewer', valid: {}, ok: 200, invalid: {} },
  { method: 'GET', path: () => '/api/functions', min: 'viewer', valid: {}, ok: 200, invalid: {} },
  { method: 'GET', path: (f) => `/api/functions/${f.functionId}`, min: 'viewer', valid: {}, ok: 200, invalid: {} },
  { method: 'GET', path: () => '/api/inventory', min: 'viewer', valid: {}, ok: 200, invalid: {} },
  {
    method: 'POST', path: () => '/api/assets', min: 'admin', ok: 201,
    valid: { body: { key: 'gs-new', kind: 'ground_station', name: 'New' } },
    invalid: { body: { key: 'NOT VALID', lat: 500 } },
  },
  {
    method: 'PATCH', path: (f) => `/api/assets/${f.assetId}`, min: 'admin', ok: 200,
    valid: { body: { name: 'Renamed' } },
    invalid: { body: { lat: 'north' } },
  },
  { method: 'DELETE', path: (f) => `/api/assets/${f.assetId}`, min: 'admin', ok: 204, valid: {}, invalid: {} },
  {
    method: 'POST', path: () => '/api/functions', min: 'admin', ok: 201,
    valid: { body: { key: 'fn-new', name: 'New', tier: 'MEF', rtoSeconds: 60, mtdSeconds: 120 } },
    invalid: { body: { key: 'fn-new', tier: 'nope' } },
  },
  {
    method: 'PATCH', path: (f) => `/api/functions/${f.functionId}`, min: 'admin', ok: 200,
    valid: { body: { owner: 'Ops' } },
    invalid: { body: {} },
  },
  { method: 'DELETE', path: (f) => `/api/functions/${f.functionId}`, min: 'admin', ok: 204, valid: {}, invalid: {} },
  {
    method: 'POST', path: () => '/api/inventory/apply', min: 'admin', ok: 200,
    valid: { raw: INVENTORY, headers: yaml },
    invalid: { raw: 'assets: [unclosed\n', headers: yaml },
  },
  { method: 'GET', path: () => '/api/tokens', min: 'admin', valid: {}, ok: 200, invalid: {} },
  {
    method: 'POST', path: () => '/api/tokens', min: 'admin', ok: 201,
    valid: { body: { name: 'ci', role: 'viewer' } },
    invalid: { body: { role: 'superuser' } },
  },
  { method: 'DELETE', path: (f) => `/api/tokens/${f.spareTokenId}`, min: 'admin', ok: 200, valid: {}, invalid: {} },
  // Routes whose answers could carry a secret: the records the fixture seeds hold one of each kind.
  { method: 'GET', path: () => '/api/checks?limit=500', min: 'viewer', valid: {}, ok: 200, invalid: {} },
  { method: 'GET', path: (f) => `/api/checks/${f.pushCheckId}`, min: 'viewer', valid: {}, ok: 200, invalid: {} },
  { method: 'GET', path: (f) => `/api/checks/${f.httpCheckId}`, min: 'viewer', valid: {}, ok: 200, invalid: {} },
  {
    method: 'POST', path: () => '/api/checks', min: 'admin', ok: 201,
    valid: { body: { key: 'new-heartbeat', assetId: 1, kind: 'push' } },
    invalid: { body: { key: 'new-heartbeat', kind: 'nope' } },
  },
  {
    method: 'PATCH', path: (f) => `/api/checks/${f.pushCheckId}`, min: 'admin', ok: 200,
    valid: { body: { push: { graceSeconds: 30 } } },
    invalid: { body: { intervalSeconds: 'often' } },
  },
  {
    method: 'PATCH', path: (f) => `/api/checks/${f.httpCheckId}`, min: 'admin', ok: 200,
    valid: { body: { http: { url: 'https://station.example/health', headers: { Authorization: '********' } } } },
    invalid: { body: { http: { url: 'nope' } } },
  },
  { method: 'GET', path: () => '/api/drills', min: 'viewer', valid: {}, ok: 200, invalid: {} },
  { method: 'GET', path: (f) => `/api/drills/${f.drillId}`, min: 'viewer', valid: {}, ok: 200, invalid: {} },
  { method: 'GET', path: () => '/api/webhooks', min: 'admin', valid: {}, ok: 200, invalid: {} },
  { method: 'GET', path: (f) => `/api/webhooks/${f.webhookId}`, min: 'admin', valid: {}, ok: 200, invalid: {} },
  {
    method: 'PATCH', path: (f) => `/api/webhooks/${f.webhookId}`, min: 'admin', ok: 200,
    valid: { body: { name: 'PagerDuty', routingKey: '********' } },
    invalid: { body: { enabled: 'yes' } },
  },
  { method: 'GET', path: () => '/api/inventory?includeSecrets=true', min: 'admin', valid: {}, ok: 200, invalid: {}, showsSecrets: true },
];

type Caller = 'no token' | 'unknown token' | Role;
const CALLERS: Caller[] = ['no token', 'unknown token', ...ROLES];

function expectedStatus(route: Route, caller: Caller): number {
  if (caller === 'no token' || caller === 'unknown token') return 401;
  return ROLES.indexOf(caller) >= ROLES.indexOf(route.min) ? route.ok : 403;
}

const LABEL_IDS: Fixture = { assetId: 1, functionId: 2, spareTokenId: 3, pushCheckId: 4, httpCheckId: 5, drillId: 6, webhookId: 7 };
const ROWS = ROUTES.flatMap((route) => CALLERS.map((caller) => ({ route, caller, label: `${route.method} ${route.path(LABEL_IDS).replace(/\/\d+$/, '/{id}')}`, expected: expectedStatus(route, caller) })));

let t: TestApp;
let fixture: Fixture;
let seededSecrets: string[];

beforeEach(async () => {
  t = await createTestApp();
  const asset = await t.call('POST', '/api/assets', { body: { key: 'gs-fixture', kind: 'ground_station', name: 'Fixture' } });
  const fn = await t.call('POST', '/api/functions', { body: { key: 'fn-fixture', name: 'Fixture', tier: 'MEF', rtoSeconds: 60, mtdSeconds: 60 } });
  const spare = await mintToken(t.ctx, { name: 'spare', role: 'viewer' });
  // A probe token speaks for an agent vantage: below viewer, it may call none of these routes.
  await t.call('POST', '/api/vantages', { body: { name: 'site-fixture' } });
  t.tokens.probe = (await mintToken(t.ctx, { name: 'probe', role: 'probe', vantage: 'site-fixture' })).secret;
  // A partner token reads only the sharing feed and TAXII: none of these routes either.
  await t.call('POST', '/api/partners', { body: { key: 'partner-fixture', name: 'Fixture ally', country: 'JPN' } });
  t.tokens.partner = (await mintToken(t.ctx, { name: 'partner', role: 'partner', partner: 'partner-fixture' })).secret;
  if (asset.status !== 201 || fn.status !== 201) throw new Error('setup failed');
  const secretHolders = await seedSecretRecords(t.ctx, asset.body.id);
  seededSecrets = storedSecrets(rawClient(t.sqlite));
  fixture = { assetId: asset.body.id, functionId: fn.body.id, spareTokenId: spare.id, ...secretHolders };
});
afterEach(() => t.close());

describe('role matrix', () => {
  it('covers every role, lowest first', () => {
    expect(ROLES).toEqual(['probe', 'partner', 'viewer', 'officer', 'planner', 'admin']);
  });

  it.each(ROWS)('$label as $caller → $expected', async ({ route, caller, expected }) => {
    const token = caller === 'no token' ? null : caller === 'unknown token' ? 'cw_thisTokenWasNeverMinted0000000000000000' : t.tokens[caller];
    const sufficient = expected !== 401 && expected !== 403;
    // Refused callers send an invalid body: the role check must come before validation.
    const request = sufficient ? route.valid : route.invalid;
    const before = tableCounts(t.sqlite);
    const res = await t.call(route.method, route.path(fixture), { token, ...request });
    expect(res.status, res.text).toBe(expected);
    // No answer shows a secret stored before it, except an admin's export that asks for them.
    if (route.showsSecrets && sufficient) {
      for (const secret of [SEEDED.pushToken, SEEDED.httpHeader, SEEDED.injectHeader, SEEDED.rollbackHeader]) expect(res.text).toContain(secret);
    } else expect(leaks('answer', res.text, seededSecrets)).toEqual([]);
    if (!sufficient) {
      const error = expectErrorShape(res, expected);
      expect(error.code).toBe(expected === 401 ? 'unauthenticated' : 'forbidden');
      expect(tableCounts(t.sqlite)).toEqual(before);
    }
  });
});

describe('authorization header', () => {
  it.each([['Basic dXNlcjpwYXNz'], ['Bearer'], ['Bearer '], ['Token abc'], ['Bearer two words'], [`Bearer ${'x'.repeat(600)}`]])(
    'refuses the malformed header "%s" with 401',
    async (header) => {
      const res = await t.call('GET', '/api/assets', { token: null, headers: { authorization: header } });
      expect(expectErrorShape(res, 401).code).toBe('unauthenticated');
    },
  );

  it('refuses a malformed header on a write route with 401 and writes nothing', async () => {
    const before = tableCounts(t.sqlite);
    const res = await t.call('POST', '/api/assets', { token: null, headers: { authorization: `Basic ${t.tokens.admin}` }, body: { key: 'x', kind: 'service', name: 'x' } });
    expectErrorShape(res, 401);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('accepts the scheme in any case', async () => {
    const res = await t.call('GET', '/api/assets', { token: null, headers: { authorization: `bearer ${t.tokens.viewer}` } });
    expect(res.status).toBe(200);
  });
});

describe('public routes', () => {
  it('GET /healthz needs no token', async () => {
    const res = await t.call('GET', '/healthz', { token: null });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('GET /openapi.json needs no token and lists every /api path and method the app serves', async () => {
    const res = await t.call('GET', '/openapi.json', { token: null });
    expect(res.status).toBe(200);
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(res.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const served = new Set(
      t.app.routes
        .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/'))
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '')}`),
    );
    // The routes this issue requires are among them.
    for (const required of ['GET /api/assets', 'POST /api/assets', 'GET /api/assets/{id}', 'PATCH /api/assets/{id}', 'DELETE /api/assets/{id}',
      'GET /api/functions', 'POST /api/functions', 'GET /api/functions/{id}', 'PATCH /api/functions/{id}', 'DELETE /api/functions/{id}',
      'GET /api/tokens', 'POST /api/tokens', 'DELETE /api/tokens/{id}', 'GET /api/inventory', 'POST /api/inventory/apply']) {
      expect(served, required).toContain(required);
    }
    for (const route of served) expect(documented, `${route} is served but not in /openapi.json`).toContain(route);
  });

  it("every documented /api operation declares bearer security, except push heartbeats (the URL is the secret) and an ally's signed pushes", async () => {
    const res = await t.call('GET', '/openapi.json', { token: null });
    for (const [path, item] of Object.entries(res.body.paths as Record<string, Record<string, { security?: unknown }>>)) {
      if (!path.startsWith('/api/')) continue;
      if (path.startsWith('/api/push/') || path === '/api/sharing/push') {
        for (const [method, op] of Object.entries(item)) expect(op.security, `${method} ${path}`).toBeUndefined();
        continue;
      }
      for (const [method, op] of Object.entries(item)) expect(op.security, `${method} ${path}`).toEqual([{ bearer: [] }]);
    }
  });
});
