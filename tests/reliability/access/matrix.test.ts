// Role × route: every route of the API (read from its own OpenAPI document, so a route added
// later is in the matrix, and an unclassified one fails it), every page and every endpoint outside
// the document, against every kind of caller. The expected answers come from the design's roles
// table (README "Roles"): viewer reads everything; officer also handles incidents (and feeds
// alerts in); planner also manages scenarios, drills and findings; admin does everything, and
// alone touches the inventory, checks, maintenance, status pages, webhooks, tokens and the demo
// fleet. Unauthenticated callers get 401 (pages: the sign-in page) except on public pages, push
// and health. Not from watching what the app does. No answer, to any caller, shows a stored
// secret (README "Secrets"): records of every kind that holds one are seeded, and every body is
// scanned for every secret in the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../../src/core/domain/enums.js';
import { SESSION_COOKIE } from '../../../src/core/services/sessions.js';
import { mintToken, revokeToken } from '../../../src/core/services/tokens.js';
import { createVantage } from '../../../src/core/services/vantages.js';
import { createPartner } from '../../../src/core/services/partners.js';
import { rawClient } from '../../helpers.js';
import { tally } from '../tally.js';
import { leaks, SEEDED, seedSecretRecords, storedSecrets, type SecretRecords } from './stored-secrets.js';
import { apiOperations, createHostileApp, DatabaseFingerprint, type HostileApp, type Operation } from '../hostile/harness.js';

/**
 * 'own vantage': only the probe token bound to the vantage in the path, a caller the matrix does
 * not have. 'own partner': only a partner's token (what is shared is the partner's own view).
 * 'signed': no bearer token at all, only an ally's push signature (a caller the matrix does not have): 401 to everyone here.
 */
type Need = Role | 'public' | 'own vantage' | 'own partner' | 'signed';

/** The design's table, as rules over method and path. Returns undefined for a route the table does not place. */
export function designedRole(method: string, path: string): Need | undefined {
  const read = method === 'GET';
  if (path === '/healthz' || path === '/openapi.json' || path === '/docs') return 'public';
  if (method === 'POST' && path === '/api/push/{token}') return 'public';
  if (method === 'POST' && path === '/api/sharing/push') return 'signed';
  if (/^\/api\/(tokens|webhooks)(\/|$)/.test(path)) return 'admin';
  if (/^\/api\/vantages\/\{name\}\/(assignment|results)$/.test(path)) return 'own vantage';
  if (/^\/api\/sharing\/(feed|objects)$/.test(path)) return 'own partner';
  if (path.startsWith('/taxii2/')) return 'own partner';
  if (path === '/api/sharing/audit' || /^\/api\/(partners|sharing\/sources)(\/|$)/.test(path)) return 'admin';
  if (read && path.startsWith('/api/')) return 'viewer';
  if (/^\/api\/incidents(\/|$)/.test(path) || path === '/api/ingest/alertmanager') return 'officer';
  if (/^\/api\/(scenarios|drills|findings)(\/|$)/.test(path)) return 'planner';
  if (/^\/api\/(assets|functions|inventory|checks|vantages|maintenance|status-pages|demo)(\/|$)/.test(path)) return 'admin';
  return undefined;
}

type Caller = 'no token' | 'unknown token' | 'revoked token' | 'expired token' | Role;
const CALLERS: Caller[] = ['no token', 'unknown token', 'revoked token', 'expired token', ...ROLES];

let h: HostileApp;
let ops: Operation[];
let fingerprint: DatabaseFingerprint;
const secrets = {} as Record<Caller, string | null>;
const sessions = {} as Record<Role, { cookie: string; csrf: string }>;
let records: SecretRecords;
let storedSecretValues: string[];

