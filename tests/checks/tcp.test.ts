import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../checks/tcp.js';
import type { ProbeContext } from '../../checks/types.js';
import { tcpSettingsSchema } from '../../src/core/domain/checks.js';
import { createNodeProbeRuntime, type NodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { refusedPort, startTargetServer, type TargetServer } from '../support/target-server.js';

let target: TargetServer;
let runtime: NodeProbeRuntime;

beforeAll(async () => {
  target = await startTargetServer();
  runtime = createNodeProbeRuntime();
});
afterAll(async () => {
  await runtime.close();
  await target.close();
});

/**
 * Loopback connects take well under a millisecond, so a long path is simulated by waiting
 * before the real connect (the wait counts towards the connect time, as distance would).
 */
function overLongPath(ctx: ProbeContext, extraMs: number): ProbeContext {
  return {
    ...ctx,
    async tcpConnect(host, port, signal) {
      await ctx.sleep(extraMs, signal);
      return extraMs + (await ctx.tcpConnect(host, port, signal));
    },
  };
}

describe('tcp probe', () => {
  it('is up with the connect time', async () => {
    const observation = await run(tcpSettingsSchema.parse({ host: '127.0.0.1', port: target.port }), runtime.context(AbortSignal.timeout(2_000)));
    expect(observation).toMatchObject({ status: 'up', message: null });
    expect(observation.latencyMs).toBeGreaterThanOrEqual(0);
    expect(observation.latencyMs).toBeLessThan(100);
  });

  it('is down with "connection refused" on a closed port', async () => {
    const port = await refusedPort();
    expect(await run(tcpSettingsSchema.parse({ host: '127.0.0.1', port }), runtime.context(AbortSignal.timeout(2_000)))).toEqual({ status: 'down', latencyMs: null, message: 'connection refused' });
  });

  it('is down when the host name does not resolve', async () => {
    const observation = await run(tcpSettingsSchema.parse({ host: 'no-such-station.invalid', port: 80 }), runtime.context(AbortSignal.timeout(3_000)));
    expect(observation.status).toBe('down');
    expect(observation.message).toMatch(/host name not found|host name lookup failed|timed out/);
  });

  it('is degraded when connecting takes longer than the budget', async () => {
    const ctx = overLongPath(runtime.context(AbortSignal.timeout(2_000)), 40);
    const observation = await run(tcpSettingsSchema.parse({ host: '127.0.0.1', port: target.port, latencyBudgetMs: 20 }), ctx);
    expect(observation.status).toBe('degraded');
    expect(observation.message).toMatch(/^connect time 4\d ms over budget 20 ms$/);
  });

  it('is down with "timed out" when the connect outlasts the check timeout', async () => {
    const ctx = overLongPath(runtime.context(AbortSignal.timeout(100)), 5_000);
    const started = performance.now();
    const observation = await run(tcpSettingsSchema.parse({ host: '127.0.0.1', port: target.port }), ctx);
    expect(observation).toMatchObject({ status: 'down', message: expect.stringMatching(/^timed out after 1\d\d ms$/) });
    expect(performance.now() - started).toBeLessThan(300);
  });
});
