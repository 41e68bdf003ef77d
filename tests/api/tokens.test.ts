import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticateToken, mintToken } from '../../src/core/services/tokens.js';
import { createTestApp, errorPaths, expectErrorShape, rawClient, tableCounts, type TestApp } from '../helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

async function tokenIdByName(name: string): Promise<number> {
  const res = await t.call('GET', '/api/tokens');
  const item = res.body.items.find((i: { name: string }) => i.name === name);
  if (!item) throw new Error(`no token named ${name}`);
  return item.id;
}

describe('minting', () => {
  it('returns the secret once with 201, and the token works for its role', async () => {
    const res = await t.call('POST', '/api/tokens', { body: { name: 'ci-reader', role: 'planner' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'ci-reader', role: 'planner', revokedAt: null, expiresAt: null });
    const secret: string = res.body.secret;
    expect(secret).toMatch(/^cw_[A-Za-z0-9_-]{40,}$/);
    expect(secret.startsWith(res.body.prefix)).toBe(true);
    expect(res.body.prefix.length).toBeLessThan(secret.length / 2);

    expect((await t.call('GET', '/api/assets', { token: secret })).status).toBe(200);
    // planner is below admin: writes to the inventory are refused
    expect((await t.call('POST', '/api/assets', { token: secret, body: { key: 'x', kind: 'service', name: 'x' } })).status).toBe(403);
  });

  it('mints distinct secrets each time', async () => {
    const a = await t.call('POST', '/api/tokens', { body: { name: 'a', role: 'viewer' } });
    const b = await t.call('POST', '/api/tokens', { body: { name: 'b', role: 'viewer' } });
    expect(a.body.secret).not.toBe(b.body.secret);
  });

  it.each([
    [{ name: 'x', role: 'root' }, 'role'],
    [{ name: '', role: 'viewer' }, 'name'],
    [{ role: 'viewer' }, 'name'],
    [{ name: 'x', role: 'viewer', expiresAt: 'tomorrow' }, 'expiresAt'],
  ])('refuses %j with 400 naming %s and mints nothing', async (body, field) => {
    const before = tableCounts(t.sqlite);
    const res = await t.call('POST', '/api/tokens', { body });
    expectErrorShape(res, 400);
    expect(errorPaths(res)).toContain(field);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('refuses a caller-chosen secret with 400 and mints nothing', async () => {
    const before = tableCounts(t.sqlite);
    const res = await t.call('POST', '/api/tokens', { body: { name: 'x', role: 'viewer', secret: 'cw_chosen_by_me_1234567890' } });
    expectErrorShape(res, 400);
    expect(tableCounts(t.sqlite)).toEqual(before);
    expect((await t.call('GET', '/api/assets', { token: 'cw_chosen_by_me_1234567890' })).status).toBe(401);
  });

  it('honours expiresAt given through the API', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const res = await t.call('POST', '/api/tokens', { body: { name: 'temp', role: 'viewer', expiresAt: future } });
    expect(res.status).toBe(201);
    expect(res.body.expiresAt).toBe(future);
    expect((await t.call('GET', '/api/assets', { token: res.body.secret })).status).toBe(200);

    const past = await t.call('POST', '/api/tokens', { body: { name: 'stale', role: 'viewer', expiresAt: '2020-01-01T00:00:00Z' } });
    expect(past.status).toBe(201);
    expect((await t.call('GET', '/api/assets', { token: past.body.secret })).status).toBe(401);
  });
});

describe('listing', () => {
  it('never contains a secret nor a hash', async () => {
    const minted = await t.call('POST', '/api/tokens', { body: { name: 'new', role: 'officer' } });
    const res = await t.call('GET', '/api/tokens');
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { name: string }) => i.name)).toEqual(['test-viewer', 'test-officer', 'test-planner', 'test-admin', 'new']);
    for (const secret of [minted.body.secret, ...Object.values(t.tokens)]) expect(res.text).not.toContain(secret);
    const hashes = (rawClient(t.sqlite).prepare('select token_hash as h from api_tokens').all() as { h: string }[]).map((r) => r.h);
    expect(hashes).toHaveLength(5);
    for (const hash of hashes) expect(res.text).not.toContain(hash);
    for (const item of res.body.items) {
      expect(Object.keys(item).filter((k) => /secret|hash/i.test(k))).toEqual([]);
    }
  });
});

