// Targets that misbehave, all at once, for the whole run: black-holed (accepts, never answers),
// slow-drip (one byte every 500 ms), a 64 MiB body, connection resets, an expired and self-signed
// certificate, a TLS port that never completes the handshake, a refused port, a resolver that
// never answers and one that refuses. Beside them a healthy control check every second. None of
// them may stall the scheduler (the control check keeps its pace, the hostile checks keep being
// run and reported down), the API keeps answering, and memory does not grow without bound (RSS
// sampled across the run).
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refusedPort, startSilentTcpServer, startTargetServer, startTlsTargetServer } from '../../support/target-server.js';
import { tally } from '../tally.js';
import { api, FULL, killAll, peek, sampleRss, sleep, startService, waitFor } from './harness.js';

const RUN_MS = FULL ? 120_000 : 15_000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coopwatch-targets-'));
afterAll(async () => {
  await killAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('misbehaving targets', () => {
  it('stall neither the scheduler nor the API, and memory stays bounded', async () => {
    const closers: Array<() => Promise<unknown>> = [];
    const http = async (mode: Parameters<typeof startTargetServer>[0], options?: Parameters<typeof startTargetServer>[1]) => {
      const server = await startTargetServer(mode, options);
      closers.push(() => server.close());
      return server.url;
    };
    const expired = await startTlsTargetServer({ daysValid: -3 });
    const silentTcp = await startSilentTcpServer();
    closers.push(() => expired.close(), () => silentTcp.close());
    const silentUdp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silentUdp.bind(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => silentUdp.close(() => resolve())));
    const refused = await refusedPort();

    const hostile: Array<{ key: string; check: Record<string, unknown> }> = [
      { key: 'black-hole', check: { kind: 'http', http: { url: `${await http('black-hole')}/health` } } },
      { key: 'slow-drip', check: { kind: 'http', http: { url: `${await http('slow-drip')}/health` } } },
      { key: 'huge-body', check: { kind: 'http', http: { url: `${await http('huge-body')}/health`, conditions: ['[BODY] contains nominal'] } } },
      { key: 'reset', check: { kind: 'http', http: { url: `${await http('reset')}/health` } } },
      { key: 'too-slow', check: { kind: 'http', http: { url: `${await http('slow', { delayMs: 5_000 })}/health` } } },
      { key: 'bad-cert-https', check: { kind: 'http', http: { url: `https://127.0.0.1:${expired.port}/health` } } },
      { key: 'expired-cert', check: { kind: 'tls', tls: { host: '127.0.0.1', port: expired.port } } },
      { key: 'no-handshake', check: { kind: 'tls', tls: { host: '127.0.0.1', port: silentTcp.port } } },
      { key: 'refused', check: { kind: 'tcp', tcp: { host: '127.0.0.1', port: refused } } },
      { key: 'dns-silent', check: { kind: 'dns', dns: { name: 'station.invalid', type: 'A', resolver: `127.0.0.1:${silentUdp.address().port}` } } },
      { key: 'dns-refused', check: { kind: 'dns', dns: { name: 'station.invalid', type: 'A', resolver: `127.0.0.1:${refused}` } } },
      { key: 'link-black-hole', check: { kind: 'link', link: { url: `${await http('black-hole')}/ping`, probes: 3, spacingMs: 50 } } },
    ];
    const control = await http('healthy');

    const file = path.join(dir, 'coopwatch.db');
    const service = await startService({ COOPWATCH_DB: file });
    const call = api(service.base);
    const ids = new Map<string, { assetId: number; checkId: number }>();
    for (const { key, check } of [...hostile, { key: 'control', check: { kind: 'http', http: { url: `${control}/health` } } }]) {
      const asset = await call('POST', '/api/assets', { key, kind: 'ground_station', name: key });
      expect(asset.status).toBe(201);
      const created = await call('POST', '/api/checks', {
        key: `${key}-check`, assetId: asset.body.id, intervalSeconds: 1, timeoutMs: 1_000, failureThreshold: 1, successThreshold: 1, ...check,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      ids.set(key, { assetId: asset.body.id, checkId: created.body.id });
    }

    const rss = sampleRss(() => service.rssMiB(), 500);
    const started = Date.now();
    let healthChecks = 0;
    let serverErrors = 0;
    while (Date.now() - started < RUN_MS) {
      const res = await fetch(`${service.base}/healthz`, { signal: AbortSignal.timeout(5_000) });
      healthChecks++;
      if (res.status >= 500) serverErrors++;
      await res.arrayBuffer();
      const list = await call('GET', '/api/assets?limit=50');
      if (list.status >= 500) serverErrors++;
      await sleep(500);
    }
    rss.stop();
    const runSeconds = (Date.now() - started) / 1000;

    // The control check kept its one-second pace throughout: no stall longer than a few seconds.
    const controlRuns = peek(file, (db) => (db.prepare('select ts from check_results where check_id = ? and ts >= ? order by ts').all(ids.get('control')!.checkId, started) as Array<{ ts: number }>).map((r) => r.ts));
    expect(controlRuns.length).toBeGreaterThanOrEqual(Math.floor(runSeconds * 0.6));
    const gaps = controlRuns.slice(1).map((ts, i) => ts - controlRuns[i]!);
    expect(Math.max(...gaps)).toBeLessThan(4_000);
    expect((await call('GET', `/api/assets/${ids.get('control')!.assetId}`)).body.status).toBe('up');

    // Every hostile check kept being run (timeout 1 s, interval 1 s) and is reported down.
    for (const { key } of hostile) {
      const { assetId, checkId } = ids.get(key)!;
      const runs = peek(file, (db) => (db.prepare('select count(*) as n from check_results where check_id = ? and ts >= ?').get(checkId, started) as { n: number }).n);
      expect(runs, `${key}: runs`).toBeGreaterThanOrEqual(Math.floor(runSeconds / 4));
      const asset = await waitFor(`${key} down`, async () => {
        const res = await call('GET', `/api/assets/${assetId}`);
        return res.body.status === 'down' ? res.body : undefined;
      }, 5_000);
      expect(asset.status).toBe('down');
    }

    // Memory: no growth without bound. After the first quarter (warm-up), the later peak stays
    // within a margin of the earlier one.
    const quarter = Math.floor(rss.samples.length / 4);
    const early = Math.max(...rss.samples.slice(quarter, quarter * 2));
    const late = Math.max(...rss.samples.slice(quarter * 2));
    expect(late, `RSS samples (MiB): ${rss.samples.map((s) => Math.round(s)).join(' ')}`).toBeLessThan(early * 1.25 + 48);

    expect(serverErrors).toBe(0);
    expect(await service.stop()).toBe(0);
    tally('faults injected', hostile.length, 'misbehaving targets');
    tally('misbehaving targets', hostile.length);
    tally('5xx seen', serverErrors, 'healthz and reads during misbehaving targets');
    tally('peak RSS MiB', Math.round(rss.peak));
    for (const close of closers) await close();
  }, FULL ? 240_000 : 60_000);
});