beforeAll(async () => {
  // The matrix sends many bad tokens from one address: lift the failed-attempt limit here (it has its own test).
  h = await createHostileApp({ failedAttempts: { maxFailures: 1_000_000 } });
  ops = await apiOperations(h.app);
  fingerprint = new DatabaseFingerprint(rawClient(h.sqlite));
  records = await seedSecretRecords(h.ctx, h.ids.assets![0]!);
  storedSecretValues = storedSecrets(rawClient(h.sqlite));
  const revoked = await mintToken(h.ctx, { name: 'revoked', role: 'admin' });
  await revokeToken(h.ctx, revoked.id);
  const expired = await mintToken(h.ctx, { name: 'expired', role: 'admin', expiresAt: Date.now() - 1000 });
  await createVantage(h.ctx, { name: 'matrix-site', graceSeconds: 60 });
  h.tokens.probe = (await mintToken(h.ctx, { name: 'probe', role: 'probe', vantage: 'matrix-site' })).secret;
  await createPartner(h.ctx, { key: 'matrix-ally', name: 'Matrix ally', country: 'JPN' });
  h.tokens.partner = (await mintToken(h.ctx, { name: 'partner', role: 'partner', partner: 'matrix-ally' })).secret;
  Object.assign(secrets, { 'no token': null, 'unknown token': 'cw_neverMintedNeverMintedNeverMintedNeverMin', 'revoked token': revoked.secret, 'expired token': expired.secret, ...h.tokens });
  for (const role of ROLES) {
    const res = await h.app.request('/login', { method: 'POST', body: new URLSearchParams({ token: h.tokens[role], next: '/' }) });
    const cookie = /cw_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
    if (res.status !== 303 || !cookie) throw new Error(`sign-in as ${role} failed: ${res.status}`);
    const row = rawClient(h.sqlite).prepare('select csrf from sessions order by created_at desc, rowid desc limit 1').get() as { csrf: string };
    sessions[role] = { cookie, csrf: row.csrf };
  }
});
afterAll(() => h?.close());

/** A path with every parameter filled: an id that exists for reads, one that does not for writes (a write the guard lets through must not destroy the fixture). */
function concrete(op: Operation): string {
  const read = op.method === 'GET';
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'token') return 'nopushtokennopushtoken';
    if (name === 'assetKey') return read ? 'no-such-asset' : 'no-such-asset';
    if (read && name === 'id') {
      const resource = op.path.split('/')[2];
      const secretHolder = ({ checks: records.pushCheckId, drills: records.drillId, webhooks: records.webhookId } as Record<string, number>)[resource ?? ''];
      const table = ({ assets: 'assets', functions: 'mission_functions', scenarios: 'scenarios', 'status-pages': 'status_pages' } as Record<string, string>)[resource ?? ''];
      const id = secretHolder ?? (table ? h.ids[table]?.[0] : undefined);
      return String(id ?? 999_999);
    }
    return '999999';
  });
}

describe('role × route matrix', () => {
  it('places every route of the API in the design table', () => {
    const unplaced = ops.filter((op) => designedRole(op.method, op.path) === undefined).map((op) => `${op.method} ${op.path}`);
    expect(unplaced).toEqual([]);
    // and the document marks exactly the non-public routes as needing a bearer token
    const open = (need: Need | undefined) => need === 'public' || need === 'signed';
    const mismatched = ops.filter((op) => open(designedRole(op.method, op.path)) === op.secured).map((op) => `${op.method} ${op.path}`);
    expect(mismatched).toEqual([]);
  });

  it('gives each caller exactly what the design says on every API route, and a refusal writes nothing', async () => {
    const wrong: string[] = [];
    let cases = 0;
    for (const op of ops) {
      const need = designedRole(op.method, op.path)!;
      const url = concrete(op);
      for (const caller of CALLERS) {
        cases++;
        const secret = secrets[caller];
        const headers: Record<string, string> = secret ? { authorization: `Bearer ${secret}` } : {};
        if (op.path.startsWith('/taxii2/')) headers.accept = 'application/taxii+json;version=2.1';
        let body: string | undefined;
        if (op.body) {
          headers['content-type'] = op.body.contentTypes.includes('application/json') ? 'application/json' : op.body.contentTypes[0]!;
          body = '{}';
        }
        const before = fingerprint.current();
        const res = await h.app.request(url, { method: op.method, headers, body });
        const text = await res.text();
        const parsed = (() => { try { return JSON.parse(text); } catch { return null; } })() as any;
        const authenticated = ROLES.includes(caller as Role);
        const allowed = need === 'public' || (need === 'own partner' ? caller === 'partner'
          : authenticated && need !== 'own vantage' && need !== 'signed' && ROLES.indexOf(caller as Role) >= ROLES.indexOf(need));
        const label = `${op.method} ${op.path} as ${caller}`;
        wrong.push(...leaks(label, text, storedSecretValues));
        if (allowed) {
          const drillWithoutRunner = res.status === 503 && parsed?.error?.code === 'unavailable' && /^\/api\/drills\/\{id\}\/runs/.test(op.path);
          if (res.status === 401 || res.status === 403 || (res.status >= 500 && !drillWithoutRunner)) wrong.push(`${label}: expected to be let through, got ${res.status} ${JSON.stringify(parsed?.error ?? '')}`);
          else if (res.status === 404 && /^No route/.test(parsed?.error?.message ?? '')) wrong.push(`${label}: route missing`);
          else if (op.method === 'GET' && !op.path.includes('{') && res.status !== 200) wrong.push(`${label}: expected 200, got ${res.status}`);
        } else {
          const expected = authenticated && need !== 'signed' ? 403 : 401;
          const code = expected === 401 ? 'unauthenticated' : 'forbidden';
          // TAXII refuses with its own error resource (TAXII 2.1 §3.6.1), the rest of the API with `{ error }`.
          const refusal = op.path.startsWith('/taxii2/') ? { code: parsed?.error_code, details: [] } : parsed?.error;
          if (res.status !== expected || refusal?.code !== code || !Array.isArray(refusal?.details)) wrong.push(`${label}: expected ${expected} ${code}, got ${res.status} ${JSON.stringify(parsed)}`);
          else if (fingerprint.current() !== before) wrong.push(`${label}: refused but the database changed`);
        }
      }
    }
    tally('role × route cases', cases, 'API');
    expect(wrong).toEqual([]);
  });
});

