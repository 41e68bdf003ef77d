// The Node host's client-address port over real sockets: failed attempts are counted by the
// socket's peer, and by X-Forwarded-For's last entry only when the operator trusts a proxy.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/app.js';
import { nodeClientAddress } from '../../../src/hosts/node/client-address.js';
import { createTestApp, type TestApp } from '../../helpers.js';

const MAX_FAILURES = 3;
let t: TestApp | undefined;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  t?.close();
  close = undefined;
  t = undefined;
});

/** A Node server for a fresh database; `attempt` sends a bearer token with the given headers. */
async function serveWith(trustForwardedFor: boolean) {
  t = await createTestApp();
  const db = t.sqlite.db;
  const app = createApp({ database: () => db, failedAttempts: { maxFailures: MAX_FAILURES, windowMs: 60_000 }, clientAddress: nodeClientAddress({ trustForwardedFor }) });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  close = () => new Promise((resolve) => server.close(() => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const attempt = async (token: string, headers: Record<string, string> = {}) =>
    (await fetch(`${base}/api/assets`, { headers: { authorization: `Bearer ${token}`, ...headers } })).status;
  return { attempt, tokens: t.tokens };
}

describe('client address on the Node host', () => {
  it('counts by the socket: headers a client sets do not get it out of a lockout', async () => {
    const { attempt, tokens } = await serveWith(false);
    for (let i = 0; i < MAX_FAILURES; i++) expect(await attempt(`cw_wrong${i}wrongwrongwrongwrong`, { 'x-forwarded-for': `192.0.2.${i}` })).toBe(401);
    expect(await attempt(tokens.viewer)).toBe(429);
    expect(await attempt(tokens.viewer, { 'x-forwarded-for': '198.51.100.1' })).toBe(429);
    expect(await attempt(tokens.viewer, { 'cf-connecting-ip': '198.51.100.1' })).toBe(429);
  });

  it('behind a trusted proxy, counts by the last X-Forwarded-For entry', async () => {
    const { attempt, tokens } = await serveWith(true);
    for (let i = 0; i < MAX_FAILURES; i++) expect(await attempt(`cw_wrong${i}wrongwrongwrongwrong`, { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.5` })).toBe(401);
    expect(await attempt(tokens.viewer, { 'x-forwarded-for': '203.0.113.5' })).toBe(429);
    expect(await attempt(tokens.viewer, { 'x-forwarded-for': '203.0.113.5, 192.0.2.77' })).toBe(200);
    // without the header, the socket's address (loopback) has no failures
    expect(await attempt(tokens.viewer)).toBe(200);
  });
});