describe('revoking', () => {
  it('revokes at once: the very next request with the token gets 401', async () => {
    const minted = await t.call('POST', '/api/tokens', { body: { name: 'doomed', role: 'viewer' } });
    expect((await t.call('GET', '/api/assets', { token: minted.body.secret })).status).toBe(200);
    const res = await t.call('DELETE', `/api/tokens/${minted.body.id}`);
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.revokedAt)).not.toBeNaN();
    const after = await t.call('GET', '/api/assets', { token: minted.body.secret });
    expect(expectErrorShape(after, 401).code).toBe('unauthenticated');
    const listed = (await t.call('GET', '/api/tokens')).body.items.find((i: { id: number }) => i.id === minted.body.id);
    expect(listed.revokedAt).toBe(res.body.revokedAt);
  });

  it('refuses to revoke the last admin token with 409; it keeps working', async () => {
    const id = await tokenIdByName('test-admin');
    const before = tableCounts(t.sqlite);
    const res = await t.call('DELETE', `/api/tokens/${id}`);
    expect(expectErrorShape(res, 409).code).toBe('conflict');
    expect(tableCounts(t.sqlite)).toEqual(before);
    expect((await t.call('GET', '/api/tokens')).status).toBe(200);
  });

  it('lets an admin token go once another admin token exists', async () => {
    const second = await t.call('POST', '/api/tokens', { body: { name: 'admin-2', role: 'admin' } });
    const firstId = await tokenIdByName('test-admin');
    expect((await t.call('DELETE', `/api/tokens/${firstId}`)).status).toBe(200);
    expect((await t.call('GET', '/api/tokens')).status).toBe(401);
    // the second is now the last admin and cannot be revoked
    const res = await t.call('DELETE', `/api/tokens/${second.body.id}`, { token: second.body.secret });
    expect(res.status).toBe(409);
    expect((await t.call('GET', '/api/tokens', { token: second.body.secret })).status).toBe(200);
  });

  it('does not count a revoked or expired admin token as another admin', async () => {
    const expired = await mintToken(t.ctx, { name: 'old-admin', role: 'admin', expiresAt: Date.now() - 1000 });
    expect(expired.id).toBeGreaterThan(0);
    const id = await tokenIdByName('test-admin');
    const res = await t.call('DELETE', `/api/tokens/${id}`);
    // An expired admin token cannot log in, so revoking the only working one would lock everyone out.
    expect(res.status).toBe(409);
  });

  it('gives 404 for an unknown token id', async () => {
    expect(expectErrorShape(await t.call('DELETE', '/api/tokens/9999'), 404).code).toBe('not_found');
  });
});

describe('expiry and storage', () => {
  it('refuses an expired token with 401', async () => {
    const expired = await mintToken(t.ctx, { name: 'expired', role: 'admin', expiresAt: Date.now() - 1 });
    const res = await t.call('GET', '/api/assets', { token: expired.secret });
    expect(expectErrorShape(res, 401).code).toBe('unauthenticated');
  });

  it('accepts a token until its expiry and refuses it from that instant', async () => {
    const expiresAt = Date.now() + 60_000;
    const token = await mintToken(t.ctx, { name: 'soon', role: 'viewer', expiresAt });
    expect(await authenticateToken(t.sqlite.db, token.secret, expiresAt - 1)).toMatchObject({ role: 'viewer' });
    expect(await authenticateToken(t.sqlite.db, token.secret, expiresAt)).toBeNull();
  });

  it('stores no plaintext secret anywhere in the database', async () => {
    const minted = await t.call('POST', '/api/tokens', { body: { name: 'stored', role: 'viewer' } });
    const secrets: string[] = [minted.body.secret, ...Object.values(t.tokens)];
    const client = rawClient(t.sqlite);
    const rows = client.prepare('select * from api_tokens').all() as Record<string, unknown>[];
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      for (const value of Object.values(row)) {
        for (const secret of secrets) expect(String(value)).not.toContain(secret);
      }
    }
    // nor in the event log that records the minting
    const events = client.prepare('select * from events').all() as Record<string, unknown>[];
    expect(events.some((e) => e.type === 'token.created')).toBe(true);
    const eventText = JSON.stringify(events);
    for (const secret of secrets) expect(eventText).not.toContain(secret);
  });
});

