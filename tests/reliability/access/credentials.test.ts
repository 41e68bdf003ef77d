// Tokens, sessions and secrets: hashed at rest, compared on their hashes, failed attempts limited
// per address, revocation at once, sessions that end, CSRF on every form, a strict CSP on every
// page, and no secret in any answer, log line or export after the one answer that mints it.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/http/app.js';
import { workersClientAddress } from '../../../src/hosts/workers/client-address.js';
import { SESSION_HOURS } from '../../../src/core/services/sessions.js';
import { constantTimeEqual } from '../../../src/core/services/tokens.js';
import { clientFor, expectErrorShape, rawClient } from '../../helpers.js';
import { createHostileApp, DatabaseFingerprint, type HostileApp } from '../hostile/harness.js';

let h: HostileApp | undefined;
afterEach(() => {
  h?.close();
  h = undefined;
  vi.restoreAllMocks();
});

/** An app on the same database whose clock the test moves; callers name their address as Cloudflare's edge would. */
function withClock(base: HostileApp, policy?: { maxFailures: number; windowMs: number }) {
  const clock = { now: Date.now() };
  const app = createApp({ database: () => base.sqlite.db, now: () => clock.now, clientAddress: workersClientAddress, ...(policy ? { failedAttempts: policy } : {}) });
  return { app, clock, call: clientFor(app, base.tokens) };
}

async function signIn(app: ReturnType<typeof createApp>, token: string, from?: string) {
  const res = await app.request('/login', { method: 'POST', body: new URLSearchParams({ token, next: '/' }), headers: from ? { 'cf-connecting-ip': from } : {} });
  return { res, cookie: /cw_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0] };
}

/** Every text value stored anywhere in the database. */
function everythingStored(base: HostileApp): string {
  const client = rawClient(base.sqlite);
  const tables = client.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[];
  return tables.map(({ name }) => JSON.stringify(client.prepare(`select * from "${name}"`).all())).join('\n');
}