describe('secrets by role', () => {
  it('the answers that created the seeded records showed their secrets (so the scans below can fail)', () => {
    const created = records.creationAnswers.join('\n');
    for (const secret of Object.values(SEEDED)) expect(created).toContain(secret);
    for (const secret of Object.values(SEEDED)) expect(storedSecretValues).toContain(secret);
  });

  it('no answer to any role shows a stored secret: every GET route over every record that holds one, and every page', async () => {
    const found: string[] = [];
    const holders: Record<string, number[]> = { checks: [records.pushCheckId, records.httpCheckId], drills: [records.drillId], webhooks: [records.webhookId] };
    const urls = ops
      .filter((op) => op.method === 'GET')
      .flatMap((op) => {
        const paged = op.params.some((p) => p.name === 'limit') ? '?limit=500' : '';
        const ids = op.path.startsWith('/api/') && op.path.includes('{id}') ? holders[op.path.split('/')[2] ?? ''] : undefined;
        return (ids ?? [null]).map((id) => (id === null ? concrete(op) : op.path.replace('{id}', String(id)).replace(/\{\w+\}/g, '999999')) + paged);
      });
    let cases = 0;
    for (const role of ROLES) {
      for (const url of urls) {
        const res = await h.app.request(url, { headers: { authorization: `Bearer ${h.tokens[role]}` } });
        found.push(...leaks(`GET ${url} as ${role}`, await res.text(), storedSecretValues));
        cases++;
      }
      const pages = ['/', '/watch.json', '/planner', `/planner/drills/${records.drillId}`, '/status/public', '/status/public/summary.json', '/status/public/feed.atom'];
      for (const page of pages) {
        const res = await h.app.request(page, { headers: { cookie: sessions[role].cookie } });
        found.push(...leaks(`page ${page} as ${role}`, await res.text(), storedSecretValues));
        cases++;
      }
    }
    tally('role × route cases', cases, 'secret scans');
    expect(found).toEqual([]);
  });

  it('shows each secret as ******** to every role, viewer to admin', async () => {
    for (const role of ROLES.filter((r) => r !== 'probe' && r !== 'partner')) {
      const get = async (url: string) => (await (await h.app.request(url, { headers: { authorization: `Bearer ${h.tokens[role]}` } })).json()) as any;
      const push = await get(`/api/checks/${records.pushCheckId}`);
      expect(push.push.token, role).toBe('********');
      expect(push.pushUrl, role).toBe('/api/push/********');
      expect((await get(`/api/checks/${records.httpCheckId}`)).http.headers, role).toEqual({ Authorization: '********' });
      const drill = await get(`/api/drills/${records.drillId}`);
      expect([drill.injectHook.headers, drill.rollbackHook.headers], role).toEqual([{ 'X-Api-Key': '********' }, { 'X-Api-Key': '********' }]);
    }
    const webhook = (await (await h.app.request(`/api/webhooks/${records.webhookId}`, { headers: { authorization: `Bearer ${h.tokens.admin}` } })).json()) as any;
    expect([webhook.secret, webhook.routingKey, webhook.hasRoutingKey]).toEqual(['********', '********', true]);
  });
});

