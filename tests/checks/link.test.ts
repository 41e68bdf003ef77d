import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run, summariseRoundTrips, type LinkSla } from '../../checks/link.js';
import { linkSettingsSchema } from '../../src/core/domain/checks.js';
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
beforeEach(() => target.setMode('healthy'));

const NO_SLA: LinkSla = { latencyMs: null, jitterMs: null, lossPct: null };

/** Runs the link probe the way the scheduler will: ctx.signal enforces timeoutMs. */
async function probe(settings: Record<string, unknown>, sla: LinkSla = NO_SLA, timeoutMs = 3_000) {
  const signal = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  const observation = await run({ ...linkSettingsSchema.parse(settings), sla, timeoutMs }, runtime.context(signal));
  return { observation, elapsed: performance.now() - started, signalFired: signal.aborted };
}

describe('link probe', () => {
  it('is up over TCP with latency, jitter and no loss', async () => {
    const { observation } = await probe({ host: '127.0.0.1', port: target.port, probes: 5, spacingMs: 5 }, { latencyMs: 50, jitterMs: 50, lossPct: 1 });
    expect(observation).toMatchObject({ status: 'up', message: null, metrics: { lossPct: 0 } });
    expect(observation.metrics?.['latencyMs']).toBeLessThan(50);
    expect(observation.metrics?.['jitterMs']).toBeGreaterThanOrEqual(0);
    expect(observation.latencyMs).toBe(observation.metrics?.['latencyMs']);
  });

  it('is down when every probe fails', async () => {
    const port = await refusedPort();
    const { observation } = await probe({ host: '127.0.0.1', port, probes: 3, spacingMs: 0 });
    expect(observation).toEqual({ status: 'down', latencyMs: null, message: 'all 3 probes failed: connection refused', metrics: { lossPct: 100 } });
  });

  it('measures jitter over HTTP against a target whose latency alternates, and is degraded past the SLA', async () => {
    target.setMode('slow', { delayMs: [20, 80] });
    const { observation } = await probe({ url: target.url, probes: 4, spacingMs: 10 }, { latencyMs: 200, jitterMs: 5, lossPct: 0 });
    const latency = observation.metrics!['latencyMs']!;
    const jitter = observation.metrics!['jitterMs']!;
    // RTTs near 20, 80, 20, 80 ms: mean ~50, successive differences ~60. A busy machine makes the
    // short ones late, which narrows the differences: the bounds are loose, a steady target's
    // jitter is a few ms.
    expect(latency).toBeGreaterThanOrEqual(48);
    expect(latency).toBeLessThan(110);
    expect(jitter).toBeGreaterThanOrEqual(30);
    expect(jitter).toBeLessThan(100);
    expect(observation).toMatchObject({ status: 'degraded', message: `jitter ${jitter} ms > SLA 5 ms`, metrics: { lossPct: 0 } });
  });

  it('names every SLA figure exceeded', async () => {
    target.setMode('slow', { delayMs: [30, 60] });
    const { observation } = await probe({ url: target.url, probes: 2, spacingMs: 0 }, { latencyMs: 10, jitterMs: 5, lossPct: null });
    expect(observation.status).toBe('degraded');
    expect(observation.message).toMatch(/^latency \d+(\.\d)? ms > SLA 10 ms; jitter \d+(\.\d)? ms > SLA 5 ms$/);
  });

  it('counts probes that outlast their share of the time as lost, and still finishes before the check timeout', async () => {
    // Every other request takes a second; the run has 800 ms, so those probes time out.
    target.setMode('slow', { delayMs: [5, 1_000] });
    const { observation, elapsed, signalFired } = await probe({ url: target.url, probes: 4, spacingMs: 0, downLossPct: 75 }, { latencyMs: null, jitterMs: null, lossPct: 10 }, 800);
    expect(observation).toMatchObject({ status: 'degraded', message: 'loss 50% > SLA 10%', metrics: { lossPct: 50 } });
    expect(elapsed).toBeLessThan(800);
    expect(signalFired).toBe(false);
  });

  it('is down when loss reaches downLossPct', async () => {
    target.setMode('slow', { delayMs: [5, 1_000] });
    const { observation } = await probe({ url: target.url, probes: 4, spacingMs: 0, downLossPct: 50 }, NO_SLA, 800);
    expect(observation.status).toBe('down');
    expect(observation.message).toMatch(/^loss 50% \(2 of 4 probes failed, last: timed out after \d+ ms\) at or over the 50% down threshold$/);
    expect(observation.metrics).toMatchObject({ lossPct: 50 });
  });

  it('finishes inside the check timeout against a black hole', async () => {
    target.setMode('black-hole');
    const { observation, elapsed, signalFired } = await probe({ url: target.url, probes: 3, spacingMs: 50 }, NO_SLA, 600);
    expect(observation).toMatchObject({ status: 'down', metrics: { lossPct: 100 } });
    expect(observation.message).toMatch(/^all 3 probes failed: timed out after \d+ ms$/);
    // Each probe's wait is budgeted from what is left of the check's timeout: unbudgeted, three
    // probes would take 3 × 600 ms. The margin over 600 ms is for timers that fire late on a
    // loaded machine, not for the probe.
    expect(elapsed).toBeLessThan(1_000);
    expect(signalFired).toBe(false);
  });

  it('reads at most 1 KiB per HTTP probe, so a huge body does not slow it', async () => {
    target.setMode('huge-body', { hugeBodyBytes: 256 * 1024 * 1024 });
    const { observation, elapsed } = await probe({ url: target.url, probes: 3, spacingMs: 0 });
    expect(observation).toMatchObject({ status: 'up', metrics: { lossPct: 0 } });
    expect(elapsed).toBeLessThan(1_000);
  });
});

describe('summariseRoundTrips', () => {
  it('gives mean RTT, mean absolute successive difference and loss', () => {
    expect(summariseRoundTrips([10, 20, 10], 4)).toEqual({ latencyMs: 13.3, jitterMs: 10, lossPct: 25 });
    expect(summariseRoundTrips([12], 2)).toEqual({ latencyMs: 12, jitterMs: 0, lossPct: 50 });
    expect(summariseRoundTrips([], 5)).toEqual({ latencyMs: null, jitterMs: null, lossPct: 100 });
  });
});
