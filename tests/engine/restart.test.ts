// Restarting the monitor on the same database: no burst of probes, no lost failure counts, no
// duplicate alerts, and nothing invented by the probes a stop cut short.
import { describe, it, type TestContext } from 'vitest';
import type { HttpRequest, ProbeContext } from '../../checks/types.js';
import { LiveMonitor } from '../../src/core/monitor/live-monitor.js';
import { createNodeProbeRuntime } from '../../src/hosts/node/probes.js';
import { createTestApp, rawClient, type TestApp, waitFor, ok } from '../helpers.js';
import { startTargetServer, type TargetServer } from '../support/target-server.js';

/** One database, probe runtime and set of targets per test; monitors are started and stopped on it. */
async function setup(ctx: TestContext) {
  const t: TestApp = await createTestApp();
  const runtime = createNodeProbeRuntime();
  const running: LiveMonitor[] = [];
  const targets: TargetServer[] = [];
  ctx.onTestFinished(async () => {
    for (const live of running.splice(0)) await live.stop();
    await runtime.close();
    for (const target of targets) await target.close();
    t.close();
  });

  const env = {
    t,
    async target(mode: Parameters<typeof startTargetServer>[0] = 'healthy') {
      const server = await startTargetServer(mode);
      targets.push(server);
      return server;
    },
    /** Starts a monitor; every HTTP probe it makes is logged with its start time and URL. */
    async startMonitor(starts?: Array<{ at: number; url: string }>) {
      const probeContext = (signal: AbortSignal): ProbeContext => {
        const probeCtx = runtime.context(signal);
        if (!starts) return probeCtx;
        return {
          ...probeCtx,
          http: (req: HttpRequest) => {
            starts.push({ at: Date.now(), url: req.url });
            return probeCtx.http(req);
          },
        };
      };
      const live = await LiveMonitor.start({ db: t.sqlite.db, probeContext, flushIntervalMs: 100, syncIntervalMs: 200 });
      running.push(live);
      return live;
    },
    async stopMonitor(live: LiveMonitor) {
      running.splice(running.indexOf(live), 1);
      await live.stop();
    },
    async createAsset(key: string): Promise<number> {
      return (await ok(t.call('POST', '/api/assets', { body: { key, kind: 'ground_station', name: key } }), 201)).id;
    },
    createHttpCheck(key: string, assetId: number, url: string, extra: Record<string, unknown> = {}) {
      return ok(
        t.call('POST', '/api/checks', {
          body: { key, assetId, kind: 'http', intervalSeconds: 1, timeoutMs: 500, failureThreshold: 3, successThreshold: 2, http: { url, expectStatus: 200 }, ...extra },
        }),
        201,
      );
    },
    resultsOf(checkId: number): Array<{ ts: number; status: number }> {
      return rawClient(t.sqlite).prepare('select ts, status from check_results where check_id = ? order by ts').all(checkId) as any;
    },
    trailingFailures(checkId: number): number {
      const rows = env.resultsOf(checkId);
      let n = 0;
      for (let i = rows.length - 1; i >= 0 && rows[i]!.status === 2; i--) n++;
      return n;
    },
    countEvents(type: string, subjectId: number): number {
      return (rawClient(t.sqlite).prepare('select count(*) as n from events where type = ? and subject_id = ?').get(type, subjectId) as { n: number }).n;
    },
  };
  return env;
}

describe('restart without a burst', () => {
  it('spreads the first runs of 200 checks over their interval instead of firing them at once', async (ctx) => {
    const { expect } = ctx;
    const { t, target, startMonitor, stopMonitor, createAsset, createHttpCheck, resultsOf, trailingFailures, countEvents } = await setup(ctx);
    const server = await target('healthy');
    const CHECKS = 200;
    const assetIds: number[] = [];
    for (let i = 0; i < 10; i++) assetIds.push(await createAsset(`gs-fleet-${i}`));
    for (let i = 0; i < CHECKS; i++) {
      await createHttpCheck(`fleet-${i}`, assetIds[i % 10]!, `${server.url}c/${i}`, { intervalSeconds: 2, timeoutMs: 1_000 });
    }

    const first = await startMonitor();
    // every check has run and been recorded at least once
    await waitFor('every check to have a result', () => {
      const { n } = rawClient(t.sqlite).prepare('select count(distinct check_id) as n from check_results').get() as { n: number };
      return n === CHECKS;
    }, 8_000);
    await stopMonitor(first);

    const starts: Array<{ at: number; url: string }> = [];
    const restartedAt = Date.now();
    await startMonitor(starts);
    await new Promise((r) => setTimeout(r, 2_300));

    const SLICE_MS = 500;
    const WINDOW_MS = 2_000;
    const inWindow = starts.filter((s) => s.at - restartedAt < WINDOW_MS);
    const slices = Array.from({ length: WINDOW_MS / SLICE_MS }, (_, i) =>
      inWindow.filter((s) => s.at - restartedAt >= i * SLICE_MS && s.at - restartedAt < (i + 1) * SLICE_MS).length,
    );
    const uniform = (CHECKS * SLICE_MS) / WINDOW_MS; // 50 per slice
    for (const count of slices) expect(count, `starts per 500 ms slice: ${slices.join(', ')}`).toBeLessThanOrEqual(uniform * 1.5);
    // each check runs once per interval: no check runs twice in the first interval after a restart
    const urls = inWindow.map((s) => s.url);
    expect(new Set(urls).size).toBe(urls.length);
    // and they all do run (spread, not skipped)
    expect(inWindow.length).toBeGreaterThanOrEqual(CHECKS * 0.9);
  });

});

