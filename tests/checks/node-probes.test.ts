import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpRequest } from '../../checks/types.js';
import { createNodeProbeContext, createNodeProbeRuntime, type NodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { refusedPort, startSilentTcpServer, startTargetServer, startTlsTargetServer, type SilentTcpServer, type TargetServer } from '../support/target-server.js';

let target: TargetServer;
let silent: SilentTcpServer;
let runtime: NodeProbeRuntime;

beforeAll(async () => {
  target = await startTargetServer();
  silent = await startSilentTcpServer();
  runtime = createNodeProbeRuntime();
});
afterAll(async () => {
  await runtime.close();
  await target.close();
  await silent.close();
});
beforeEach(() => {
  target.setMode('healthy');
  target.resetCounters();
});

function get(signal: AbortSignal, overrides: Partial<HttpRequest> = {}): HttpRequest {
  return { url: target.url, method: 'GET', headers: {}, maxRedirects: 0, maxBodyBytes: 65_536, signal, ...overrides };
}

/** Runs `operation` with a signal that aborts after `ms`; resolves with how long it took to settle. */
async function settleTime(ms: number, operation: (signal: AbortSignal) => Promise<unknown>) {
  const started = performance.now();
  const outcome: { value?: unknown; error?: unknown } = await operation(AbortSignal.timeout(ms)).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  return { ...outcome, elapsed: performance.now() - started };
}

describe('node probe context: http', () => {
  it('returns status, lower-cased headers and the body', async () => {
    const ctx = runtime.context(AbortSignal.timeout(2_000));
    const response = await ctx.http(get(ctx.signal, { headers: { 'X-Anything': '1' } }));
    expect(response).toEqual({ status: 200, headers: expect.objectContaining({ 'content-type': 'application/json' }), body: '{"state":"nominal"}', bodyTruncated: false });
    expect(Object.keys(response.headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('reuses keep-alive connections', async () => {
    const fresh = createNodeProbeRuntime();
    try {
      const ctx = fresh.context(AbortSignal.timeout(2_000));
      for (let i = 0; i < 20; i++) await ctx.http(get(ctx.signal));
      expect(target.requests).toBe(20);
      // undici may open a second socket while the first is being released, never one per request.
      expect(target.connections).toBeLessThanOrEqual(2);
    } finally {
      await fresh.close();
    }
  });

  it('caps a huge body at maxBodyBytes and drops the connection instead of draining it', async () => {
    target.setMode('huge-body', { hugeBodyBytes: 1024 * 1024 * 1024 });
    const { value, elapsed } = await settleTime(5_000, (signal) => runtime.context(signal).http(get(signal, { maxBodyBytes: 10_000 })));
    expect(value).toMatchObject({ status: 200, bodyTruncated: true });
    expect((value as { body: string }).body).toHaveLength(10_000);
    expect(elapsed).toBeLessThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(target.bodyBytesSent).toBeLessThan(64 * 1024 * 1024);
  });

  it('reads nothing when maxBodyBytes is 0 but still says there was a body', async () => {
    const ctx = runtime.context(AbortSignal.timeout(2_000));
    expect(await ctx.http(get(ctx.signal, { maxBodyBytes: 0 }))).toMatchObject({ status: 200, body: '', bodyTruncated: true });
  });

  it('gives up on a slow-drip body when the signal aborts', async () => {
    target.setMode('slow-drip');
    const { error, elapsed } = await settleTime(700, (signal) => runtime.context(signal).http(get(signal)));
    expect(error).toBeDefined();
    expect(elapsed).toBeLessThan(900);
  });

  it('gives up on a black hole when the signal aborts', async () => {
    target.setMode('black-hole');
    const { error, elapsed } = await settleTime(300, (signal) => runtime.context(signal).http(get(signal)));
    expect((error as Error).name).toBe('TimeoutError');
    expect(elapsed).toBeLessThan(500);
  });

  it('gives up on every request sharing a signal when it aborts (a launch batch), and leaves those already answered answered', async () => {
    const controller = new AbortController();
    const ctx = runtime.context(controller.signal);
    const answered = await ctx.http(get(ctx.signal));
    target.setMode('black-hole');
    const hanging = Array.from({ length: 5 }, () => ctx.http(get(ctx.signal)).then(() => 'answered', (error: Error) => error.message));
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort(new Error('batch timed out'));
    expect(await Promise.all(hanging)).toEqual(Array(5).fill('batch timed out'));
    expect(answered.status).toBe(200);
    // The same context goes on working for a request made after a new signal.
    target.setMode('healthy');
    const next = runtime.context(AbortSignal.timeout(2_000));
    expect((await next.http(get(next.signal))).status).toBe(200);
  });

  it('follows redirects up to maxRedirects and reports the 3xx beyond that', async () => {
    target.setMode('redirect', { redirectHops: 2 });
    const ctx = runtime.context(AbortSignal.timeout(2_000));
    expect(await ctx.http(get(ctx.signal))).toMatchObject({ status: 302, headers: { location: '/hop/1' } });
    expect(await ctx.http(get(ctx.signal, { maxRedirects: 1 }))).toMatchObject({ status: 302, headers: { location: '/elsewhere' } });
    expect(await ctx.http(get(ctx.signal, { maxRedirects: 2 }))).toMatchObject({ status: 200, body: '{"state":"nominal","redirected":true}' });
  });

  it('rejects at once when the signal has already aborted', async () => {
    const signal = AbortSignal.abort();
    const ctx = runtime.context(signal);
    await expect(ctx.http(get(signal))).rejects.toThrow();
    await expect(ctx.tcpConnect('127.0.0.1', target.port, signal)).rejects.toThrow();
    await expect(ctx.tlsCertificate('127.0.0.1', target.port, 'localhost', signal)).rejects.toThrow();
    await expect(ctx.dnsResolve({ name: 'example.test', type: 'A', resolver: '127.0.0.1:9', signal })).rejects.toThrow();
    await expect(ctx.sleep(1_000, signal)).rejects.toThrow();
  });
});

describe('node probe context: sockets, sleep', () => {
  it('measures a TCP connect and reports a refused port', async () => {
    const ctx = createNodeProbeContext(AbortSignal.timeout(2_000));
    const connectMs = await ctx.tcpConnect('127.0.0.1', target.port, ctx.signal);
    expect(connectMs).toBeGreaterThan(0);
    expect(connectMs).toBeLessThan(100);
    await expect(ctx.tcpConnect('127.0.0.1', await refusedPort(), ctx.signal)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('gives up on a TLS handshake that never comes when the signal aborts', async () => {
    const { error, elapsed } = await settleTime(300, (signal) => runtime.context(signal).tlsCertificate(silent.host, silent.port, 'localhost', signal));
    expect((error as Error).name).toBe('TimeoutError');
    expect(elapsed).toBeLessThan(500);
  });

  it('reports the certificate, and why it is not trusted', async () => {
    const tlsTarget = await startTlsTargetServer({ daysValid: 30 });
    try {
      const ctx = runtime.context(AbortSignal.timeout(2_000));
      const info = await ctx.tlsCertificate(tlsTarget.host, tlsTarget.port, 'localhost', ctx.signal);
      expect(info.authorized).toBe(false);
      expect(info.authorizationError).toMatch(/cannot be verified/);
      expect(Math.abs(info.validTo - tlsTarget.validTo.getTime())).toBeLessThan(1_000);
      expect(info.subject).toContain('CN=localhost');
      expect(info.issuer).toContain('CN=coopwatch test CA');

      const trusting = createNodeProbeRuntime({ extraCaCertificates: [tlsTarget.caCertificate] });
      const trusted = await trusting.context(ctx.signal).tlsCertificate(tlsTarget.host, tlsTarget.port, '127.0.0.1', ctx.signal);
      expect(trusted).toMatchObject({ authorized: true, authorizationError: null });
      await trusting.close();
    } finally {
      await tlsTarget.close();
    }
  });

  it('sleeps, and wakes early with a rejection when the signal aborts', async () => {
    const ctx = runtime.context(AbortSignal.timeout(2_000));
    const started = performance.now();
    await ctx.sleep(50, ctx.signal);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    const { error, elapsed } = await settleTime(50, (signal) => runtime.context(signal).sleep(5_000, signal));
    expect((error as Error).name).toBe('TimeoutError');
    expect(elapsed).toBeLessThan(200);
  });
});