describe('probe tokens', () => {
  beforeEach(async () => {
    expect((await t.call('POST', '/api/vantages', { body: { name: 'svalbard-site' } })).status).toBe(201);
  });

  it('are bound to the agent vantage they name, which every view of the token shows', async () => {
    const res = await t.call('POST', '/api/tokens', { body: { name: 'sval-agent', role: 'probe', vantage: 'svalbard-site' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'sval-agent', role: 'probe', vantage: 'svalbard-site' });
    const listed = (await t.call('GET', '/api/tokens')).body.items;
    expect(listed.find((i: { name: string }) => i.name === 'sval-agent').vantage).toBe('svalbard-site');
    expect(listed.find((i: { name: string }) => i.name === 'test-viewer').vantage).toBeNull();
    expect((await t.call('DELETE', `/api/tokens/${res.body.id}`)).body).toMatchObject({ vantage: 'svalbard-site', revokedAt: expect.any(String) });
  });

  it.each([
    [{ name: 'p', role: 'probe' }, 'a probe token without a vantage'],
    [{ name: 'p', role: 'probe', vantage: 'nowhere' }, 'an unknown vantage'],
    [{ name: 'p', role: 'probe', vantage: 'central' }, 'central'],
    [{ name: 'v', role: 'viewer', vantage: 'svalbard-site' }, 'a vantage on a viewer token'],
    [{ name: 'a', role: 'admin', vantage: 'svalbard-site' }, 'a vantage on an admin token'],
  ])('refuses %j (%s) with 422 naming vantage and mints nothing', async (body, _case) => {
    const before = tableCounts(t.sqlite);
    const res = await t.call('POST', '/api/tokens', { body });
    expectErrorShape(res, 422);
    expect(errorPaths(res)).toEqual(['vantage']);
    expect(tableCounts(t.sqlite)).toEqual(before);
  });

  it('read no inventory and are refused at once when revoked', async () => {
    const minted = await mintToken(t.ctx, { name: 'sval-agent', role: 'probe', vantage: 'svalbard-site' });
    expect((await t.call('GET', '/api/assets', { token: minted.secret })).status).toBe(403);
    expect((await t.call('GET', '/api/checks', { token: minted.secret })).status).toBe(403);
    expect((await t.call('GET', '/api/vantages/svalbard-site/assignment', { token: minted.secret })).status).toBe(200);
    await t.call('DELETE', `/api/tokens/${minted.id}`);
    expect((await t.call('GET', '/api/vantages/svalbard-site/assignment', { token: minted.secret })).status).toBe(401);
  });

  it('are minted by the command line with --vantage, which refuses one without it', async () => {
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COOPWATCH_'))), COOPWATCH_DB: path.join(t.dir, 'coopwatch.db') };
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/hosts/node/cli.ts', 'token', 'create', ...args], { cwd: path.resolve(import.meta.dirname, '../..'), env });
    const { stdout } = await cli('--name', 'sval-cli', '--role', 'probe', '--vantage', 'svalbard-site');
    expect((await t.call('GET', '/api/vantages/svalbard-site/assignment', { token: stdout.trim() })).status).toBe(200);
    await expect(cli('--name', 'no-site', '--role', 'probe')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('vantage: a probe token needs the vantage it speaks for') });
  });
});
