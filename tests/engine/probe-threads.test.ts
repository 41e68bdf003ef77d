// The Node host's probe threads (node:worker_threads), real threads against real loopback targets:
// the monitor's network checks run on them and reach state, incidents and history as before; a
// thread that dies is replaced, its runs in flight are run again at once, and none is counted twice.
import { describe, it } from 'vitest';
import type { HttpSettings } from '../../src/core/domain/checks.js';
import type { CheckDefinition, ObservationRecord } from '../../src/core/monitor/check-definition.js';
import { NodeProbeThreads } from '../../src/hosts/node/probe-threads/pool.js';
import { waitFor } from '../helpers.js';
import { liveMonitorEnv } from '../support/live-monitor-env.js';
import { startTargetServer } from '../support/target-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.concurrent('probe threads', () => {
  it('run the network checks: an outage on a thread-run check opens an incident and its recovery resolves it; a push check stays on the monitor thread', async (ctx) => {
    const { expect } = ctx;
    const env = await liveMonitorEnv(ctx);
    const server = await env.target('healthy');
    const stationId = await env.createAsset('gs-threaded');
    const http = await env.createHttpCheck('threaded-health', stationId, server.url);
    const logs: string[] = [];
    const threads = new NodeProbeThreads({ threads: 2, concurrency: 16, log: (m) => logs.push(m) });
    const live = await env.startMonitor({ probeThreads: threads });
    await env.assetStatusIs(stationId, 'up');
    expect(live.checksScheduled).toBe(1);
    expect(live.scheduler.size).toBe(0);
    expect(threads.size).toBe(1);

    server.setMode('failing');
    await env.assetStatusIs(stationId, 'down');
    const open = await waitFor('an open incident', async () => (await env.incidentsList('?state=open'))[0]);
    expect(open).toMatchObject({ assetId: stationId, state: 'open' });
    server.setMode('healthy');
    await env.assetStatusIs(stationId, 'up');
    await waitFor('the incident resolved', async () => (await env.incidentsList('?state=resolved'))[0]);
    expect(env.resultsOf(http.id).filter((r) => r.status === 2).length).toBeGreaterThanOrEqual(2);

    // A push check needs the stored heartbeats: it is scheduled on the monitor's own thread.
    await env.t.call('POST', '/api/checks', { body: { key: 'threaded-push', assetId: stationId, kind: 'push', intervalSeconds: 5, push: {} } });
    await waitFor('the push check scheduled', () => live.scheduler.size === 1);
    expect(threads.size).toBe(1);

    // The monitor's thread holds no copy of a thread-run check's settings: an edit reaches the
    // thread from the store, and the check probes its new URL.
    expect(live.monitor.definitions().find((def) => def.id === http.id)!.settings).toEqual({});
    const moved = await env.target('failing');
    await env.t.call('PATCH', `/api/checks/${http.id}`, { body: { http: { url: moved.url } } });
    await env.assetStatusIs(stationId, 'down');
    expect(logs).toEqual([]);
  });

  it('start the runs that come due within 10 ms of each other together, with one abort signal and timer between them', async (ctx) => {
    const { expect } = ctx;
    const server = await startTargetServer('healthy');
    ctx.onTestFinished(() => server.close());
    const settings: HttpSettings = { url: server.url, method: 'GET', headers: {}, conditions: [], maxRedirects: 0, maxBodyBytes: 65_536 };
    // 500 checks a second, each due at its own phase of the second: one by one they would start at some 400 distinct milliseconds.
    const stored = Array.from({ length: 500 }, (_, i) => ({
      id: 2_000 + i, assetId: 1, kind: 'http' as const, enabled: true, intervalSeconds: 1, cron: null, timezone: null, timeoutMs: 900, failureThreshold: 1, successThreshold: 1, settingsJson: JSON.stringify(settings),
    }));
    const results: ObservationRecord[] = [];
    const threads = new NodeProbeThreads({ threads: 1, concurrency: 256, log: () => {} });
    ctx.onTestFinished(() => threads.stop());
    threads.start(({ records }) => results.push(...records));
    await threads.assign(stored.map((def) => def.id), async (ids) => ({ definitions: stored.filter((def) => ids.includes(def.id)), assets: [] }));
    // The window opens once the thread runs every check: a thread slow to load on a busy machine would otherwise start late in it.
    await waitFor('every check run once', () => new Set(results.map((r) => r.checkId)).size === stored.length, 15_000);
    const from = Date.now();
    await sleep(2_500); // the window, and time for its last runs' results to arrive
    const inWindow = results.filter((r) => r.at >= from && r.at < from + 2_000);
    // About 1,000 runs; fewer on a loaded machine, but one by one even 400 would start at more than 220 times.
    expect(inWindow.length).toBeGreaterThan(400);
    expect(inWindow.every((r) => r.observation.status === 'up')).toBe(true);
    // Started every 10 ms: at most about 200 start times in two seconds.
    expect(new Set(inWindow.map((r) => r.at)).size).toBeLessThanOrEqual(220);
  });

  it('replace a thread that dies: runs it had in flight or that came due meanwhile run at once, the killed runs are never reported, the others keep their times', async (ctx) => {
    const { expect } = ctx;
    // Each probe takes 2.5 s of a 5 s interval, so about half the checks are in flight at any moment.
    const server = await startTargetServer('slow', { delayMs: 2_500 });
    ctx.onTestFinished(() => server.close());
    const settings: HttpSettings = { url: server.url, method: 'GET', headers: {}, conditions: [], maxRedirects: 0, maxBodyBytes: 65_536 };
    const defs: CheckDefinition[] = Array.from({ length: 30 }, (_, i) => ({
      id: 500 + i, key: `slow-${i}`, assetId: 1, kind: 'http', enabled: true, intervalSeconds: 5, cron: null, timezone: null, timeoutMs: 4_000,
      failureThreshold: 1, successThreshold: 1, settings,
    }));
    const results: ObservationRecord[] = [];
    const logs: string[] = [];
    const threads = new NodeProbeThreads({ threads: 1, concurrency: 64, log: (m) => logs.push(m) });
    ctx.onTestFinished(() => threads.stop());
    threads.start(({ records }) => results.push(...records));
    const stored = defs.map(({ key: _k, settings, ...rest }) => ({ ...rest, settingsJson: JSON.stringify(settings) }));
    await threads.assign(defs.map((def) => def.id), async (ids) => ({ definitions: stored.filter((def) => ids.includes(def.id)), assets: [] }));

    const ids = defs.map((def) => def.id);
    const reported = () => new Set(results.map((r) => r.checkId));
    await waitFor('every check reported once', () => ids.every((id) => reported().has(id)), 12_000);
    const [first] = threads.workers;
    const killedAt = Date.now();
    await first!.terminate();
    const lastBefore = new Map<number, number>();
    for (const r of results) if (r.at < killedAt) lastBefore.set(r.checkId, Math.max(r.at, lastBefore.get(r.checkId) ?? 0));

    await sleep(8_000);
    expect(threads.workers).toHaveLength(1);
    expect(threads.workers[0]!.threadId).not.toBe(first!.threadId);
    expect(logs.join('\n')).toMatch(/probe thread 0 stopped .*\n.*probe thread 0 replaced: the new one first runs the \d+ checks owed a run/);

    // A run started less than 2.4 s before the kill could not have ended: it must never be reported.
    expect(results.filter((r) => r.at > killedAt - 2_400 && r.at < killedAt)).toEqual([]);
    let inFlight = 0;
    for (const id of ids) {
      const last = lastBefore.get(id)!;
      const after = results.filter((r) => r.checkId === id && r.at >= killedAt).map((r) => r.at).sort((a, b) => a - b);
      // Its latest result before the kill is older than an interval: a run was in flight when the thread died.
      if (last < killedAt - 5_000) {
        inFlight++;
        expect(after[0], `check ${id} run again at once`).toBeLessThan(killedAt + 2_000);
      } else {
        // Its next run, at its time or, if that came while the thread was replaced, as soon as the new one started.
        expect(after[0], `check ${id} kept its time`).toBeGreaterThanOrEqual(last + 5_000 - 50);
        expect(after[0]).toBeLessThan(Math.max(last + 5_000, killedAt + 2_000) + 500);
      }
      // Never twice for one slot: consecutive runs of a check are an interval apart, or a rerun then its slot.
      expect(after.length).toBeLessThanOrEqual(3);
    }
    expect(inFlight).toBeGreaterThan(0);
  }, 40_000);
});