interface PageRoute {
  method: 'GET' | 'POST';
  path: string;
  need: Exclude<Need, 'own vantage' | 'own partner' | 'signed'>;
  /** Bearer token instead of a session (/metrics). */
  bearer?: boolean;
  /** Answer of a sufficient caller (default 200). */
  ok?: number;
}

/** The pages and endpoints outside the OpenAPI document, with the role the README gives each. */
const PAGES: PageRoute[] = [
  { method: 'GET', path: '/login', need: 'public' },
  { method: 'GET', path: '/status/public', need: 'public' },
  { method: 'GET', path: '/status/public/summary.json', need: 'public' },
  { method: 'GET', path: '/status/public/feed.atom', need: 'public' },
  { method: 'GET', path: '/status/public/badge.svg', need: 'public' },
  { method: 'GET', path: '/status/public/components/1/badge.svg', need: 'public' },
  { method: 'GET', path: '/favicon.ico', need: 'public' },
  { method: 'GET', path: '/assets/app.css', need: 'public' },
  { method: 'GET', path: '/docs', need: 'public' },
  { method: 'GET', path: '/openapi.json', need: 'public' },
  { method: 'GET', path: '/healthz', need: 'public' },
  { method: 'GET', path: '/metrics', need: 'viewer', bearer: true },
  { method: 'GET', path: '/', need: 'viewer' },
  { method: 'GET', path: '/events/stream', need: 'viewer' },
  { method: 'POST', path: '/incidents/999999/ack', need: 'officer', ok: 404 },
  { method: 'POST', path: '/incidents/999999/updates', need: 'officer', ok: 400 },
  { method: 'GET', path: '/planner', need: 'planner' },
  { method: 'GET', path: '/planner/trends', need: 'planner' },
  { method: 'GET', path: '/planner/scenarios/1', need: 'planner' },
  { method: 'GET', path: '/planner/drills/1', need: 'planner' },
  { method: 'POST', path: '/planner/drills/999999/runs', need: 'planner', ok: 404 },
  { method: 'POST', path: '/planner/findings/999999', need: 'planner', ok: 400 },
  { method: 'POST', path: '/planner/drills/999999/runs/1/abort', need: 'planner', ok: 404 },
  { method: 'POST', path: '/planner/drills/999999/runs/1/findings', need: 'planner', ok: 404 },
];

describe('role × page matrix', () => {
  it.each(PAGES)('$method $path needs $need', async (page) => {
    const callers: Array<'no session' | Role> = ['no session', ...ROLES];
    const wrong: string[] = [];
    for (const caller of callers) {
      const headers: Record<string, string> = {};
      let body: URLSearchParams | undefined;
      if (caller !== 'no session') {
        if (page.bearer) headers.authorization = `Bearer ${h.tokens[caller]}`;
        else headers.cookie = sessions[caller].cookie;
      }
      if (page.method === 'POST') body = new URLSearchParams({ _csrf: caller === 'no session' ? 'x' : sessions[caller].csrf, status: 'nope' });
      const before = fingerprint.current();
      const controller = new AbortController();
      const res = await h.app.request(page.path, { method: page.method, headers, body, signal: controller.signal });
      if (page.path === '/events/stream') controller.abort();
      else await res.arrayBuffer();
      const allowed = page.need === 'public' || (caller !== 'no session' && ROLES.indexOf(caller) >= ROLES.indexOf(page.need));
      const label = `${page.method} ${page.path} as ${caller}`;
      if (allowed) {
        if (res.status !== (page.ok ?? 200)) wrong.push(`${label}: expected ${page.ok ?? 200}, got ${res.status}`);
      } else if (caller === 'no session') {
        const toLogin = res.status === 303 && (res.headers.get('location') ?? '').startsWith('/login');
        if (!(toLogin || res.status === 401)) wrong.push(`${label}: expected the sign-in page or 401, got ${res.status}`);
      } else if (res.status !== 403) wrong.push(`${label}: expected 403, got ${res.status}`);
      if (!allowed && fingerprint.current() !== before) wrong.push(`${label}: refused but the database changed`);
    }
    tally('role × route cases', callers.length, 'pages');
    expect(wrong).toEqual([]);
  });

  it('the session cookie is the one the sign-in sets', () => {
    expect(SESSION_COOKIE).toBe('cw_session');
  });
});
