// The live stream with a bearer token (wall screens and scripts), through app.request on the real
// app: the token's events arrive as they do for a signed-in browser; a wrong, revoked or missing
// credential is refused with 401.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStreamCount } from '../../src/http/pages/stream.js';
import { createTestApp, ok, waitFor, type TestApp } from '../helpers.js';

/** Reads the stream until `done` holds for what has arrived, then hangs up. */
async function readUntil(res: Response, done: (text: string) => boolean): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    const deadline = Date.now() + 5_000;
    while (!done(text)) {
      if (Date.now() > deadline) throw new Error(`stream timed out; got: ${text}`);
      const { value, done: ended } = await reader.read();
      if (ended) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel();
  }
  return text;
}

describe('GET /events/stream with a bearer token', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it('streams events to a viewer token, from ?after= on', async () => {
    await ok(t.call('POST', '/api/assets', { body: { key: 'gs-wall', kind: 'ground_station', name: 'Wall' } }), 201);
    const res = await t.app.request('/events/stream?after=0', { headers: { authorization: `Bearer ${t.tokens.viewer}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await readUntil(res, (seen) => seen.includes('gs-wall'));
    expect(text).toMatch(/^retry: \d+/);
    expect(text).toContain('event: asset.created');
    await waitFor('streams closed', () => openStreamCount() === 0, 3_000);
  });

  it('answers a token of every role', async () => {
    for (const role of ['viewer', 'officer', 'planner', 'admin'] as const) {
      const controller = new AbortController();
      const res = await t.app.request('/events/stream', { headers: { authorization: `bearer ${t.tokens[role]}` }, signal: controller.signal });
      expect(res.status, role).toBe(200);
      expect(await readUntil(res, (seen) => seen.startsWith('retry:'))).toMatch(/^retry:/);
      controller.abort();
    }
  });

  it('refuses a wrong, malformed or revoked token, and no credential at all, with 401', async () => {
    const minted = await ok(t.call('POST', '/api/tokens', { body: { name: 'wall-screen', role: 'viewer' } }), 201);
    const stream = (authorization?: string) => t.app.request('/events/stream', { headers: authorization ? { authorization } : {} });
    const first = await stream(`Bearer ${minted.secret}`);
    expect(first.status).toBe(200);
    await first.body!.cancel();
    await ok(t.call('DELETE', `/api/tokens/${minted.id}`));
    for (const authorization of [`Bearer ${minted.secret}`, 'Bearer wrong-token-0000000000', 'Basic dXNlcjpwYXNz', undefined]) {
      const res = await stream(authorization);
      expect(res.status, String(authorization)).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    }
  });
});
