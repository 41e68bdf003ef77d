import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDemoFleet, type DemoAsset, type DemoFleet } from '../../src/hosts/node/demo/fleet.js';
import { DEGRADED_LATENCY_MS, MAX_HEALTHY_LATENCY_MS, downBehaviour, healthLatencyMs, linkEchoMs } from '../../src/hosts/node/demo/latency.js';

const FAILOVER_DELAY_MS = 300;
const sla = { latencyMs: 10, jitterMs: 2, lossPct: 0.5 };

// One ground station of each down behaviour, found through the same rule the fleet uses.
const candidateStations = ['jaxa-usuda', 'jaxa-katsuura', 'jaxa-okinawa', 'ksat-svalsat', 'ksat-tromso', 'fairbanks', 'mcmurdo', 'nasa-wallops'];
const resettingStation = candidateStations.find((key) => downBehaviour(key, 'ground_station') === 'reset')!;
const unavailableStation = candidateStations.find((key) => downBehaviour(key, 'ground_station') === 'unavailable')!;

const assets: DemoAsset[] = [
  { key: 'aws-ap-northeast-1', kind: 'cloud_region', lat: 35.69, lon: 139.69 },
  { key: 'aws-ap-northeast-3', kind: 'cloud_region', lat: 34.67, lon: 135.5 },
  { key: resettingStation, kind: 'ground_station', lat: 36.13, lon: 138.36 },
  { key: unavailableStation, kind: 'ground_station', lat: 35.21, lon: 140.3 },
  { key: 'link-usuda-tsukuba', kind: 'network_link', sla },
];

async function timed(url: string, init?: RequestInit): Promise<{ status: number; body: any; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, init);
  const text = await response.text();
  const ms = performance.now() - started;
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text body
  }
  return { status: response.status, body, ms };
}

