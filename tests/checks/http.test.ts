import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../checks/http.js';
import { httpSettingsSchema } from '../../src/core/domain/checks.js';
import { createNodeProbeRuntime, type NodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { refusedPort, startTargetServer, startTlsTargetServer, type TargetServer, type TlsTargetServer } from '../support/target-server.js';

let target: TargetServer;
let tlsTarget: TlsTargetServer;
let runtime: NodeProbeRuntime;

beforeAll(async () => {
  target = await startTargetServer();
  tlsTarget = await startTlsTargetServer({ daysValid: 90 });
  runtime = createNodeProbeRuntime({ extraCaCertificates: [tlsTarget.caCertificate] });
});
afterAll(async () => {
  await runtime.close();
  await target.close();
  await tlsTarget.close();
});
beforeEach(() => target.setMode('healthy'));

function probe(settings: Record<string, unknown>, timeoutMs = 2_000) {
  return run(httpSettingsSchema.parse({ url: target.url, ...settings }), runtime.context(AbortSignal.timeout(timeoutMs)));
}

describe('http probe', () => {
  it('is up on a healthy 2xx target', async () => {
    const observation = await probe({});
    expect(observation).toMatchObject({ status: 'up', message: null });
    expect(observation.latencyMs).toBeGreaterThan(0);
  });

  it('is down on a 503 with the status in words', async () => {
    target.setMode('failing');
    expect(await probe({})).toMatchObject({ status: 'down', message: 'status 503, expected 2xx' });
    expect(await probe({ expectStatus: 200 })).toMatchObject({ status: 'down', message: 'status 503, expected 200' });
    expect(await probe({ expectStatus: [200, 204] })).toMatchObject({ message: 'status 503, expected one of 200, 204' });
  });

  it('honours expectStatus, then [STATUS] conditions, before the 2xx default', async () => {
    target.setMode('failing');
    expect(await probe({ expectStatus: 503 })).toMatchObject({ status: 'up' });
    expect(await probe({ conditions: ['[STATUS] == 503'] })).toMatchObject({ status: 'up' });
    expect(await probe({ conditions: ['[STATUS] < 500'] })).toMatchObject({ status: 'down', message: '[STATUS] is 503, expected < 500' });
  });

  it('checks body conditions: a degraded body is down with the reason', async () => {
    const conditions = ['[STATUS] == 200', '$.state == "nominal"', '[HEADER].content-type == application/json', '[RESPONSE_TIME] < 1000'];
    expect(await probe({ conditions })).toMatchObject({ status: 'up' });
    target.setMode('degraded-body');
    expect(await probe({ conditions })).toMatchObject({ status: 'down', message: '$.state is "degraded", expected "nominal"' });
  });

  it('reports an invalid condition as down rather than throwing', async () => {
    expect(await probe({ conditions: ['[STATUS] === 200'] })).toMatchObject({ status: 'down', message: expect.stringMatching(/invalid condition/) });
  });

  it('is degraded when slower than the latency budget but otherwise fine', async () => {
    target.setMode('slow', { delayMs: 150 });
    const observation = await probe({ latencyBudgetMs: 50, conditions: ['$.state == nominal'] });
    expect(observation.status).toBe('degraded');
    expect(observation.message).toMatch(/^response time 1\d\d ms over budget 50 ms$/);
    expect(await probe({ latencyBudgetMs: 1_000 })).toMatchObject({ status: 'up' });
  });

  it('is down, not degraded, when slow and failing a condition', async () => {
    target.setMode('slow', { delayMs: 100 });
    expect(await probe({ latencyBudgetMs: 10, conditions: ['[RESPONSE_TIME] < 50'] })).toMatchObject({ status: 'down', message: expect.stringMatching(/^\[RESPONSE_TIME\] is \d+ ms, expected < 50 ms$/) });
  });

  it('times out on a black hole within timeout + 200 ms', async () => {
    target.setMode('black-hole');
    const started = performance.now();
    const observation = await probe({}, 500);
    const elapsed = performance.now() - started;
    expect(observation).toMatchObject({ status: 'down', latencyMs: null, message: expect.stringMatching(/^timed out after 5\d\d ms$/) });
    expect(elapsed).toBeLessThan(700);
  });

  it('is down with "connection refused" on a closed port', async () => {
    const port = await refusedPort();
    expect(await probe({ url: `http://127.0.0.1:${port}/` })).toMatchObject({ status: 'down', message: 'connection refused' });
  });

  it('is down when the target resets the connection', async () => {
    target.setMode('reset');
    const observation = await probe({});
    expect(observation.status).toBe('down');
    expect(observation.message).toMatch(/^connection (reset|closed) by the target$/);
  });

  it('does not hang on a huge body and reads only up to the cap', async () => {
    target.setMode('huge-body', { hugeBodyBytes: 512 * 1024 * 1024 });
    const started = performance.now();
    const observation = await probe({ maxBodyBytes: 4096, conditions: ['[BODY] contains xxxx'] });
    expect(observation.status).toBe('up');
    expect(performance.now() - started).toBeLessThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The connection was dropped, so the target stopped after filling the socket buffers.
    expect(target.bodyBytesSent).toBeLessThan(64 * 1024 * 1024);
  });

  it('does not hang on a slow-drip body: a JSON condition on it fails at the timeout', async () => {
    target.setMode('slow-drip');
    const started = performance.now();
    const observation = await probe({ conditions: ['$.state == nominal'] }, 800);
    expect(observation).toMatchObject({ status: 'down', message: expect.stringMatching(/^timed out after \d+ ms$/) });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('reports a redirect as it is when maxRedirects is 0, and follows it otherwise', async () => {
    target.setMode('redirect');
    expect(await probe({})).toMatchObject({ status: 'down', message: 'status 302, expected 2xx (redirect to /elsewhere not followed)' });
    expect(await probe({ expectStatus: 302 })).toMatchObject({ status: 'up' });
    expect(await probe({ maxRedirects: 1, conditions: ['$.redirected == true'] })).toMatchObject({ status: 'up' });

    target.setMode('redirect', { redirectHops: 3 });
    expect(await probe({ maxRedirects: 2 })).toMatchObject({ status: 'down', message: 'status 302, expected 2xx (redirect to /elsewhere not followed)' });
    expect(await probe({ maxRedirects: 3 })).toMatchObject({ status: 'up' });
  });

  it('sends method, headers and body', async () => {
    const observation = await probe({ method: 'POST', headers: { 'X-Check': 'yes' }, body: '{"ping":1}', expectStatus: 200 });
    expect(observation.status).toBe('up');
  });

  it('checks HTTPS targets against trusted CAs', async () => {
    const url = `https://localhost:${tlsTarget.port}/`;
    expect(await probe({ url, conditions: ['[BODY] == ok'] })).toMatchObject({ status: 'up' });
    const untrusting = createNodeProbeRuntime();
    try {
      const observation = await run(httpSettingsSchema.parse({ url }), untrusting.context(AbortSignal.timeout(2_000)));
      expect(observation).toMatchObject({ status: 'down', message: 'certificate cannot be verified (untrusted issuer or missing intermediate)' });
    } finally {
      await untrusting.close();
    }
  });
});