// These wait on one-second intervals and share nothing: run them side by side.
describe.concurrent('restart, state', () => {
  it('keeps failure counts across a restart: 2 of 3 failures before, down after exactly one more', async (ctx) => {
    const { expect } = ctx;
    const { t, target, startMonitor, stopMonitor, createAsset, createHttpCheck, resultsOf, trailingFailures, countEvents } = await setup(ctx);
    const server = await target('healthy');
    const id = await createAsset('gs-santiago');
    const c = await createHttpCheck('santiago-health', id, server.url);

    const first = await startMonitor();
    await waitFor('check up', async () => (await ok(t.call('GET', `/api/checks/${c.id}`))).status === 'up');
    server.setMode('failing');
    await waitFor('two failures', () => trailingFailures(c.id) >= 2);
    await stopMonitor(first);

    // the premise: exactly two failures recorded, still confirmed up
    expect(trailingFailures(c.id)).toBe(2);
    const beforeRestart = resultsOf(c.id);
    const firstFailure = beforeRestart.at(-2)!;
    expect((await ok(t.call('GET', `/api/checks/${c.id}`))).status).toBe('up');
    expect((await ok(t.call('GET', `/api/assets/${id}`))).status).toBe('up');

    const restartedAt = Date.now();
    await startMonitor();
    await waitFor('check down', async () => (await ok(t.call('GET', `/api/checks/${c.id}`))).status === 'down');
    const afterRestart = resultsOf(c.id).filter((r) => r.ts >= restartedAt);
    const checkView = await ok(t.call('GET', `/api/checks/${c.id}`));
    // confirmed by the first failure after the restart
    expect(Date.parse(checkView.statusSince)).toBe(afterRestart[0]!.ts);
    expect(afterRestart[0]!.status).toBe(2);

    const asset = await ok(t.call('GET', `/api/assets/${id}`));
    expect(asset.status).toBe('down');
    const { items } = await ok(t.call('GET', '/api/incidents?state=open'));
    expect(items).toHaveLength(1);
    // the outage began at the first failure before the restart
    expect(Date.parse(items[0].startedAt)).toBe(firstFailure.ts);
    expect(items[0].ttdMs).toBe(Date.parse(items[0].openedAt) - firstFailure.ts);
  });

  it('a restart while down keeps the asset down and the incident open, without repeating alerts', async (ctx) => {
    const { expect } = ctx;
    const { t, target, startMonitor, stopMonitor, createAsset, createHttpCheck, resultsOf, trailingFailures, countEvents } = await setup(ctx);
    const server = await target('failing');
    const id = await createAsset('gs-mcmurdo');
    const c = await createHttpCheck('mcmurdo-health', id, server.url, { failureThreshold: 1, successThreshold: 2 });

    const first = await startMonitor();
    await waitFor('asset down', async () => (await ok(t.call('GET', `/api/assets/${id}`))).status === 'down');
    await stopMonitor(first);
    const downSince = (await ok(t.call('GET', `/api/assets/${id}`))).statusSince;

    await startMonitor();
    const count = resultsOf(c.id).length;
    await waitFor('two more results', () => resultsOf(c.id).length >= count + 2, 5_000);
    const asset = await ok(t.call('GET', `/api/assets/${id}`));
    expect(asset).toMatchObject({ status: 'down', statusSince: downSince });
    expect(countEvents('asset.down', id)).toBe(1);
    const { items } = await ok(t.call('GET', '/api/incidents'));
    expect(items).toHaveLength(1);
    expect(items[0].state).toBe('open');

    // one success is not enough (successThreshold 2) even though the streak is new after the restart
    server.setMode('healthy');
    await waitFor('asset up', async () => (await ok(t.call('GET', `/api/assets/${id}`))).status === 'up');
    const ups = resultsOf(c.id).filter((r) => r.status === 0);
    expect(ups.length).toBeGreaterThanOrEqual(2);
    expect((await ok(t.call('GET', '/api/incidents?state=resolved'))).items).toHaveLength(1);
  });

  it('stopping mid-probe records nothing for the probe it cut short', async (ctx) => {
    const { expect } = ctx;
    const { t, target, startMonitor, stopMonitor, createAsset, createHttpCheck, resultsOf, trailingFailures, countEvents } = await setup(ctx);
    const hole = await target('black-hole');
    const id = await createAsset('gs-punta-arenas');
    const c = await createHttpCheck('punta-arenas-health', id, hole.url, { timeoutMs: 5_000, failureThreshold: 1 });
    const first = await startMonitor();
    await waitFor('a probe hanging on the target', () => hole.requests > 0, 5_000);
    await stopMonitor(first);
    await new Promise((r) => setTimeout(r, 200));

    expect(resultsOf(c.id)).toEqual([]);
    expect((await ok(t.call('GET', `/api/assets/${id}`))).status).toBe('unknown');
    expect((await ok(t.call('GET', '/api/incidents'))).items).toEqual([]);
  });
});
