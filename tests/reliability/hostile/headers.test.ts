// Header limits on the real HTTP server (the in-process app.request path has none to show):
// Node refuses a request whose headers pass 16 KiB with 431, and the service keeps answering.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers.js';
import { tally } from '../tally.js';

let t: TestApp;
let server: ReturnType<typeof serve>;
let port: number;

beforeAll(async () => {
  t = await createTestApp();
  server = await new Promise((resolve) => {
    const s = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  t.close();
});

/** Sends raw request bytes and returns the status line of the answer. */
function rawRequest(head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(head));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('end', () => resolve(data.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

describe('header size limits', () => {
  it('answers 431 to oversized headers — one huge header or many — and goes on serving', async () => {
    const huge = `GET /api/assets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.tokens.admin}\r\nX-Pad: ${'a'.repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`;
    expect(await rawRequest(huge)).toMatch(/^HTTP\/1\.1 431/);
    const many = `GET /api/assets HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 2000 }, (_, i) => `X-H${i}: ${'b'.repeat(20)}\r\n`).join('')}Connection: close\r\n\r\n`;
    expect(await rawRequest(many)).toMatch(/^HTTP\/1\.1 431/);
    const res = await fetch(`http://127.0.0.1:${port}/api/assets`, { headers: { authorization: `Bearer ${t.tokens.admin}` } });
    expect(res.status).toBe(200);
    tally('fuzz cases', 2);
  });
});