const post = (url: string, body: string): Promise<{ status: number; body: any; ms: number }> =>
  timed(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('demo fleet timing models', () => {
  it('answers faster from cloud regions than from ground stations, and within the snappy cap', () => {
    const mid = () => 0.5;
    expect(healthLatencyMs('cloud_region', 35, 'healthy', mid)).toBeLessThan(healthLatencyMs('ground_station', 35, 'healthy', mid));
    expect(healthLatencyMs('ground_station', 78.2, 'healthy', mid)).toBeGreaterThan(healthLatencyMs('ground_station', 35, 'healthy', mid));
    for (const kind of ['cloud_region', 'ground_station', 'network_link', 'mission_ops_center', 'power_feed', 'unknown']) {
      expect(healthLatencyMs(kind, -77.8, 'healthy', () => 1)).toBeLessThanOrEqual(MAX_HEALTHY_LATENCY_MS);
    }
    expect(healthLatencyMs('cloud_region', null, 'degraded', () => 0)).toBe(DEGRADED_LATENCY_MS.min);
    expect(healthLatencyMs('cloud_region', null, 'degraded', () => 1)).toBe(DEGRADED_LATENCY_MS.max);
  });

  it('keeps a healthy link inside its SLA and pushes a degraded one past it with ~10 % loss', () => {
    const healthy = Array.from({ length: 2000 }, () => linkEchoMs(sla, 'healthy', Math.random));
    expect(healthy.every((ms) => ms !== null && ms < sla.latencyMs)).toBe(true);
    expect(meanConsecutiveDifference(healthy as number[])).toBeLessThan(sla.jitterMs);

    const degraded = Array.from({ length: 4000 }, () => linkEchoMs(sla, 'degraded', Math.random));
    const answered = degraded.filter((ms): ms is number => ms !== null);
    const loss = 1 - answered.length / degraded.length;
    expect(loss).toBeGreaterThan(0.07);
    expect(loss).toBeLessThan(0.13);
    expect(answered.reduce((a, b) => a + b, 0) / answered.length).toBeGreaterThan(sla.latencyMs);
    expect(meanConsecutiveDifference(answered)).toBeGreaterThan(sla.jitterMs);

    expect(linkEchoMs(sla, 'down', Math.random)).toBeNull();
  });
});

describe('demo fleet server', () => {
  let fleet: DemoFleet;

  beforeAll(async () => {
    fleet = await startDemoFleet({
      assets,
      failover: [
        { functionKey: 'missile-warning-relay', primaryAssetKey: 'aws-ap-northeast-1', alternateAssetKey: 'aws-ap-northeast-3', delayMs: FAILOVER_DELAY_MS },
      ],
    });
    await timed(`${fleet.url}/control/assets`); // warm up fetch and the first connection
  });
  afterEach(() => {
    for (const key of Object.keys(fleet.faults())) fleet.setFault(key, 'healthy');
  });
  afterAll(() => fleet.close());

  it('listens on loopback at an ephemeral port', () => {
    expect(fleet.port).toBeGreaterThan(0);
    expect(fleet.url).toBe(`http://127.0.0.1:${fleet.port}`);
  });

  it('answers health nominal and fast when healthy', async () => {
    for (const asset of assets) {
      const { status, body, ms } = await timed(`${fleet.url}/assets/${asset.key}/health`);
      expect(status).toBe(200);
      expect(body).toEqual({ asset: asset.key, state: 'nominal' });
      // Loose bound for busy CI machines; the latency model itself is checked above.
      expect(ms).toBeLessThan(DEGRADED_LATENCY_MS.min / 2);
    }
  });

  it('answers health degraded after 400–900 ms when degraded', async () => {
    fleet.setFault('aws-ap-northeast-1', 'degraded');
    const { status, body, ms } = await timed(`${fleet.url}/assets/aws-ap-northeast-1/health`);
    expect(status).toBe(200);
    expect(body).toEqual({ asset: 'aws-ap-northeast-1', state: 'degraded' });
    expect(ms).toBeGreaterThanOrEqual(DEGRADED_LATENCY_MS.min - 2);
    expect(ms).toBeLessThan(DEGRADED_LATENCY_MS.max + 150);
  });

  it('answers 503 when down, or resets the connection for some ground stations', async () => {
    fleet.setFault('aws-ap-northeast-1', 'down');
    fleet.setFault(unavailableStation, 'down');
    fleet.setFault(resettingStation, 'down');
    const cloud = await timed(`${fleet.url}/assets/aws-ap-northeast-1/health`);
    expect(cloud.status).toBe(503);
    expect(cloud.body).toMatchObject({ state: 'down' });
    expect((await timed(`${fleet.url}/assets/${unavailableStation}/health`)).status).toBe(503);
    await expect(fetch(`${fleet.url}/assets/${resettingStation}/health`)).rejects.toThrow();
  });

  it('answers 404 for an unknown asset, function or path', async () => {
    expect((await timed(`${fleet.url}/assets/no-such-asset/health`)).status).toBe(404);
    expect((await timed(`${fleet.url}/links/aws-ap-northeast-1/echo`)).status).toBe(404);
    expect((await timed(`${fleet.url}/functions/no-such-function/health`)).status).toBe(404);
    expect((await timed(`${fleet.url}/nowhere`)).status).toBe(404);
    expect((await timed(`${fleet.url}/assets/aws-ap-northeast-1/health`, { method: 'DELETE' })).status).toBe(405);
  });

  it('echoes over a healthy link within SLA and loses every probe when the link is down', async () => {
    const healthy = await timed(`${fleet.url}/links/link-usuda-tsukuba/echo`);
    expect(healthy.status).toBe(200);
    expect(healthy.body).toBe('pong');
    expect(healthy.ms).toBeLessThan(DEGRADED_LATENCY_MS.min / 2);

    fleet.setFault('link-usuda-tsukuba', 'down');
    for (let i = 0; i < 3; i++) await expect(fetch(`${fleet.url}/links/link-usuda-tsukuba/echo`)).rejects.toThrow();
  });

  it('passes a ground-station contact unless the station is down', async () => {
    const contact = `${fleet.url}/assets/${unavailableStation}/contact`;
    expect(await timed(contact)).toMatchObject({ status: 200, body: { contact: 'PASS' } });
    fleet.setFault(unavailableStation, 'down');
    expect((await timed(contact)).status).toBe(503);
    expect((await timed(`${fleet.url}/assets/aws-ap-northeast-1/contact`)).status).toBe(404);
  });

  it('sets, lists and resets faults through the control API', async () => {
    const set = await post(`${fleet.url}/control/assets/link-usuda-tsukuba/fault`, '{"mode":"degraded"}');
    expect(set).toMatchObject({ status: 200, body: { key: 'link-usuda-tsukuba', mode: 'degraded' } });
    expect(fleet.faults()['link-usuda-tsukuba']).toBe('degraded');

    fleet.setFault(unavailableStation, 'down');
    const listed = await timed(`${fleet.url}/control/assets`);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ 'link-usuda-tsukuba': 'degraded', [unavailableStation]: 'down', 'aws-ap-northeast-1': 'healthy' });
    expect(Object.keys(listed.body)).toHaveLength(assets.length);

    const reset = await post(`${fleet.url}/control/reset`, '');
    expect(reset.status).toBe(200);
    expect(Object.values(reset.body).every((mode) => mode === 'healthy')).toBe(true);
    expect(Object.values(fleet.faults()).every((mode) => mode === 'healthy')).toBe(true);
  });

  it('rejects bad control requests', async () => {
    const fault = `${fleet.url}/control/assets/aws-ap-northeast-1/fault`;
    expect((await post(fault, 'not json')).status).toBe(400);
    expect((await post(fault, '{"mode":"exploded"}')).status).toBe(400);
    expect((await post(fault, '{}')).status).toBe(400);
    expect((await post(fault, 'null')).status).toBe(400);
    expect((await post(`${fleet.url}/control/assets/no-such-asset/fault`, '{"mode":"down"}')).status).toBe(404);
    expect((await timed(fault)).status).toBe(405);
    expect(fleet.faults()['aws-ap-northeast-1']).toBe('healthy');
    expect(() => fleet.setFault('no-such-asset', 'down')).toThrow(/unknown asset/);
  });

  it('fails a function over to the alternate after the delay, losing traffic meanwhile, and moves back on restore', async () => {
    const health = `${fleet.url}/functions/missile-warning-relay/health`;
    const active = `${fleet.url}/functions/missile-warning-relay/active`;
    expect(await timed(health)).toMatchObject({ status: 200, body: { state: 'nominal', servedBy: 'aws-ap-northeast-1' } });
    const before = (await timed(active)).body;
    expect(before.active).toBe('aws-ap-northeast-1');

    const failedAt = performance.now();
    await post(`${fleet.url}/control/assets/aws-ap-northeast-1/fault`, '{"mode":"down"}');
    expect((await timed(health)).status).toBe(503);
    await sleep(FAILOVER_DELAY_MS / 2);
    expect((await timed(health)).status).toBe(503);
    const served = await pollUntil(() => timed(health), (r) => r.status === 200);
    const timeToFailover = performance.now() - failedAt;
    expect(served.body).toEqual({ state: 'nominal', servedBy: 'aws-ap-northeast-3' });
    expect(timeToFailover).toBeGreaterThanOrEqual(FAILOVER_DELAY_MS - 5);
    expect(timeToFailover).toBeLessThan(FAILOVER_DELAY_MS + 500);
    const after = (await timed(active)).body;
    expect(after.active).toBe('aws-ap-northeast-3');
    expect(after.since).toBeGreaterThan(before.since);

    const restoredAt = performance.now();
    fleet.setFault('aws-ap-northeast-1', 'healthy');
    expect(await timed(health)).toMatchObject({ status: 200, body: { servedBy: 'aws-ap-northeast-3' } });
    const back = await pollUntil(() => timed(active), (r) => r.body.active === 'aws-ap-northeast-1');
    expect(performance.now() - restoredAt).toBeGreaterThanOrEqual(FAILOVER_DELAY_MS - 5);
    expect(back.body.since).toBeGreaterThan(after.since);
    expect(await timed(health)).toMatchObject({ status: 200, body: { servedBy: 'aws-ap-northeast-1' } });
  });

  it('cancels a pending failover when the primary comes back before the delay', async () => {
    fleet.setFault('aws-ap-northeast-1', 'down');
    await sleep(FAILOVER_DELAY_MS / 3);
    fleet.setFault('aws-ap-northeast-1', 'healthy');
    await sleep(FAILOVER_DELAY_MS + 100);
    expect((await timed(`${fleet.url}/functions/missile-warning-relay/active`)).body.active).toBe('aws-ap-northeast-1');
  });

  it('serves a few hundred requests per second', async () => {
    const started = performance.now();
    const urls = Array.from({ length: 500 }, (_, i) => `${fleet.url}/assets/${assets[i % assets.length]!.key}/health`);
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async (_, worker) => {
        for (let i = worker; i < urls.length; i += 50) statuses.push((await timed(urls[i]!)).status);
      }),
    );
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2500);
  });
});