describe('tokens at rest', () => {
  it('stores only the SHA-256 of each token, never the token', async () => {
    h = await createHostileApp();
    const minted = await h.call('POST', '/api/tokens', { body: { name: 'ci', role: 'viewer' } });
    expect(minted.status).toBe(201);
    const row = rawClient(h.sqlite).prepare('select token_hash, prefix from api_tokens where id = ?').get(minted.body.id) as { token_hash: string; prefix: string };
    expect(row.token_hash).toBe(createHash('sha256').update(minted.body.secret).digest('hex'));
    const stored = everythingStored(h);
    for (const secret of [minted.body.secret, ...Object.values(h.tokens)]) expect(stored).not.toContain(secret);
  });

  it('compares hashes without an early exit: equal only when equal, whatever the lengths', () => {
    expect(constantTimeEqual('a'.repeat(64), 'a'.repeat(64))).toBe(true);
    expect(constantTimeEqual('a'.repeat(64), `${'a'.repeat(63)}b`)).toBe(false);
    expect(constantTimeEqual(`b${'a'.repeat(63)}`, 'a'.repeat(64))).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});

describe('failed attempts', () => {
  it('refuses an address with 429 and Retry-After after too many failures; other addresses and public routes are not affected; the window slides', async () => {
    h = await createHostileApp();
    const { app, clock } = withClock(h, { maxFailures: 5, windowMs: 60_000 });
    const from = (address: string, token: string | null, url = '/api/assets') =>
      app.request(url, { headers: { 'cf-connecting-ip': address, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    for (let i = 0; i < 5; i++) expect((await from('203.0.113.7', `cw_guess${i}guessguessguessguess`)).status).toBe(401);
    const refused = await from('203.0.113.7', 'cw_guess5guessguessguessguess');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expectErrorShape({ status: refused.status, body: await refused.json() }, 429);
    // locked out: even a valid token from there is not looked at, so guessing gains nothing
    expect((await from('203.0.113.7', h.tokens.viewer)).status).toBe(429);
    // the sign-in form from there too
    expect((await signIn(app, h.tokens.viewer, '203.0.113.7')).res.status).toBe(429);
    // other addresses, and requests without credentials, are not affected
    expect((await from('198.51.100.1', h.tokens.viewer)).status).toBe(200);
    expect((await from('203.0.113.7', null, '/healthz')).status).toBe(200);
    expect((await from('203.0.113.7', null, '/status/public')).status).toBe(200);
    // an IPv6 host counts by its /64
    for (let i = 0; i < 5; i++) await from(`2001:db8:1:2::${i + 1}`, 'cw_nopenopenopenopenopenope');
    expect((await from('2001:db8:1:2:ffff::9', h.tokens.viewer)).status).toBe(429);
    expect((await from('2001:db8:1:3::1', h.tokens.viewer)).status).toBe(200);
    // once the failures age out of the window, the address may try again
    clock.now += 60_001;
    expect((await from('203.0.113.7', h.tokens.viewer)).status).toBe(200);
  });

  it('counts failed sign-ins on the form as well', async () => {
    h = await createHostileApp();
    const { app } = withClock(h, { maxFailures: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) expect((await signIn(app, 'cw_wrongwrongwrongwrong', '192.0.2.9')).res.status).toBe(401);
    const locked = await signIn(app, h.tokens.admin, '192.0.2.9');
    expect(locked.res.status).toBe(429);
    expect(locked.cookie).toBeUndefined();
    expect((await signIn(app, h.tokens.admin, '192.0.2.10')).res.status).toBe(303);
  });

  it('successes are not counted', async () => {
    h = await createHostileApp();
    const { app } = withClock(h, { maxFailures: 2, windowMs: 60_000 });
    for (let i = 0; i < 50; i++) expect((await app.request('/api/assets', { headers: { authorization: `Bearer ${h.tokens.viewer}`, 'cf-connecting-ip': '192.0.2.1' } })).status).toBe(200);
  });
});

describe('revocation and expiry', () => {
  it('a revoked token stops working on the next request, for the API and for its sessions', async () => {
    h = await createHostileApp();
    const minted = await h.call('POST', '/api/tokens', { body: { name: 'watch-floor', role: 'officer' } });
    const { cookie } = await signIn(h.app, minted.body.secret);
    expect((await h.app.request('/', { headers: { cookie: cookie! } })).status).toBe(200);
    expect((await h.call('GET', '/api/assets', { token: minted.body.secret })).status).toBe(200);
    expect((await h.call('DELETE', `/api/tokens/${minted.body.id}`)).status).toBe(200);
    expectErrorShape(await h.call('GET', '/api/assets', { token: minted.body.secret }), 401);
    const page = await h.app.request('/', { headers: { cookie: cookie! } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(/^\/login/);
    expect((await h.app.request('/events/stream', { headers: { cookie: cookie! } })).status).toBe(401);
  });

  it('a session ends after its hours, and an expired token is refused', async () => {
    h = await createHostileApp();
    const { app, clock, call } = withClock(h);
    const { cookie } = await signIn(app, h.tokens.viewer);
    clock.now += SESSION_HOURS * 3_600_000 - 1000;
    expect((await app.request('/', { headers: { cookie: cookie! } })).status).toBe(200);
    clock.now += 2000;
    expect((await app.request('/', { headers: { cookie: cookie! } })).status).toBe(303);
    const expiring = await call('POST', '/api/tokens', { body: { name: 'short', role: 'viewer', expiresAt: new Date(clock.now + 60_000).toISOString() } });
    expect((await call('GET', '/api/assets', { token: expiring.body.secret })).status).toBe(200);
    clock.now += 60_001;
    expectErrorShape(await call('GET', '/api/assets', { token: expiring.body.secret }), 401);
  });

  it('the cookie is HttpOnly, SameSite=Strict and signed: a forged one is not a session', async () => {
    h = await createHostileApp();
    const { res, cookie } = await signIn(h.app, h.tokens.admin);
    const header = res.headers.get('set-cookie')!;
    expect(header).toMatch(/HttpOnly/i);
    expect(header).toMatch(/SameSite=Strict/i);
    const forged = cookie!.replace(/=(.)/, (_, ch: string) => `=${ch === 'a' ? 'b' : 'a'}`);
    expect((await h.app.request('/', { headers: { cookie: forged } })).status).toBe(303);
  });
});

describe('pages: CSRF and CSP', () => {
  it('refuses a form without the session CSRF token and changes nothing', async () => {
    h = await createHostileApp();
    const fingerprint = new DatabaseFingerprint(rawClient(h.sqlite));
    const { cookie } = await signIn(h.app, h.tokens.admin);
    const before = fingerprint.current();
    for (const [path, form] of [
      ['/incidents/1/ack', {}],
      ['/incidents/1/updates', { status: 'monitoring', message: 'x' }],
      ['/planner/drills/1/runs', {}],
      ['/planner/findings/1', { status: 'closed' }],
    ] as const) {
      for (const csrf of [undefined, '', 'forged', 'a'.repeat(48)]) {
        const body = new URLSearchParams({ ...form, ...(csrf === undefined ? {} : { _csrf: csrf }) });
        const res = await h.app.request(path, { method: 'POST', headers: { cookie: cookie! }, body });
        expect(res.status, `${path} with _csrf=${csrf}`).toBe(403);
      }
    }
    expect(fingerprint.current()).toBe(before);
    // sign-out without the token does not end the session either
    await h.app.request('/logout', { method: 'POST', headers: { cookie: cookie! }, body: new URLSearchParams({}) });
    expect((await h.app.request('/', { headers: { cookie: cookie! } })).status).toBe(200);
  });

  it('sends a strict Content-Security-Policy on every page, and the pages carry no inline script', async () => {
    h = await createHostileApp();
    const { cookie } = await signIn(h.app, h.tokens.admin);
    for (const path of ['/', '/login', '/status/public', '/planner', '/planner/trends', '/planner/drills/1', '/planner/scenarios/1']) {
      const res = await h.app.request(path, { headers: { cookie: cookie! } });
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("style-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(csp, path).not.toContain('unsafe-eval');
      const html = await res.text();
      expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? [], path).toEqual([]);
      expect(html, path).not.toMatch(/\son[a-z]+="/i);
    }
  });
});

describe('secrets', () => {
  it('appear in no answer, log line, export or stored event after the answer that mints them', async () => {
    h = await createHostileApp();
    const lines: string[] = [];
    for (const method of ['log', 'error', 'warn', 'info'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    }
    const token = await h.call('POST', '/api/tokens', { body: { name: 'leak-check', role: 'planner' } });
    const hook = await h.call('POST', '/api/webhooks', { body: { url: 'https://hooks.example.com/coop', events: ['asset.down'], format: 'standard' } });
    expect(hook.status, hook.text).toBe(201);
    const rotated = await h.call('PATCH', `/api/webhooks/${hook.body.id}`, { body: { rotateSecret: true } });
    expect(rotated.status, rotated.text).toBe(200);
    const secrets = [token.body.secret, hook.body.secret, rotated.body.secret, ...Object.values(h.tokens)] as string[];
    expect(secrets.every((s) => typeof s === 'string' && s.length >= 20)).toBe(true);
    // failing calls that carry a secret in places a careless log line would print
    await h.call('GET', '/api/nope', { token: token.body.secret });
    await h.call('POST', '/api/assets', { token: token.body.secret, body: { key: token.body.secret } });
    await h.call('GET', `/api/assets?tag=${token.body.secret}`, { token: 'cw_' + 'x'.repeat(40) });
    await signIn(h.app, `${h.tokens.admin}x`);
    const { cookie } = await signIn(h.app, h.tokens.admin);
    const answers: string[] = [];
    for (const url of ['/api/tokens', '/api/webhooks', `/api/webhooks/${hook.body.id}`, `/api/webhooks/${hook.body.id}/deliveries`, '/api/inventory', '/openapi.json', '/api/assets', '/healthz']) {
      answers.push((await h.call('GET', url)).text);
    }
    for (const url of ['/', '/planner', '/status/public', '/status/public/summary.json', '/status/public/feed.atom']) {
      answers.push(await (await h.app.request(url, { headers: { cookie: cookie! } })).text());
    }
    const events = JSON.stringify(rawClient(h.sqlite).prepare('select * from events').all());
    for (const secret of secrets) {
      for (const answer of answers) expect(answer).not.toContain(secret);
      for (const line of lines) expect(line).not.toContain(secret);
      expect(events).not.toContain(secret);
    }
  });
});