describe('demo fleet push heartbeats', () => {
  it('posts up, then degraded, and nothing while the asset is down', async () => {
    const received: Array<{ status: string }> = [];
    const receiver = http.createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        received.push(JSON.parse(text));
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/push/token123`;
    const fleet = await startDemoFleet({ assets, push: [{ assetKey: resettingStation, url, intervalMs: 40 }] });
    try {
      await pollUntil(async () => received.length, (n) => n >= 2);
      expect(received.every((beat) => beat.status === 'up')).toBe(true);

      fleet.setFault(resettingStation, 'degraded');
      await pollUntil(async () => received.at(-1)?.status, (status) => status === 'degraded');

      fleet.setFault(resettingStation, 'down');
      await sleep(60); // a beat already in flight may still land
      const countWhileDown = received.length;
      await sleep(250);
      expect(received.length).toBe(countWhileDown);

      fleet.setFault(resettingStation, 'healthy');
      await pollUntil(async () => received.length, (n) => n > countWhileDown);
    } finally {
      await fleet.close();
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('ignores a receiver that is not listening', async () => {
    const fleet = await startDemoFleet({ assets, push: [{ assetKey: resettingStation, url: 'http://127.0.0.1:9/push', intervalMs: 20 }] });
    await sleep(100);
    await fleet.close();
  });
});

describe('demo fleet shutdown', () => {
  it('close() leaves no open handles: a process that used every feature exits on its own', async () => {
    const fleetModule = path.resolve('src/hosts/node/demo/fleet.ts');
    const script = `
      const { startDemoFleet } = await import(${JSON.stringify(fleetModule)});
      const fleet = await startDemoFleet({
        assets: ${JSON.stringify(assets)},
        failover: [{ functionKey: 'f', primaryAssetKey: 'aws-ap-northeast-1', alternateAssetKey: 'aws-ap-northeast-3', delayMs: 60000 }],
        push: [{ assetKey: 'aws-ap-northeast-3', url: 'http://127.0.0.1:9/push', intervalMs: 10 }],
      });
      fleet.setFault('aws-ap-northeast-1', 'down');  // a failover timer is pending
      fleet.setFault('aws-ap-northeast-3', 'degraded');
      const slow = fetch(fleet.url + '/assets/aws-ap-northeast-3/health').catch(() => 'aborted');  // a delayed response is pending
      await fetch(fleet.url + '/assets/${unavailableStation}/health').then((r) => r.text());  // an idle keep-alive connection
      await new Promise((resolve) => setTimeout(resolve, 50));
      await fleet.close();
      await slow;
      console.log('closed');
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => {
        child.kill();
        resolve(null);
      }, 8000);
      child.on('exit', (code) => {
        clearTimeout(killer);
        resolve(code);
      });
    });
    expect(output).toContain('closed');
    expect(exitCode).toBe(0);
  });
});

async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms (last value ${JSON.stringify(value)})`);
    await sleep(10);
  }
}

function meanConsecutiveDifference(samples: number[]): number {
  let total = 0;
  for (let i = 1; i < samples.length; i++) total += Math.abs(samples[i]! - samples[i - 1]!);
  return total / (samples.length - 1);
}
